/**
 * `postfix-receive-access.cf`: an access(5) table docker-mailserver applies at RCPT time. Empty when nothing
 * is blocked: the file is then not uploaded, and docker-mailserver only wires the table when it exists.
 */
export function renderPostfixReceiveAccess(blocked: string[]): string {
  return blocked.map((b) => `${b} REJECT\n`).join("");
}
