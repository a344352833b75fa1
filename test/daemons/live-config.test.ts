/**
 * Issue 12 on the real daemons: the live files' Commands the program registered, run as the command provider
 * runs them, with a stand-in `docker` first on PATH (harness/docker-stand-in.ts) and docker-mailserver's change
 * detector over the harness (harness/change-detector.ts). A new alias delivers, a newly blocked address gets
 * 554 at RCPT, a changed password logs in and the old one does not — while an SMTP session opened before and an
 * IMAP session stay up, and a message sent during the change is accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daemonsRunnable } from "./harness/daemons-available";
import { ChangeDetector } from "./harness/change-detector";
import { CommandRun, DockerStandIn, installDockerStandIn, runLikeCommandProvider } from "./harness/docker-stand-in";
import { LoopbackStack, relayToCapture, SCENARIO, startLoopbackStack } from "./harness/loopback-stack";
import { loopbackConfig } from "./harness/loopback-config";
import { marker, openImap, sendMail, waitForInbox } from "./harness/mail-clients";
import { SmtpConversation } from "./harness/smtp-conversation";
import { liveCommands, mailContainer, ProgramRun, RegisteredResource, runProgram } from "../support/run-program";

const { hi, alice, bob } = SCENARIO.accounts;
const OLD = "alice-Live-Old-1";
const NEW = "alice-Live-New-2";
const PASSWORDS = { hi: "hi-Live-1", alice: OLD, bob: "bob-Live-1" };
const SHOP = `shop@${SCENARIO.domain}`;
/** A per-site address the catch-all receives until it leaks (an alias cannot also be blocked: lib/config-delivery.ts). */
const DEALS = `deals@${SCENARIO.domain}`;
const LEAKED = `newsletter@${SCENARIO.domain}`;
/** The provider's default engine: no docker.host in the loopback config. */
const LOCAL_ENGINE = "unix:///var/run/docker.sock";

/** The live files' Commands whose inputs differ from the last run's: what `pulumi up` updates. */
function updated(before: ProgramRun, after: ProgramRun): RegisteredResource[] {
  const old = liveCommands(before);
  return [...liveCommands(after)]
    .filter(([path, c]) => JSON.stringify(c.inputs) !== JSON.stringify(old.get(path)?.inputs))
    .map(([, c]) => c);
}

