/**
 * Issue 9: the spam filter as deployed by default (spam.filter rspamd, blocklists on, learning on), run by the
 * real daemons: Rspamd 3.4 with docker-mailserver 15.1.0's own configuration, its Redis, postscreen with DMS's
 * blocklists, Dovecot's Sieve filing into Junk and IMAPSieve training. Every name the daemons look up is
 * answered by the test's DNS server (the planned records plus the senders below); the internet hosts are
 * played on loopback (harness/internet-client.ts).
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "mailauth";
import { ZoneRecord } from "../support/dns-server";
import { daemonsRunnable } from "./harness/daemons-available";
import { InternetHost, RawMessage, sendFromInternet, wellConfiguredSender } from "./harness/internet-client";
import { LoopbackStack, SCENARIO, startLoopbackStack } from "./harness/loopback-stack";
import { mailboxSources, marker, openImap, sendMail, waitForInbox, waitForMailbox } from "./harness/mail-clients";
import { AMAZONSES_SPF_STAND_IN, plannedResolver, txtStrings } from "./harness/planned-dns";
import { SmtpConversation } from "./harness/smtp-conversation";

const { alice, bob } = SCENARIO.accounts;
const PASSWORDS = { hi: "hi-Spam-Loopback-1", alice: "alice-Spam-Loopback-1", bob: "bob-Spam-Loopback-1" };
/** GTUBE, the standard anti-spam test string every filter refuses. */
const GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

/** Where the internet hosts connect from: postscreen sees this address (not on any blocklist, not mynetworks). */
const LOOPBACK_SOURCE = "127.0.0.10";
/** RFC 5782's test point, listed by every IPv4 DNSBL: 127.0.0.2 (here only in zen.spamhaus.org, weight 3). */
const LISTED = "127.0.0.2";

/** A friend's mail server: forward-confirmed reverse DNS, SPF, DKIM and DMARC (p=reject) for sender.example.net. */
const {
  host: FRIEND,
  dkim: FRIEND_DKIM,
  zone: FRIEND_ZONE,
} = wellConfiguredSender("sender.example.net", "198.51.100.10", LOOPBACK_SOURCE);
/** A bulk sender on an address without reverse DNS: SPF passes for its domain, nothing else vouches for it. */
const BULK: InternetHost = { loopback: LOOPBACK_SOURCE, address: "198.51.100.20", helo: "mailout.offers.example.com" };
/** A server with proper DNS of its own that sends in other domains' names. */
const FORGER: InternetHost = { loopback: LOOPBACK_SOURCE, address: "198.51.100.30", helo: "mx.forger.example.com" };

/** A user's laptop on a home connection: no reverse DNS, a bare HELO name, a dynamic (PBL-listed) address. */
const HOME: InternetHost = { loopback: LOOPBACK_SOURCE, address: "198.51.100.99", helo: "laptop" };

const a = (name: string, data: string): ZoneRecord => ({ name, type: "A", data });
const txt = (name: string, value: string): ZoneRecord => ({ name, type: "TXT", data: [value] });
const reversed = (address: string) => address.split(".").reverse().join(".");
const ptr = (address: string, name: string): ZoneRecord => ({
  name: `${reversed(address)}.in-addr.arpa`,
  type: "PTR",
  data: name,
});
const mx = (name: string, exchange: string): ZoneRecord => ({ name, type: "MX", data: { preference: 10, exchange } });

