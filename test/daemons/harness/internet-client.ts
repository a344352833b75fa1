import { Resolver } from "node:dns/promises";
import { dkimSign } from "mailauth/lib/dkim/sign";
import { FakeDnsServer } from "../../support/dns-server";
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

/**
 * One SMTP session from `host` carrying `message`; stops at the first refusal. By default to port 25, as a mail
 * server; with `auth`, to the submission port (587) with STARTTLS and AUTH, as a user's mail program.
 */
export async function sendFromInternet(
  system: MailSystem,
  dns: FakeDnsServer,
  host: InternetHost,
  message: RawMessage,
  auth?: { user: string; pass: string },
): Promise<Delivery> {
  const text = `${message.headers.join("\r\n")}\r\n\r\n${message.body}`;
  const signature = message.dkim
    ? await dkimSign(text, {
        canonicalization: "relaxed/relaxed",
        // mailauth's sign.d.ts types one signature's fields at the top level; sign.js reads signatureData.
        signatureData: [
          {
            signingDomain: message.dkim.domain,
            selector: message.dkim.selector,
            privateKey: message.dkim.privateKeyPem,
          },
        ],
      } as unknown as Parameters<typeof dkimSign>[1])
    : undefined;
  if (signature?.errors.length) throw new Error(`DKIM signing failed: ${JSON.stringify(signature.errors)}`);
  const signed = `${signature?.signatures ?? ""}${text}`;

  const transcript: string[] = [];
  const port = auth ? system.ports.submission : system.ports.smtp;
  const { conversation, greeting } = await SmtpConversation.open(port, host.loopback);
  transcript.push(greeting.text);
  const step = async (command: string, expect: number): Promise<SmtpReply | undefined> => {
    const reply = await conversation.send(command);
    transcript.push(`${command.startsWith("AUTH ") ? "AUTH PLAIN …" : command.split("\r\n")[0]} → ${reply.text}`);
    return reply.code === expect ? undefined : reply;
  };
  try {
    if (greeting.code !== 220) return { reply: greeting, transcript };
    const name = await confirmedName(dns, host.address);
    const refused =
      (await step(`EHLO ${host.helo}`, 250)) ??
      (await step(`XCLIENT ADDR=${host.address} NAME=${name}`, 220)) ??
      (await step(`EHLO ${host.helo}`, 250));
    if (refused) return { reply: refused, transcript };
    if (auth) {
      const tls = await conversation.startTls(tlsTrust(system));
      transcript.push(`STARTTLS → ${tls.text}`);
      if (tls.code !== 220) return { reply: tls, transcript };
      const plain = Buffer.from(`\0${auth.user}\0${auth.pass}`).toString("base64");
      const authRefused = (await step(`EHLO ${host.helo}`, 250)) ?? (await step(`AUTH PLAIN ${plain}`, 235));
      if (authRefused) return { reply: authRefused, transcript };
    }
    const mailRefused = await step(`MAIL FROM:<${message.from}>`, 250);
    if (mailRefused) return { reply: mailRefused, transcript };
    for (const rcpt of message.to) {
      const rcptRefused = await step(`RCPT TO:<${rcpt}>`, 250);
      if (rcptRefused) return { reply: rcptRefused, transcript };
    }
    const dataRefused = await step("DATA", 354);
    if (dataRefused) return { reply: dataRefused, transcript };
    const reply = await conversation.send(`${dataSection(signed)}\r\n.`);
    transcript.push(`<message> → ${reply.text}`);
    await conversation.send("QUIT").catch(() => undefined);
    return { reply, transcript };
  } finally {
    conversation.close();
  }
}
