import { assertSafe, isAddress } from "../mail-syntax";

/**
 * `postfix-receive-access.cf`: an access(5) table docker-mailserver applies at RCPT time. Empty when nothing
 * is blocked; the file is there all the same, because docker-mailserver only wires the table when it exists at
 * start (lib/plan/server-files.ts `liveFileSpecs`).
 */
export function renderPostfixReceiveAccess(blocked: string[]): string {
  for (const b of blocked) assertSafe(b, isAddress(b, "tagged"), "postfix-receive-access.cf");
  return blocked.map((b) => `${b} REJECT\n`).join("");
}