/** The internet as far as this test is concerned. */
const ZONE: ZoneRecord[] = [
  ...FRIEND_ZONE,
  // offers.example.com: its mail host has no PTR record.
  a(BULK.helo, BULK.address),
  mx("offers.example.com", BULK.helo),
  txt("offers.example.com", `v=spf1 ip4:${BULK.address} -all`),
  // forger.example.com is in order; shop.example.net asks for quarantine (another organizational domain than
  // forger.example.com, so DMARC's relaxed alignment cannot join them), legacy.example.com has SPF only.
  ptr(FORGER.address, FORGER.helo),
  a(FORGER.helo, FORGER.address),
  mx("forger.example.com", FORGER.helo),
  txt("forger.example.com", `v=spf1 ip4:${FORGER.address} -all`),
  mx("shop.example.net", "mx.shop.example.net"),
  a("mx.shop.example.net", "198.51.100.40"),
  txt("shop.example.net", "v=spf1 ip4:198.51.100.40 -all"),
  txt("_dmarc.shop.example.net", "v=DMARC1; p=quarantine"),
  mx("legacy.example.com", "mx.legacy.example.com"),
  a("mx.legacy.example.com", "198.51.100.50"),
  txt("legacy.example.com", "v=spf1 ip4:198.51.100.50 -all"),
  // zen.spamhaus.org lists the test point as an exploited host (XBL, 127.0.0.4), and the home connection as a
  // dynamic address that should not send mail directly (PBL, 127.0.0.11).
  a(`${reversed(LISTED)}.zen.spamhaus.org`, "127.0.0.4"),
  a(`${reversed(HOME.address)}.zen.spamhaus.org`, "127.0.0.11"),
];

/** A plain-text message with the headers a real mail program writes. */
function message(o: {
  from: string;
  headerFrom?: string;
  to: string;
  subject: string;
  body: string;
  messageId?: string;
}): RawMessage {
  const domain = o.from.split("@")[1];
  return {
    from: o.from,
    to: [o.to],
    headers: [
      `From: ${o.headerFrom ?? o.from}`,
      `To: ${o.to}`,
      `Subject: ${o.subject}`,
      `Date: ${new Date().toUTCString().replace("GMT", "+0000")}`,
      `Message-ID: <${o.messageId ?? `${marker("mid")}@${domain}`}>`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
    ],
    body: `${o.body}\r\n`,
  };
}

const LETTER =
  "Hi Alice,\r\nare we still on for lunch on Friday? I found a nice place near the station that opens at noon.\r\n" +
  "Let me know if that works for you, otherwise Monday is fine too.\r\nCheers,\r\nSam";

/** Rspamd's verdict as milter_headers writes it: `X-Spamd-Result: default: False [-2.10 / 11.00]; SYMBOL(score)[…]…`. */
function spamdResult(source: string): { score: number; symbols: string[] } {
  const header = /^X-Spamd-Result: ([^]*?)\r\n(?![ \t])/m.exec(source)?.[1];
  if (!header) throw new Error(`no X-Spamd-Result header in:\n${source.split("\r\n\r\n")[0]}`);
  const score = /\[(-?[\d.]+) \/ [\d.]+\]/.exec(header)?.[1];
  return { score: Number(score), symbols: [...header.matchAll(/([A-Z0-9_]+)\(-?[\d.]+\)/g)].map((m) => m[1]) };
}

