import { generateKeyPairSync } from "node:crypto";
import { Resolver } from "node:dns/promises";
import { dkimSign } from "mailauth/lib/dkim/sign";
import { FakeDnsServer, ZoneRecord } from "../../support/dns-server";
import { tlsTrust } from "./mail-clients";
import { MailSystem } from "./mail-system";
import { SmtpConversation, SmtpReply } from "./smtp-conversation";

/**
 * A mail server on the internet sending to ours, played on loopback. The TCP connection comes from `loopback`
 * (what postscreen judges); then `XCLIENT ADDR=<address> NAME=<its host name>` makes smtpd, its restrictions
 * and its milters (Rspamd) treat the session as coming from `address` (see postfix-config.ts: Rspamd counts
 * every 127/8 address as its own). NAME is what smtpd's own lookup would find in the test's DNS server: the
 * PTR name when it resolves back to the address (forward-confirmed), else `[UNAVAILABLE]` ("unknown").
 */
export interface InternetHost {
  /** A 127.x address the connection comes from (not 127.0.0.1, which is the server's mynetworks). */
  loopback: string;
  /** The address it plays, from a documentation range (198.51.100.0/24): never dialled, only announced. */
  address: string;
  helo: string;
}

export interface RawMessage {
  /** Envelope sender. */
  from: string;
  to: string[];
  /** Header lines, without the trailing blank line. */
  headers: string[];
  body: string;
  /** Sign as this domain and selector with this PEM key (mailauth's signer), as the sending domain's server does. */
  dkim?: { domain: string; selector: string; privateKeyPem: string };
}

/** The host name smtpd's reverse-then-forward lookup of `address` finds in the test's DNS server. */
export async function confirmedName(dns: FakeDnsServer, address: string): Promise<string> {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.address]);
  try {
    for (const name of await resolver.reverse(address))
      if ((await resolver.resolve4(name).catch((): string[] => [])).includes(address)) return name;
  } catch {
    // no PTR: smtpd says "unknown"
  }
  return "[UNAVAILABLE]";
}

/** RFC 5321 dot-stuffing and CRLF line ends for the DATA section. */
function dataSection(text: string): string {
  return text
    .replace(/\r?\n/g, "\r\n")
    .split("\r\n")
    .map((line) => (line.startsWith(".") ? `.${line}` : line))
    .join("\r\n");
}

export interface Delivery {
  /** The reply that decided the message's fate: DATA's end, or the first refusal before it. */
  reply: SmtpReply;
  /** Every reply of the session, in order, for failure messages. */
  transcript: string[];
}

/** The message as sent: signed first when it asks for a DKIM signature. */
async function signedText(message: RawMessage): Promise<string> {
  const text = `${message.headers.join("\r\n")}\r\n\r\n${message.body}`;
  if (!message.dkim) return text;
  const signature = await dkimSign(text, {
    canonicalization: "relaxed/relaxed",
    // mailauth's sign.d.ts types one signature's fields at the top level; sign.js reads signatureData.
    signatureData: [
      { signingDomain: message.dkim.domain, selector: message.dkim.selector, privateKey: message.dkim.privateKeyPem },
    ],
  } as unknown as Parameters<typeof dkimSign>[1]);
  if (signature.errors.length) throw new Error(`DKIM signing failed: ${JSON.stringify(signature.errors)}`);
  return `${signature.signatures}${text}`;
}

/**
 * An SMTP session from `host`: to port 25, as a mail server, or with `auth` to the submission port (587) with
 * STARTTLS and AUTH, as a user's mail program. `send` runs one transaction and stops at the first refusal.
 */
export class InternetSession {
  readonly transcript: string[] = [];

  private constructor(private readonly conversation: SmtpConversation) {}

