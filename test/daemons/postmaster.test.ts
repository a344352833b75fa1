/**
 * Issue 8, item 4: postmaster@ and abuse@ always reach a person (RFC 5321 §4.5.1, RFC 2142), also without a
 * postmaster account and without a catch-all — where docker-mailserver's POSTMASTER_ADDRESS alone leaves them
 * unknown (it only feeds /etc/aliases, for local system domains). Real Postfix routes, Dovecot delivers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daemonsRunnable } from "./harness/daemons-available";
import { LoopbackStack, SCENARIO, startLoopbackStack } from "./harness/loopback-stack";
import { marker, sendMail, waitForInbox } from "./harness/mail-clients";
import { SmtpConversation } from "./harness/smtp-conversation";

const { bob } = SCENARIO.accounts;
const OUTSIDE = "127.0.0.2";

describe.skipIf(!daemonsRunnable())("postmaster@ and abuse@ without a catch-all, on real daemons", () => {
  let stack: LoopbackStack;

  beforeAll(async () => {
    // No catch-all; mailstack:postmaster names bob, who is neither the first account nor postmaster@.
    stack = await startLoopbackStack(
      { hi: "hi-Loopback-1", alice: "alice-Loopback-1", bob: "bob-Loopback-1" },
      { catchAll: undefined, postmaster: "bob" },
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("delivers mail for postmaster@ and abuse@ to the configured account", async () => {
    for (const role of ["postmaster", "abuse"]) {
      const id = marker(role);
      await sendMail(
        stack.system,
        "smtp",
        { from: "reporter@outside.test", to: `${role}@${SCENARIO.domain}`, subject: id, text: "report" },
        undefined,
        OUTSIDE,
      );
      const [message] = await waitForInbox(stack.system, bob, stack.passwords[bob], id);
      expect(message).toContain(`To: ${role}@${SCENARIO.domain}`);
    }
  });

  it("still refuses other unknown addresses at RCPT (there is no catch-all)", async () => {
    const { conversation } = await SmtpConversation.open(stack.ports.smtp, OUTSIDE);
    try {
      await conversation.send("EHLO client.outside.test");
      await conversation.send("MAIL FROM:<reporter@outside.test>");
      const reply = await conversation.send(`RCPT TO:<nobody-here@${SCENARIO.domain}>`);
      expect(reply.code, reply.text).toBe(550);
      expect(reply.text).toMatch(/User unknown in virtual mailbox table/);
    } finally {
      conversation.close();
    }
  });
});
