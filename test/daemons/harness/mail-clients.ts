import { readFileSync } from "node:fs";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { MailSystem } from "./mail-system";

/** The TLS options every client uses: the generated self-signed cert as the only CA, checked against the hostname. */
export function tlsTrust(system: MailSystem): { ca: string; servername: string } {
  return { ca: readFileSync(system.certFile, "utf8"), servername: system.files.hostname };
}

export interface Outgoing {
  from: string;
  to: string | string[];
  subject: string;
  text?: string;
  /** Envelope recipients when they differ from the headers. */
  envelopeTo?: string[];
}

export type SmtpEntry = "smtp" | "submission" | "submissions";

/** Sends one message through real SMTP: port 25 unauthenticated, or 587 (STARTTLS) / 465 (implicit TLS) with AUTH. */
export async function sendMail(
  system: MailSystem,
  entry: SmtpEntry,
  message: Outgoing,
  auth?: { user: string; pass: string },
  /** Source address, e.g. 127.0.0.2 to play a client outside mynetworks. */
  localAddress?: string,
): Promise<string> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: system.ports[entry],
    secure: entry === "submissions",
    requireTLS: entry === "submission",
    name: "client.loopback.test",
    localAddress,
    auth,
    tls: tlsTrust(system),
  });
  try {
    const info = await transport.sendMail({
      ...message,
      envelope: message.envelopeTo ? { from: message.from, to: message.envelopeTo } : undefined,
    });
    return info.messageId;
  } finally {
    transport.close();
  }
}

/** An IMAPS (993-equivalent) session: TLS with the generated cert, login with an account's password. */
export async function openImap(system: MailSystem, user: string, pass: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port: system.ports.imaps,
    secure: true,
    auth: { user, pass },
    tls: tlsTrust(system),
    logger: false,
  });
  // imapflow reports an unhandled 'error' event on a dropped socket; the awaited calls report failures anyway.
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** Raw sources of every message in the account's INBOX. */
export function inboxSources(system: MailSystem, user: string, pass: string): Promise<string[]> {
  return mailboxSources(system, user, pass, "INBOX");
}

/** Raw sources of every message in one of the account's mailboxes (INBOX, Junk, …). */
export async function mailboxSources(
  system: MailSystem,
  user: string,
  pass: string,
  mailbox: string,
): Promise<string[]> {
  const client = await openImap(system, user, pass);
  try {
    const box = await client.mailboxOpen(mailbox);
    if (!box.exists) return [];
    const sources: string[] = [];
    for await (const m of client.fetch("1:*", { source: true })) if (m.source) sources.push(m.source.toString("utf8"));
    return sources;
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** Polls the INBOX (one IMAP session) until `count` messages contain `marker`; returns them. */
export function waitForInbox(
  system: MailSystem,
  user: string,
  pass: string,
  marker: string,
  count = 1,
  timeoutMs = 15_000,
): Promise<string[]> {
  return waitForMailbox(system, user, pass, "INBOX", marker, count, timeoutMs);
}

/** Polls one mailbox (one IMAP session) until `count` messages contain `marker`; returns them. */
export async function waitForMailbox(
  system: MailSystem,
  user: string,
  pass: string,
  mailbox: string,
  marker: string,
  count = 1,
  timeoutMs = 15_000,
): Promise<string[]> {
  const client = await openImap(system, user, pass);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const box = await client.mailboxOpen(mailbox);
      const found: string[] = [];
      if (box.exists) {
        for await (const m of client.fetch("1:*", { source: true })) {
          const source = m.source?.toString("utf8") ?? "";
          if (source.includes(marker)) found.push(source);
        }
      }
      if (found.length >= count) return found;
      if (Date.now() > deadline)
        throw new Error(
          `${user} ${mailbox}: ${found.length}/${count} messages with ${marker} after ${timeoutMs} ms\n${system.logs()}`,
        );
      await new Promise((r) => setTimeout(r, 150));
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** A marker unique to one test message, put in its subject. */
export function marker(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
