/**
 * The queue-ID join on tricky lines, in Postfix 3.7's formats as docker-mailserver logs them (the shapes of the
 * real log in test/addresses/real-log.test.ts; the bounce, expiry and content-filter lines follow Postfix's
 * lmtp/smtp, qmgr and DMS's amavis wiring, which the harness does not run).
 */
import { describe, expect, it } from "vitest";
import { parsePostfixMessage, reinjectedQueueId } from "../../../addresses/log/postfix-events";
import { parseSyslogLine } from "../../../addresses/log/syslog-line";
import { LogTally } from "../../../addresses/log/tally";
import { senderDomainOf } from "../../../addresses/senders";

const NOW = Date.parse("2025-04-01T00:00:00Z");
const LMTP = "relay=mail.example.org[/var/run/dovecot/lmtp], delay=0.07, delays=0.05/0/0/0.01";

/** Lines `HH:MM:SS program: message` on 2025-03-01, as mail.log writes them. */
function tallyOf(lines: string[]): LogTally {
  const tally = new LogTally((a) => a.endsWith("@example.org"), senderDomainOf);
  for (const l of lines) {
    const [time, program, ...rest] = l.split(" ");
    const line = parseSyslogLine(`2025-03-01T${time}.000000+00:00 mail ${program}[42]: ${rest.join(" ")}`, NOW);
    if (!line) throw new Error(`test line does not parse: ${l}`);
    tally.add(line);
  }
  tally.finish();
  return tally;
}

const counts = (tally: LogTally, address: string) => {
  const t = tally.addresses.get(address);
  if (!t) throw new Error(`no tally for ${address}: ${[...tally.addresses.keys()].join(", ")}`);
  return {
    delivered: t.delivered,
    bounced: t.bounced,
    deferred: t.deferred,
    refused: t.refused,
    deliveredTo: [...t.deliveredTo],
    senders: Object.fromEntries([...t.senders].map(([d, s]) => [d, s.messages + s.refused])),
  };
};

describe("parsePostfixMessage", () => {
  it("reads from=, deliveries with and without orig_to, removed and both reject shapes", () => {
    expect(parsePostfixMessage("4F2A1C0D3: from=<Noreply@Bilibili.com>, size=812, nrcpt=2 (queue active)")).toEqual({
      type: "from",
      queueId: "4F2A1C0D3",
      from: "noreply@bilibili.com",
    });
    expect(
      parsePostfixMessage(
        `4F2A1C0D3: to=<hi@example.org>, orig_to=<Bilibili@example.org>, ${LMTP}, dsn=2.0.0, status=sent (250 2.0.0 <hi@example.org> x Saved)`,
      ),
    ).toMatchObject({ type: "delivery", to: "hi@example.org", origTo: "bilibili@example.org", status: "sent" });
    expect(
      parsePostfixMessage(`4F2A1C0D3: to=<alice@example.org>, ${LMTP}, dsn=2.0.0, status=sent (250 2.0.0 Saved)`),
    ).toMatchObject({ type: "delivery", to: "alice@example.org", origTo: undefined });
    // Long queue IDs (enable_long_queue_ids = yes).
    expect(parsePostfixMessage("4ZxY3b1Qp5z9vKm: removed")).toEqual({ type: "removed", queueId: "4ZxY3b1Qp5z9vKm" });
    expect(
      parsePostfixMessage(
        "NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 554 5.7.1 <blocked@example.org>: Recipient address rejected: Access denied; from=<spam@spam.example> to=<blocked@example.org> proto=ESMTP helo=<x>",
      ),
    ).toEqual({
      type: "reject",
      queueId: undefined,
      stage: "RCPT",
      reply: "554 5.7.1 <blocked@example.org>: Recipient address rejected: Access denied",
      from: "spam@spam.example",
      to: "blocked@example.org",
    });
    expect(
      parsePostfixMessage(
        "5EE91214486: milter-reject: END-OF-MESSAGE from unknown[192.0.2.7]: 5.7.1 Gtube pattern; from=<a@b.example> to=<shop@example.org> proto=ESMTP helo=<x>",
      ),
    ).toMatchObject({ type: "reject", queueId: "5EE91214486", stage: "END-OF-MESSAGE", to: "shop@example.org" });
    for (const other of [
      "connect from unknown[192.0.2.7]",
      "4F2A1C0D3: client=unknown[192.0.2.7]",
      "4F2A1C0D3: message-id=<x@y>",
      "NOQUEUE: from=<a@b>, size=1",
      "4F2A1C0D3: reject_warning: RCPT from x: 450 y; from=<a@b> to=<c@d>",
    ])
      expect(parsePostfixMessage(other)).toBeUndefined();
  });

  it("recognises a content filter's re-injection (amavis on loopback), not a relay's reply", () => {
    expect(
      reinjectedQueueId({
        relay: "127.0.0.1[127.0.0.1]:10024",
        detail: "250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 6E7F809102",
      }),
    ).toBe("6E7F809102");
    expect(reinjectedQueueId({ relay: "localhost[::1]:10024", detail: "250 2.0.0 Ok: queued as 6E7F809102" })).toBe(
      "6E7F809102",
    );
    expect(
      reinjectedQueueId({ relay: "smtp.resend.com[203.0.113.9]:587", detail: "250 2.0.0 Ok: queued as ABC" }),
    ).toBeUndefined();
  });
});

