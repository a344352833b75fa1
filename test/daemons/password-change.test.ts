/**
 * Issue 3, scenario 7: passwords on the real daemons. Its own system, so the failed logins (and the auth
 * penalty Dovecot then applies to 127.0.0.1, several seconds) cannot slow the other scenarios; the failures
 * come last here too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import nodemailer from "nodemailer";
import { daemonsRunnable } from "./harness/daemons-available";
import { LoopbackStack, programFiles, relayToCapture, SCENARIO, startLoopbackStack } from "./harness/loopback-stack";
import { openImap, tlsTrust } from "./harness/mail-clients";

const { alice } = SCENARIO.accounts;
const OLD = "alice-Old-Password-1";
const NEW = "alice-New-Password-2";
const WRONG = "not-alices-password";

function accountLine(accountsCf: string, address: string): string {
  const line = accountsCf.split("\n").find((l) => l.startsWith(`${address}|`));
  if (!line) throw new Error(`${address} is not in postfix-accounts.cf`);
  return line;
}

describe.skipIf(!daemonsRunnable())("account passwords on real daemons", () => {
  let stack: LoopbackStack;

  beforeAll(async () => {
    stack = await startLoopbackStack({ hi: "hi-Loopback-1", alice: OLD, bob: "bob-Loopback-1" });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function imapLogin(pass: string): Promise<boolean> {
    try {
      const client = await openImap(stack.system, alice, pass);
      await client.logout();
      return true;
    } catch {
      return false;
    }
  }

  /** AUTH on the 587-equivalent port after STARTTLS (nodemailer's verify stops after AUTH). */
  async function submissionAuth(pass: string): Promise<string> {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: stack.ports.submission,
      requireTLS: true,
      name: "client.loopback.test",
      auth: { user: alice, pass },
      tls: tlsTrust(stack.system),
    });
    try {
      await transport.verify();
      return "accepted";
    } catch (e) {
      return String((e as { response?: string }).response ?? (e as Error).message);
    } finally {
      transport.close();
    }
  }

  it(
    "7. a changed password in config changes the hash; the new one works, the old and a wrong one are refused",
    { timeout: 120_000 },
    async () => {
      expect(stack.passwords[alice]).toBe(OLD);
      expect(await imapLogin(OLD)).toBe(true);

      // A second program run with only alice's password changed, applied as DMS's change detection would.
      const next = await programFiles({ hi: "hi-Loopback-1", alice: NEW, bob: "bob-Loopback-1" }, stack.stateDir);
      expect(next.passwords[alice]).toBe(NEW);
      expect(accountLine(next.files.accountsCf, alice)).not.toBe(accountLine(stack.files.accountsCf, alice));
      expect(accountLine(next.files.accountsCf, SCENARIO.accounts.bob)).toBe(
        accountLine(stack.files.accountsCf, SCENARIO.accounts.bob),
      );
      stack.system.applyAccounts(relayToCapture(next.files, stack.ports.relay));

      // Successes before any failure: after one failed login Dovecot delays every later login from 127.0.0.1.
      expect(await imapLogin(NEW)).toBe(true);
      expect(await submissionAuth(NEW)).toBe("accepted");

      // The SMTP failure first: Postfix gives up on Dovecot ("Connection lost to authentication server", 454)
      // once the penalty delay of earlier failures has grown to several seconds.
      expect(await submissionAuth(WRONG)).toMatch(/^535/);
      expect(await imapLogin(OLD)).toBe(false);
      expect(await imapLogin(WRONG)).toBe(false);
    },
  );
});