describe.skipIf(!daemonsRunnable())("config changes applied to the running server", () => {
  let stack: LoopbackStack;
  let detector: ChangeDetector;
  let docker: DockerStandIn;

  beforeAll(async () => {
    stack = await startLoopbackStack(PASSWORDS);
    detector = new ChangeDetector(stack.system, (f) => relayToCapture(f, stack.ports.relay));
    detector.start();
    docker = installDockerStandIn(stack.system, {
      container: mailContainer(stack.run).inputs.name,
      dockerHost: LOCAL_ENGINE,
    });
  }, 120_000);
  afterAll(async () => {
    detector?.stop();
    docker?.remove();
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

  it(
    "a new alias, a blocked address and a changed password take effect; open sessions stay and mail keeps flowing",
    { timeout: 240_000 },
    async () => {
      // Before: shop@ and newsletter@ fall to the catch-all (hi@), alice logs in with the old password.
      const probe = (await SmtpConversation.open(stack.ports.smtp, "127.0.0.2")).conversation;
      await probe.send("EHLO outside.example");
      await probe.send("MAIL FROM:<someone@outside.example>");
      expect((await probe.send(`RCPT TO:<${LEAKED}>`)).code).toBe(250);
      probe.close();

      // Sessions opened before the change: an SMTP client mid-transaction and an IMAP client with INBOX open.
      const { conversation: smtp, greeting } = await SmtpConversation.open(stack.ports.smtp, "127.0.0.2");
      expect(greeting.code).toBe(220);
      expect((await smtp.send("EHLO early.example")).code).toBe(250);
      expect((await smtp.send("MAIL FROM:<early@outside.example>")).code).toBe(250);
      const imap = await openImap(stack.system, bob, PASSWORDS.bob);
      await imap.mailboxOpen("INBOX");
      const alicesOld = await openImap(stack.system, alice, OLD);
      await alicesOld.mailboxOpen("INBOX");

      // The second `pulumi up`: a new alias, a newly blocked address, alice's new password.
      const config = loopbackConfig({ ...PASSWORDS, alice: NEW });
      const next = await runProgram(
        {
          ...config,
          aliases: { ...(config.aliases as object), shop: "bob" },
          blocked: [...(config.blocked as string[]), "newsletter"],
        },
        { stateDir: stack.stateDir },
      );
      expect(mailContainer(next).inputs).toEqual(mailContainer(stack.run).inputs);
      const commands = updated(stack.run, next);
      expect(commands.map((c) => c.inputs.environment.MAILSTACK_FILE)).toEqual([
        "/tmp/docker-mailserver/postfix-accounts.cf",
        "/tmp/docker-mailserver/postfix-virtual.cf",
        "/tmp/docker-mailserver/postfix-receive-access.cf",
        "/tmp/docker-mailserver/mailstack/sender-login-maps.pcre",
      ]);

      // The engine runs the updates in parallel; messages are sent one after the other while they run.
      let done = false;
      const runs = Promise.all(commands.map((c) => runLikeCommandProvider(c, docker))).finally(() => (done = true));
      const during = marker("during-change");
      let sentDuring = 0;
      while (!done) {
        await sendMail(
          stack.system,
          "smtp",
          { from: "someone@outside.example", to: alice, subject: during, text: "sent during the change\n" },
          undefined,
          "127.0.0.2",
        );
        if (!done) sentDuring++;
      }
      const results: CommandRun[] = await runs;
      for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
      expect(sentDuring).toBeGreaterThan(0);
      expect(results.map((r) => r.stdout.trim())).toEqual([
        "mailstack: /tmp/docker-mailserver/postfix-accounts.cf applied (docker-mailserver's change detector reloaded Postfix and Dovecot)\n" +
          `mailstack: ended the IMAP sessions of ${alice} (password changed or account removed)`,
        "mailstack: /tmp/docker-mailserver/postfix-virtual.cf applied (docker-mailserver's change detector reloaded Postfix and Dovecot)",
        "mailstack: /tmp/docker-mailserver/postfix-receive-access.cf applied (postfix reload)",
        "mailstack: /tmp/docker-mailserver/mailstack/sender-login-maps.pcre applied (postfix reload)",
      ]);

      // The sessions opened before are still up and still work.
      expect((await smtp.send(`RCPT TO:<${hi}>`)).code).toBe(250);
      expect((await smtp.send("DATA")).code).toBe(354);
      expect((await smtp.send(`Subject: opened before\r\n\r\nstill here\r\n.`)).code).toBe(250);
      expect((await smtp.send("QUIT")).code).toBe(221);
      smtp.close();
      expect(imap.usable).toBe(true);
      expect(await imap.status("INBOX", { messages: true })).toMatchObject({ messages: expect.any(Number) });
      await imap.logout();
      // The session opened with alice's old password is over: a leaked password stops working there too.
      await expect(alicesOld.status("INBOX", { messages: true })).rejects.toThrow();

      // The new alias delivers to its target, the blocked address is refused at RCPT.
      const toShop = marker("new-alias");
      await sendMail(
        stack.system,
        "smtp",
        { from: "someone@outside.example", to: SHOP, subject: toShop, text: "x\n" },
        undefined,
        "127.0.0.2",
      );
      await waitForInbox(stack.system, bob, PASSWORDS.bob, toShop);
      const refused = (await SmtpConversation.open(stack.ports.smtp, "127.0.0.2")).conversation;
      await refused.send("EHLO outside.example");
      await refused.send("MAIL FROM:<someone@outside.example>");
      const rcpt = await refused.send(`RCPT TO:<${LEAKED}>`);
      refused.close();
      expect(rcpt.code).toBe(554);

      // The message sent during the change was accepted and delivered; the new password works, the old does not
      // (the failure last: Dovecot then delays later logins from 127.0.0.1).
      const delivered = await waitForInbox(stack.system, alice, NEW, during, sentDuring);
      expect(delivered.length).toBeGreaterThanOrEqual(sentDuring);
      expect(await imapLogin(NEW)).toBe(true);
      expect(await imapLogin(OLD)).toBe(false);

      // No secret was ever on a command line: the stand-in logged every argv it got.
      const argv = docker.argvLog();
      expect(argv).toContain("exec -i");
      for (const secret of [OLD, NEW, PASSWORDS.hi, PASSWORDS.bob, "SHA512-CRYPT"]) expect(argv).not.toContain(secret);
    },
  );

  it(
    "a blocked address alone (no file the change detector watches) is applied by the explicit postfix reload",
    { timeout: 120_000 },
    async () => {
      const before = await runProgram(
        {
          ...loopbackConfig({ ...PASSWORDS, alice: NEW }),
          aliases: { team: ["alice", "bob"], shop: "bob" },
          blocked: ["blocked", "newsletter"],
        },
        { stateDir: stack.stateDir },
      );
      const after = await runProgram(
        {
          ...loopbackConfig({ ...PASSWORDS, alice: NEW }),
          aliases: { team: ["alice", "bob"], shop: "bob" },
          blocked: ["blocked", "newsletter", "deals"],
        },
        { stateDir: stack.stateDir },
      );
      const commands = updated(before, after);
      // The access table, and the sender logins: the catch-all's owner may no longer send as the blocked address.
      // Neither is a file docker-mailserver's change detector watches.
      expect(commands.map((c) => c.inputs.environment.MAILSTACK_FILE)).toEqual([
        "/tmp/docker-mailserver/postfix-receive-access.cf",
        "/tmp/docker-mailserver/mailstack/sender-login-maps.pcre",
      ]);
      // An smtpd process from before holds the old table until Postfix is reloaded: one idles after this session.
      const rcptDeals = async () => {
        const c = (await SmtpConversation.open(stack.ports.smtp, "127.0.0.2")).conversation;
        await c.send("EHLO outside.example");
        await c.send("MAIL FROM:<someone@outside.example>");
        const r = await c.send(`RCPT TO:<${DEALS}>`);
        await c.send("QUIT");
        c.close();
        return r.code;
      };
      expect(await rcptDeals()).toBe(250);
      const applied = detector.applied.length;
      for (const r of await Promise.all(commands.map((c) => runLikeCommandProvider(c, docker))))
        expect(r, r.stderr).toMatchObject({ code: 0 });
      expect(detector.applied.length).toBe(applied);
      expect(await rcptDeals()).toBe(554);
    },
  );
});