  static async open(
    system: MailSystem,
    dns: FakeDnsServer,
    host: InternetHost,
    auth?: { user: string; pass: string },
  ): Promise<{ session: InternetSession; refused?: SmtpReply }> {
    const port = auth ? system.ports.submission : system.ports.smtp;
    const { conversation, greeting } = await SmtpConversation.open(port, host.loopback);
    const session = new InternetSession(conversation);
    session.transcript.push(greeting.text);
    if (greeting.code !== 220) return { session, refused: greeting };
    const name = await confirmedName(dns, host.address);
    const refused =
      (await session.step(`EHLO ${host.helo}`, 250)) ??
      (await session.step(`XCLIENT ADDR=${host.address} NAME=${name}`, 220)) ??
      (await session.step(`EHLO ${host.helo}`, 250));
    if (refused || !auth) return { session, refused };
    const tls = await conversation.startTls(tlsTrust(system));
    session.transcript.push(`STARTTLS → ${tls.text}`);
    if (tls.code !== 220) return { session, refused: tls };
    const plain = Buffer.from(`\0${auth.user}\0${auth.pass}`).toString("base64");
    return {
      session,
      refused: (await session.step(`EHLO ${host.helo}`, 250)) ?? (await session.step(`AUTH PLAIN ${plain}`, 235)),
    };
  }

  /** Sends `command`; returns the reply when it is not the `expect`ed code. */
  private async step(command: string, expect: number): Promise<SmtpReply | undefined> {
    const reply = await this.conversation.send(command);
    this.transcript.push(`${command.startsWith("AUTH ") ? "AUTH PLAIN …" : command.split("\r\n")[0]} → ${reply.text}`);
    return reply.code === expect ? undefined : reply;
  }

  /** One transaction; the reply that decided the message's fate (DATA's end, or the first refusal before it). */
  async send(message: RawMessage): Promise<SmtpReply> {
    const text = await signedText(message);
    const refused = await this.step(`MAIL FROM:<${message.from}>`, 250);
    if (refused) return refused;
    for (const rcpt of message.to) {
      const rcptRefused = await this.step(`RCPT TO:<${rcpt}>`, 250);
      if (rcptRefused) {
        await this.step("RSET", 250);
        return rcptRefused;
      }
    }
    const dataRefused = await this.step("DATA", 354);
    if (dataRefused) return dataRefused;
    const reply = await this.conversation.send(`${dataSection(text)}\r\n.`);
    this.transcript.push(`<message> → ${reply.text}`);
    return reply;
  }

  async close(): Promise<void> {
    await this.conversation.send("QUIT").catch(() => undefined);
    this.conversation.close();
  }
}

/** One session carrying one message (see InternetSession). */
export async function sendFromInternet(
  system: MailSystem,
  dns: FakeDnsServer,
  host: InternetHost,
  message: RawMessage,
  auth?: { user: string; pass: string },
): Promise<Delivery> {
  const { session, refused } = await InternetSession.open(system, dns, host, auth);
  try {
    const reply = refused ?? (await session.send(message));
    return { reply, transcript: session.transcript };
  } finally {
    await session.close();
  }
}

/**
 * A domain whose mail server is set up right: forward-confirmed reverse DNS, MX, SPF naming its address, a
 * DKIM key it signs with and DMARC `p=reject` — what a large mail provider's outgoing mail looks like. `zone` is
 * what the test's DNS server must serve for it.
 */
export function wellConfiguredSender(
  domain: string,
  address: string,
  loopback: string,
): { host: InternetHost; dkim: NonNullable<RawMessage["dkim"]>; zone: ZoneRecord[] } {
  const helo = `mx.${domain}`;
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicKey = key.publicKey.export({ type: "spki", format: "der" }).toString("base64");
  return {
    host: { loopback, address, helo },
    dkim: { domain, selector: "s1", privateKeyPem: key.privateKey.export({ type: "pkcs8", format: "pem" }).toString() },
    zone: [
      { name: `${address.split(".").reverse().join(".")}.in-addr.arpa`, type: "PTR", data: helo },
      { name: helo, type: "A", data: address },
      { name: domain, type: "MX", data: { preference: 10, exchange: helo } },
      { name: domain, type: "TXT", data: [`v=spf1 ip4:${address} -all`] },
      { name: `_dmarc.${domain}`, type: "TXT", data: ["v=DMARC1; p=reject"] },
      // A character-string holds at most 255 bytes: a 2048-bit key's record takes two.
      { name: `s1._domainkey.${domain}`, type: "TXT", data: `v=DKIM1; k=rsa; p=${publicKey}`.match(/.{1,255}/g)! },
    ],
  };
}