describe.skipIf(!daemonsRunnable())("spam filtering (Rspamd, postscreen, Sieve) on real daemons", () => {
  let stack: LoopbackStack;
  const pw = (address: string) => stack.passwords[address];
  const send = (host: InternetHost, m: RawMessage) => sendFromInternet(stack.system, stack.dns!, host, m);
  /** Rspamd's recent verdicts, as its web interface shows them (controller `/history`, kept in Redis). */
  const rspamdHistory = async () => {
    const body = (await (await fetch(`http://${stack.system.rspamdController}/history`)).json()) as {
      rows: { "message-id"?: string; action: string; score: number; symbols: Record<string, unknown> }[];
    };
    return body.rows;
  };

  beforeAll(async () => {
    // No `spam` key: the program's defaults.
    stack = await startLoopbackStack(PASSWORDS, { spam: undefined }, { zone: ZONE });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("runs Rspamd instead of OpenDKIM/OpenDMARC/policyd-spf, with learning, blocklists and Junk filing on", () => {
    const env = stack.files.env;
    expect(env).toMatchObject({
      ENABLE_RSPAMD: "1",
      ENABLE_RSPAMD_REDIS: "1",
      RSPAMD_LEARN: "1",
      RSPAMD_GREYLISTING: "0",
      ENABLE_DNSBL: "1",
      MOVE_SPAM_TO_JUNK: "1",
      ENABLE_OPENDKIM: "0",
      ENABLE_OPENDMARC: "0",
      ENABLE_POLICYD_SPF: "0",
    });
    expect(stack.files.openDkim).toBeUndefined();
    expect(stack.system.rspamdProcess?.exitCode).toBeNull();
  });

  it("delivers clean mail from an outside sender to INBOX, scored well below the Junk threshold", async () => {
    const id = marker("clean");
    const m = {
      ...message({ from: "sam@sender.example.net", to: alice, subject: `Lunch on Friday ${id}`, body: LETTER }),
      dkim: FRIEND_DKIM,
    };
    const { reply, transcript } = await send(FRIEND, m);
    expect(reply.code, transcript.join("\n")).toBe(250);
    const [delivered] = await waitForInbox(stack.system, alice, pw(alice), id);
    const verdict = spamdResult(delivered);
    expect(verdict.score).toBeLessThan(6);
    expect(verdict.symbols).toEqual(expect.arrayContaining(["R_SPF_ALLOW", "R_DKIM_ALLOW", "DMARC_POLICY_ALLOW"]));
    expect(delivered).not.toMatch(/^X-Spam: Yes/m);
    expect((await mailboxSources(stack.system, alice, pw(alice), "Junk")).some((s) => s.includes(id))).toBe(false);
  });

  it("refuses a message carrying GTUBE at SMTP time with 5xx, and stores nothing", async () => {
    const id = marker("gtube");
    const spam = message({ from: "sam@sender.example.net", to: `promo@${SCENARIO.domain}`, subject: id, body: GTUBE });
    const { reply, transcript } = await send(FRIEND, { ...spam, dkim: FRIEND_DKIM });
    expect(reply.code, transcript.join("\n")).toBe(554);
    expect(reply.text).toMatch(/5\.7\.1 Gtube pattern/);
    // A clean message to the same catch-all address afterwards arrives; the refused one never does.
    const after = marker("after-gtube");
    const clean = message({
      from: "sam@sender.example.net",
      to: `promo@${SCENARIO.domain}`,
      subject: after,
      body: LETTER,
    });
    expect((await send(FRIEND, { ...clean, dkim: FRIEND_DKIM })).reply.code).toBe(250);
    await waitForInbox(stack.system, SCENARIO.catchAllTarget, pw(SCENARIO.catchAllTarget), after);
    for (const box of ["INBOX", "Junk"])
      expect(
        (await mailboxSources(stack.system, SCENARIO.catchAllTarget, pw(SCENARIO.catchAllTarget), box)).some((s) =>
          s.includes(id),
        ),
      ).toBe(false);
  });

  it("files probable spam (over the add-header score, under the reject score) into Junk, not INBOX", async () => {
    const id = marker("probable");
    const m = message({
      from: "deals@offers.example.com",
      headerFrom: "Deals <deals@offers.example.com>",
      to: `shopping@${SCENARIO.domain}`,
      subject: `Last chance: your exclusive offer ${id}`,
      body: "Dear customer,\r\nyour exclusive discount expires tonight. Reply to claim it.\r\nThe Offers Team",
    });
    const { reply, transcript } = await send(BULK, m);
    expect(reply.code, transcript.join("\n")).toBe(250);
    const [junk] = await waitForMailbox(stack.system, SCENARIO.catchAllTarget, pw(SCENARIO.catchAllTarget), "Junk", id);
    const verdict = spamdResult(junk);
    expect(verdict.score).toBeGreaterThanOrEqual(6);
    expect(verdict.score).toBeLessThan(11);
    expect(verdict.symbols).toContain("HFILTER_HOSTNAME_UNKNOWN");
    expect(junk).toMatch(/^X-Spam: Yes/m);
    const inbox = await mailboxSources(stack.system, SCENARIO.catchAllTarget, pw(SCENARIO.catchAllTarget), "INBOX");
    expect(inbox.some((s) => s.includes(id))).toBe(false);
  });

  it("refuses a client listed on a DNS blocklist at RCPT time (postscreen), after asking the test's DNS server", async () => {
    const { conversation, greeting } = await SmtpConversation.open(stack.ports.smtp, LISTED);
    try {
      expect(greeting.code).toBe(220);
      expect((await conversation.send("EHLO bot.example.net")).code).toBe(250);
      expect((await conversation.send("MAIL FROM:<bot@example.net>")).code).toBe(250);
      const rcpt = await conversation.send(`RCPT TO:<${bob}>`);
      expect(rcpt.code, rcpt.text).toBe(550);
      expect(rcpt.text).toMatch(
        /5\.7\.1 Service unavailable; client \[127\.0\.0\.2\] blocked using zen\.spamhaus\.org/,
      );
      expect((await conversation.send("DATA")).code).toBeGreaterThanOrEqual(500);
    } finally {
      conversation.close();
    }
    expect(stack.dns!.questions).toContain("A 2.0.0.127.zen.spamhaus.org");
    expect(await mailboxSources(stack.system, bob, pw(bob), "INBOX")).toEqual([]);
  });

  it("keeps SPF and DMARC meaning what they did: p=reject and SPF fail refused, p=quarantine into Junk", async () => {
    // In sender.example.net's name from a host its SPF does not list, unsigned: DMARC p=reject fails.
    const dmarcReject = await send(
      FORGER,
      message({ from: "sam@sender.example.net", to: alice, subject: marker("forged"), body: LETTER }),
    );
    expect(dmarcReject.reply.code, dmarcReject.transcript.join("\n")).toBe(554);
    // legacy.example.com publishes SPF -all and no DMARC: policyd-spf's refusal, kept.
    const spfFail = await send(
      FORGER,
      message({ from: "billing@legacy.example.com", to: alice, subject: marker("spf-fail"), body: LETTER }),
    );
    expect(spfFail.reply.code, spfFail.transcript.join("\n")).toBe(554);
    expect(spfFail.reply.text).toMatch(/SPF: the sender domain does not allow this host to send its mail/);
    // shop.example.net's From with forger.example.com's (passing, unaligned) envelope: DMARC p=quarantine fails.
    const id = marker("quarantine");
    const quarantined = await send(
      FORGER,
      message({
        from: "bounce@forger.example.com",
        headerFrom: "news@shop.example.net",
        to: alice,
        subject: id,
        body: LETTER,
      }),
    );
    expect(quarantined.reply.code, quarantined.transcript.join("\n")).toBe(250);
    const [junk] = await waitForMailbox(stack.system, alice, pw(alice), "Junk", id);
    expect(spamdResult(junk).symbols).toContain("DMARC_POLICY_QUARANTINE");
  });

  it("trains Rspamd when a message is moved into Junk over IMAP, and back into INBOX", async () => {
    // Rspamd keeps its Bayes statistics in Redis; the hash RS counts the messages learned as spam and as ham.
    const learned = () => {
      const count = (field: string) =>
        Number(
          execFileSync("/usr/bin/redis-cli", ["-p", String(stack.ports.redis), "HGET", "RS", field], {
            encoding: "utf8",
          }).trim() || 0,
        );
      return { spam: count("learns_spam"), ham: count("learns_ham") };
    };
    const waitFor = async (check: (s: ReturnType<typeof learned>) => boolean, what: string) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const now = learned();
        if (check(now)) return now;
        if (Date.now() > deadline)
          throw new Error(`Rspamd never ${what}: ${JSON.stringify(now)}\n${stack.system.logs()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };

    const id = marker("train");
    const body = `${LETTER}\r\nP.S. ${"The menu changes every week, they have soup, salads and pasta. ".repeat(3)}`;
    const m = {
      ...message({ from: "sam@sender.example.net", to: bob, subject: `Friday ${id}`, body }),
      dkim: FRIEND_DKIM,
    };
    expect((await send(FRIEND, m)).reply.code).toBe(250);
    await waitForInbox(stack.system, bob, pw(bob), id);

    const before = learned();
    const imap = await openImap(stack.system, bob, pw(bob));
    try {
      await imap.mailboxOpen("INBOX");
      const uid = ((await imap.search({ subject: id }, { uid: true })) || [])[0];
      expect(await imap.messageMove(String(uid), "Junk", { uid: true })).toBeTruthy();
      await waitFor((s) => s.spam === before.spam + 1 && s.ham === before.ham, "learned the message as spam");

      await imap.mailboxOpen("Junk");
      const junkUid = ((await imap.search({ subject: id }, { uid: true })) || [])[0];
      await imap.messageMove(String(junkUid), "INBOX", { uid: true });
      await waitFor((s) => s.ham === before.ham + 1, "learned the message as ham");
    } finally {
      await imap.logout().catch(() => undefined);
    }
  });

  it("signs outbound mail with the planned key (Rspamd, OpenDKIM off): DKIM, SPF and DMARC pass at the receiver", async () => {
    const id = marker("outbound");
    await sendMail(
      stack.system,
      "submission",
      { from: alice, to: "reader@elsewhere.test", subject: id, text: "signed by Rspamd" },
      { user: alice, pass: pw(alice) },
    );
    const relayed = await stack.relay.waitFor((m) => m.raw.toString("utf8").includes(id));
    const { selector } = stack.outputs.dkim as { selector: string };
    const dkimRecord = stack.dnsRecords.find(
      (r) => r.type === "TXT" && r.name === `${selector}._domainkey.${SCENARIO.domain}`,
    );
    expect(dkimRecord, "planned DKIM record").toBeDefined();
    const returnPathSpf = stack.dnsRecords.find(
      (r) => r.type === "TXT" && txtStrings(r.content).join("").includes("include:amazonses.com"),
    );
    const result = await authenticate(relayed.raw, {
      resolver: plannedResolver(stack.dnsRecords, [AMAZONSES_SPF_STAND_IN]),
      sender: `bounces@${returnPathSpf!.name}`,
      ip: "127.0.0.1",
      helo: "relay.loopback.test",
      mta: "receiver.loopback.test",
      disableArc: true,
      disableBimi: true,
    });
    const ours = result.dkim.results.find((r: any) => r.signingDomain === SCENARIO.domain && r.selector === selector);
    expect(ours, JSON.stringify(result.dkim.results.map((r: any) => r.info))).toBeDefined();
    expect(ours!.status.result).toBe("pass");
    expect(result.spf && result.spf.status.result).toBe("pass");
    expect(result.dmarc && result.dmarc.status.result).toBe("pass");
  });

  it("does not spam-score authenticated submission: a laptop without reverse DNS, on a dynamic-address list, sends", async () => {
    // Inbound from such a host scores at least HFILTER_HOSTNAME_UNKNOWN's 6 before its content is read. For a
    // logged-in user docker-mailserver's settings.conf runs only Rspamd's DKIM group: the mail is signed, not judged.
    const id = marker("laptop");
    const messageId = `${id}@example.org`;
    const m = message({
      from: alice,
      to: "reader@elsewhere.test",
      subject: `Notes from today`,
      body: LETTER,
      messageId,
    });
    const { reply, transcript } = await sendFromInternet(stack.system, stack.dns!, HOME, m, {
      user: alice,
      pass: pw(alice),
    });
    expect(reply.code, transcript.join("\n")).toBe(250);
    const relayed = await stack.relay.waitFor((r) => r.raw.toString("utf8").includes(messageId));
    expect(relayed.raw.toString("utf8")).toMatch(/^DKIM-Signature:[^]*?d=example\.org;/m);
    // Neither the blocklists nor the host name checks ran: nobody asked about the laptop's address.
    // (The PTR question is the test's own, standing in for smtpd's lookup: internet-client.ts.)
    expect(stack.dns!.questions.filter((q) => q.includes(reversed(HOME.address)) && !q.startsWith("PTR "))).toEqual([]);
    const history = await rspamdHistory();
    const row = history.find((r) => r["message-id"] === messageId);
    expect(row, JSON.stringify(history.slice(0, 3))).toBeDefined();
    expect(row!.action).toBe("no action");
  });
});