describe("LogTally", () => {
  it("counts a multi-recipient message once per address, an alias once with every target", () => {
    const t = tallyOf([
      "08:00:01 postfix/qmgr A1B2C3D4E5: from=<noreply@steampowered.com>, size=900, nrcpt=3 (queue active)",
      `08:00:02 postfix/lmtp A1B2C3D4E5: to=<hi@example.org>, orig_to=<steam@example.org>, ${LMTP}, dsn=2.0.0, status=sent (250 2.0.0 ok)`,
      `08:00:02 postfix/lmtp A1B2C3D4E5: to=<alice@example.org>, orig_to=<team@example.org>, ${LMTP}, dsn=2.0.0, status=sent (250 2.0.0 ok)`,
      `08:00:02 postfix/lmtp A1B2C3D4E5: to=<bob@example.org>, orig_to=<team@example.org>, ${LMTP}, dsn=2.0.0, status=sent (250 2.0.0 ok)`,
      "08:00:02 postfix/qmgr A1B2C3D4E5: removed",
    ]);
    expect(counts(t, "steam@example.org")).toMatchObject({ delivered: 1, deliveredTo: ["hi@example.org"] });
    expect(counts(t, "team@example.org")).toMatchObject({
      delivered: 1,
      deliveredTo: ["alice@example.org", "bob@example.org"],
      senders: { "steampowered.com": 1 },
    });
    expect([...t.addresses.keys()].sort()).toEqual(["steam@example.org", "team@example.org"]);
  });

  it("counts deferred-then-sent once as delivered; still deferred at the end of the log as deferred", () => {
    const t = tallyOf([
      "08:00:01 postfix/qmgr B1B2C3D4E5: from=<late@outside.example>, size=500, nrcpt=1 (queue active)",
      "08:00:02 postfix/lmtp B1B2C3D4E5: to=<alice@example.org>, relay=none, delay=0.05, delays=0.05/0.01/0/0, dsn=4.4.1, status=deferred (connect to mail.example.org[/var/run/dovecot/lmtp]: Connection refused)",
      "08:05:01 postfix/qmgr B1B2C3D4E5: from=<late@outside.example>, size=500, nrcpt=1 (queue active)",
      `08:05:02 postfix/lmtp B1B2C3D4E5: to=<alice@example.org>, ${LMTP}, dsn=2.0.0, status=sent (250 2.0.0 ok)`,
      "08:05:02 postfix/qmgr B1B2C3D4E5: removed",
      "08:06:01 postfix/qmgr C1B2C3D4E5: from=<later@outside.example>, size=500, nrcpt=1 (queue active)",
      "08:06:02 postfix/lmtp C1B2C3D4E5: to=<alice@example.org>, relay=none, delay=0.05, delays=0.05/0.01/0/0, dsn=4.4.1, status=deferred (connect to mail.example.org[/var/run/dovecot/lmtp]: Connection refused)",
    ]);
    expect(counts(t, "alice@example.org")).toMatchObject({ delivered: 1, deferred: 1, bounced: 0 });
    expect(t.addresses.get("alice@example.org")!.last).toBe(Date.parse("2025-03-01T08:06:02Z"));
  });

  it("counts bounces, and an expired message's undelivered recipients as bounced", () => {
    const t = tallyOf([
      "09:00:00 postfix/qmgr D1B2C3D4E5: from=<a@shop.example>, size=500, nrcpt=1 (queue active)",
      "09:00:01 postfix/lmtp D1B2C3D4E5: to=<ghost@example.org>, relay=mail.example.org[/var/run/dovecot/lmtp], delay=0.02, delays=0.01/0/0/0.01, dsn=5.1.1, status=bounced (host mail.example.org[/var/run/dovecot/lmtp] said: 550 5.1.1 <ghost@example.org> User doesn't exist: ghost@example.org (in reply to RCPT TO command))",
      "09:00:01 postfix/bounce D1B2C3D4E5: sender non-delivery notification: E1B2C3D4E5",
      "09:00:01 postfix/qmgr D1B2C3D4E5: removed",
      "09:10:00 postfix/qmgr F1B2C3D4E5: from=<b@shop.example>, size=500, nrcpt=1 (queue active)",
      "09:10:01 postfix/lmtp F1B2C3D4E5: to=<ghost@example.org>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (connect to mail.example.org[/var/run/dovecot/lmtp]: Connection refused)",
      "09:20:00 postfix/qmgr F1B2C3D4E5: from=<b@shop.example>, status=expired, returned to sender",
      "09:20:00 postfix/qmgr F1B2C3D4E5: removed",
    ]);
    expect(counts(t, "ghost@example.org")).toMatchObject({ delivered: 0, bounced: 2, deferred: 0 });
  });

  it("keys mail without orig_to by to=, decodes SRS and keeps IDN senders in punycode; the null sender is ''", () => {
    const t = tallyOf([
      "10:00:00 postfix/qmgr AA1B2C3D4E: from=<info@xn--bcher-kva.example>, size=1, nrcpt=1 (queue active)",
      `10:00:01 postfix/lmtp AA1B2C3D4E: to=<hi+news@example.org>, ${LMTP}, dsn=2.0.0, status=sent (250 ok)`,
      "10:00:01 postfix/qmgr AA1B2C3D4E: removed",
      "10:01:00 postfix/qmgr AB1B2C3D4E: from=<SRS0=HHH=TT=shop.example=alice@forwarder.example>, size=1, nrcpt=1 (queue active)",
      `10:01:01 postfix/lmtp AB1B2C3D4E: to=<hi+news@example.org>, ${LMTP}, dsn=2.0.0, status=sent (250 ok)`,
      "10:01:01 postfix/qmgr AB1B2C3D4E: removed",
      "10:02:00 postfix/qmgr AC1B2C3D4E: from=<>, size=1, nrcpt=1 (queue active)",
      `10:02:01 postfix/lmtp AC1B2C3D4E: to=<hi+news@example.org>, ${LMTP}, dsn=2.0.0, status=sent (250 ok)`,
      "10:02:01 postfix/qmgr AC1B2C3D4E: removed",
    ]);
    expect(counts(t, "hi+news@example.org")).toMatchObject({
      delivered: 3,
      senders: { "xn--bcher-kva.example": 1, "shop.example": 1, "": 1 },
    });
  });

  it("follows a message through amavis's re-injection: counted once, for the address the sender used", () => {
    const t = tallyOf([
      "11:00:00 postfix/qmgr 5D6E7F8091: from=<promo@spam.example>, size=900, nrcpt=1 (queue active)",
      "11:00:01 postfix/smtp-amavis 5D6E7F8091: to=<hi@example.org>, orig_to=<bilibili@example.org>, relay=127.0.0.1[127.0.0.1]:10024, delay=0.5, delays=0.1/0/0/0.4, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 6E7F809102)",
      "11:00:01 postfix/smtpd-amavis 6E7F809102: client=localhost[127.0.0.1]",
      "11:00:01 postfix/qmgr 5D6E7F8091: removed",
      "11:00:01 postfix/qmgr 6E7F809102: from=<promo@spam.example>, size=1200, nrcpt=1 (queue active)",
      `11:00:02 postfix/lmtp 6E7F809102: to=<hi@example.org>, ${LMTP}, dsn=2.0.0, status=sent (250 2.0.0 ok)`,
      "11:00:02 postfix/qmgr 6E7F809102: removed",
    ]);
    expect([...t.addresses.keys()]).toEqual(["bilibili@example.org"]);
    expect(counts(t, "bilibili@example.org")).toMatchObject({
      delivered: 1,
      deliveredTo: ["hi@example.org"],
      senders: { "spam.example": 1 },
    });
  });

  it("counts refusals (NOQUEUE and inside a transaction) with their reason; ignores mail to other domains", () => {
    const t = tallyOf([
      "12:00:00 postfix/smtpd NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 554 5.7.1 <blocked@example.org>: Recipient address rejected: Access denied; from=<spam@spam.example> to=<blocked@example.org> proto=ESMTP helo=<x>",
      "12:00:05 postfix/smtpd 5EE9121448: reject: RCPT from unknown[192.0.2.7]: 554 5.7.1 <blocked@example.org>: Recipient address rejected: Access denied; from=<spam@spam.example> to=<blocked@example.org> proto=ESMTP helo=<x>",
      "12:00:06 postfix/smtpd NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 454 4.7.1 <victim@elsewhere.example>: Relay access denied; from=<spam@spam.example> to=<victim@elsewhere.example> proto=ESMTP helo=<x>",
      "12:01:00 postfix/qmgr 7A7A7A7A7A: from=<alice@example.org>, size=1, nrcpt=1 (queue active)",
      "12:01:01 postfix/smtp 7A7A7A7A7A: to=<friend@elsewhere.example>, relay=smtp.resend.com[203.0.113.9]:587, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 Ok: queued as ABC)",
      "12:01:01 postfix/qmgr 7A7A7A7A7A: removed",
    ]);
    expect(counts(t, "blocked@example.org")).toMatchObject({
      refused: 2,
      delivered: 0,
      senders: { "spam.example": 2 },
    });
    expect([...t.addresses.get("blocked@example.org")!.refusals]).toEqual([
      ["554 5.7.1 Recipient address rejected: Access denied", 2],
    ]);
    expect([...t.addresses.keys()]).toEqual(["blocked@example.org"]);
  });

  it("a delivery whose from= line came before the log starts has an unknown sender", () => {
    const t = tallyOf([
      `13:00:00 postfix/lmtp 8B8B8B8B8B: to=<alice@example.org>, ${LMTP}, dsn=2.0.0, status=sent (250 ok)`,
      "13:00:00 postfix/qmgr 8B8B8B8B8B: removed",
    ]);
    expect(counts(t, "alice@example.org")).toMatchObject({ delivered: 1, senders: { "?": 1 } });
  });
});
