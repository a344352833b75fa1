/**
 * Issue 3: the generated docker-mailserver configuration, run by the real daemons on loopback. One system is
 * started for the file (from the files the program hands the container) and every scenario talks real SMTP
 * and IMAP to it. Failed logins are kept out of this file (Dovecot's auth penalty would slow later logins).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "mailauth";
import { daemonsRunnable } from "./harness/daemons-available";
import { LoopbackStack, SCENARIO, startLoopbackStack } from "./harness/loopback-stack";
import { inboxSources, marker, openImap, sendMail, waitForInbox } from "./harness/mail-clients";
import { AMAZONSES_SPF_STAND_IN, plannedResolver, txtStrings } from "./harness/planned-dns";
import { SmtpConversation } from "./harness/smtp-conversation";

const { hi, alice } = SCENARIO.accounts;
/** Plays a client on the internet: outside `mynetworks = 127.0.0.1/32`. */
const OUTSIDE = "127.0.0.2";
/** Stack config `passwords`, keyed by local part. */
const PASSWORDS = { hi: "hi-Loopback-1", alice: "alice-Loopback-1", bob: "bob-Loopback-1" };

describe.skipIf(!daemonsRunnable())("generated mail server on real daemons", () => {
  let stack: LoopbackStack;
  const pw = (address: string) => stack.passwords[address];

  beforeAll(async () => {
    stack = await startLoopbackStack(PASSWORDS);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** An unauthenticated SMTP session on the 25-equivalent port from an outside address, up to MAIL FROM. */
  async function outsideSession(from = "someone@outside.test"): Promise<SmtpConversation> {
    const { conversation, greeting } = await SmtpConversation.open(stack.ports.smtp, OUTSIDE);
    expect(greeting.code).toBe(220);
    expect((await conversation.send("EHLO client.outside.test")).code).toBe(250);
    expect((await conversation.send(`MAIL FROM:<${from}>`)).code).toBe(250);
    return conversation;
  }

  it("1. inbound mail to an account lands in its mailbox, read over IMAPS with the generated password", async () => {
    const id = marker("inbound");
    await sendMail(
      stack.system,
      "smtp",
      { from: "someone@outside.test", to: alice, subject: id, text: "hello" },
      undefined,
      OUTSIDE,
    );
    const [message] = await waitForInbox(stack.system, alice, pw(alice), id);
    expect(message).toContain(`Subject: ${id}`);

    const imap = await openImap(stack.system, alice, pw(alice));
    try {
      // The session ran over TLS on the 993-equivalent port, with the cert checked against the hostname.
      expect(imap.secureConnection).toBe(true);
    } finally {
      await imap.logout();
    }
  });

  it("2. catch-all takes unknown addresses, accounts keep their mail, aliases fan out, hi+tag reaches hi", async () => {
    const unknown = marker("unknown");
    const own = marker("own");
    const alias = marker("alias");
    const tagged = marker("tagged");
    const send = (to: string, subject: string) =>
      sendMail(stack.system, "smtp", { from: "someone@outside.test", to, subject, text: subject }, undefined, OUTSIDE);
    await send(`nobody-here@${SCENARIO.domain}`, unknown);
    await send(alice, own);
    await send(SCENARIO.alias.address, alias);
    await send(hi.replace("@", "+shop@"), tagged);

    await waitForInbox(stack.system, SCENARIO.catchAllTarget, pw(SCENARIO.catchAllTarget), unknown);
    await waitForInbox(stack.system, alice, pw(alice), own);
    for (const target of SCENARIO.alias.targets) await waitForInbox(stack.system, target, pw(target), alias);
    await waitForInbox(stack.system, hi, pw(hi), tagged);
    // The account's own mail was not swallowed by the catch-all.
    const catchAllInbox = await inboxSources(stack.system, SCENARIO.catchAllTarget, pw(SCENARIO.catchAllTarget));
    expect(catchAllInbox.some((m) => m.includes(own))).toBe(false);
  });

  it("3. a blocked address is refused with 5xx at RCPT and nothing is stored", async () => {
    // One transaction to blocked@ and alice@: blocked@ is refused, the message still goes to alice, and the
    // catch-all (which would otherwise take blocked@) never sees it.
    const id = marker("blocked");
    const smtp = await outsideSession();
    try {
      const refused = await smtp.send(`RCPT TO:<${SCENARIO.blocked}>`);
      expect(refused.code, refused.text).toBeGreaterThanOrEqual(500);
      expect(refused.code, refused.text).toBeLessThan(600);
      expect((await smtp.send(`RCPT TO:<${alice}>`)).code).toBe(250);
      expect((await smtp.send("DATA")).code).toBe(354);
      const body = [
        `From: someone@outside.test`,
        `To: ${SCENARIO.blocked}, ${alice}`,
        `Subject: ${id}`,
        "",
        "blocked test",
        ".",
      ].join("\r\n");
      expect((await smtp.send(body)).code).toBe(250);
    } finally {
      smtp.close();
    }
    await waitForInbox(stack.system, alice, pw(alice), id);
    const catchAllInbox = await inboxSources(stack.system, SCENARIO.catchAllTarget, pw(SCENARIO.catchAllTarget));
    expect(catchAllInbox.some((m) => m.includes(id))).toBe(false);
  });

  it("4. no open relay: an outside client cannot send to another domain through port 25", async () => {
    const before = stack.relay.messages.length;
    const smtp = await outsideSession();
    try {
      const rcpt = await smtp.send("RCPT TO:<victim@elsewhere.test>");
      // docker-mailserver's smtpd_relay_restrictions end in defer_unauth_destination: 454, not 5xx.
      expect(rcpt.code, rcpt.text).toBe(454);
      expect(rcpt.text).toMatch(/Relay access denied/);
    } finally {
      smtp.close();
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.relay.messages.slice(before).some((m) => m.rcptTo.includes("victim@elsewhere.test"))).toBe(false);
  });

  it("5. submission: no AUTH before STARTTLS on 587; authenticated mail on 587 and 465 goes out via the relay over TLS with the configured credentials", async () => {
    const { conversation, greeting } = await SmtpConversation.open(stack.ports.submission);
    try {
      expect(greeting.code).toBe(220);
      const ehlo = await conversation.send("EHLO client.loopback.test");
      expect(ehlo.text).toMatch(/STARTTLS/);
      expect(ehlo.text).not.toMatch(/AUTH/);
      const auth = await conversation.send(`AUTH PLAIN ${Buffer.from(`\0${alice}\0${pw(alice)}`).toString("base64")}`);
      expect(auth.code).toBeGreaterThanOrEqual(500);
    } finally {
      conversation.close();
    }

    for (const entry of ["submission", "submissions"] as const) {
      const id = marker(entry);
      const to = `friend-${entry}@elsewhere.test`;
      await sendMail(
        stack.system,
        entry,
        { from: alice, to, subject: id, text: `sent via ${entry}` },
        { user: alice, pass: pw(alice) },
      );
      const relayed = await stack.relay.waitFor((m) => m.raw.toString("utf8").includes(id));
      expect(relayed.rcptTo).toEqual([to]);
      expect(relayed.mailFrom).toBe(alice);
      expect(relayed.startTls).toBe(true);
      expect(relayed.authedOverTls).toBe(true);
      expect(relayed.auth).toEqual({ username: SCENARIO.relay.username, password: SCENARIO.relay.password });
    }
  });

  it("6. relayed mail carries our DKIM signature; DKIM, SPF (relay return path) and DMARC pass against the planned records", async () => {
    const id = marker("dkim");
    await sendMail(
      stack.system,
      "submission",
      { from: alice, to: "reader@elsewhere.test", subject: id, text: "signed" },
      { user: alice, pass: pw(alice) },
    );
    const relayed = await stack.relay.waitFor((m) => m.raw.toString("utf8").includes(id));

    const dkimRecord = stack.dnsRecords.find(
      (r) => r.type === "TXT" && r.name.endsWith(`._domainkey.${SCENARIO.domain}`) && !r.name.startsWith("resend."),
    );
    expect(dkimRecord, "planned DKIM record").toBeDefined();
    const selector = dkimRecord!.name.split("._domainkey.")[0];
    // Resend sends with its own return path (send.<domain>), whose SPF includes amazonses.com.
    const returnPathSpf = stack.dnsRecords.find(
      (r) => r.type === "TXT" && txtStrings(r.content).join("").includes("include:amazonses.com"),
    );
    expect(returnPathSpf, "planned SPF record for the relay's return path").toBeDefined();

    const result = await authenticate(relayed.raw, {
      resolver: plannedResolver(stack.dnsRecords, [AMAZONSES_SPF_STAND_IN]),
      sender: `bounces@${returnPathSpf!.name}`,
      ip: "127.0.0.1",
      helo: "relay.loopback.test",
      mta: "receiver.loopback.test",
      disableArc: true,
      disableBimi: true,
    });

    expect(relayed.raw.toString("utf8")).toMatch(
      new RegExp(`^DKIM-Signature:[^]*?d=${SCENARIO.domain.replace(".", "\\.")};[^]*?s=${selector};`, "m"),
    );
    const ours = result.dkim.results.find((r: any) => r.signingDomain === SCENARIO.domain && r.selector === selector);
    expect(
      ours,
      `DKIM signature d=${SCENARIO.domain} s=${selector}: ${JSON.stringify(result.dkim.results.map((r: any) => r.info))}`,
    ).toBeDefined();
    expect(ours!.status.result).toBe("pass");
    expect(result.spf && result.spf.status.result).toBe("pass");
    expect(result.dmarc && result.dmarc.status.result).toBe("pass");
  });
});
