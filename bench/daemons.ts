/**
 * Throughput of the generated mail server on the real daemons (the harness of test/daemons): time from daemon
 * start to the first delivery visible over IMAP, and messages/second for 200 messages through the inbound
 * path (port 25 → OpenDKIM milter → LMTP → Dovecot) and the relay path (587 AUTH → milter signs → relay).
 * Figures only, no assertions. Run: npx tsx bench/daemons.ts
 */
import nodemailer from "nodemailer";
import { CaptureRelay } from "../test/daemons/harness/capture-relay";
import { assertDaemonsInstalled } from "../test/daemons/harness/daemons-available";
import { newStateDir } from "../test/support/run-program";
import { programFiles, relayToCapture, SCENARIO } from "../test/daemons/harness/loopback-stack";
import { openImap, sendMail, tlsTrust, waitForInbox } from "../test/daemons/harness/mail-clients";
import { allocateMailPorts, MailSystem } from "../test/daemons/harness/mail-system";
import { rmSync } from "node:fs";

const COUNT = 200;
const PASSWORDS = { hi: "hi-Bench-1", alice: "alice-Bench-1", bob: "bob-Bench-1" };
const { alice, bob } = SCENARIO.accounts;

async function inboxCount(system: MailSystem, user: string, pass: string): Promise<number> {
  const client = await openImap(system, user, pass);
  try {
    const status = await client.status("INBOX", { messages: true });
    return status ? (status.messages ?? 0) : 0;
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** Sends COUNT messages over one SMTP connection, one after the other, like a single busy client. */
async function sendBatch(
  system: MailSystem,
  options: Record<string, unknown>,
  from: string,
  to: string,
  label: string,
): Promise<void> {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 1,
    maxMessages: Infinity,
    host: "127.0.0.1",
    name: "bench.loopback.test",
    tls: tlsTrust(system),
    ...options,
  });
  try {
    for (let i = 0; i < COUNT; i++)
      await transport.sendMail({ from, to, subject: `${label} ${i}`, text: `message ${i} of ${COUNT}\n` });
  } finally {
    transport.close();
  }
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function main(): Promise<void> {
  assertDaemonsInstalled();
  const stateDir = newStateDir();
  const program = await programFiles(PASSWORDS, stateDir);
  const ports = await allocateMailPorts();
  const relay = new CaptureRelay(SCENARIO.relay);
  await relay.start(ports.relay);
  const files = relayToCapture(program.files, ports.relay);
  const pw = program.passwords;

  const t0 = Date.now();
  const system = await MailSystem.start(files, ports);
  try {
    const ready = Date.now();
    await sendMail(
      system,
      "smtp",
      { from: "someone@outside.test", to: bob, subject: "first-delivery", text: "first" },
      undefined,
      "127.0.0.2",
    );
    await waitForInbox(system, bob, pw[bob], "first-delivery", 1, 30_000);
    const first = Date.now();
    console.log(`daemon start → listening:        ${seconds(ready - t0)} s`);
    console.log(`daemon start → first delivery:   ${seconds(first - t0)} s (visible over IMAP)`);

    const inboundStart = Date.now();
    await sendBatch(system, { port: ports.smtp, localAddress: "127.0.0.2" }, "someone@outside.test", alice, "inbound");
    const inboundSent = Date.now();
    await until(async () => (await inboxCount(system, alice, pw[alice])) >= COUNT, 120_000, "inbound deliveries");
    const inboundDone = Date.now();
    console.log(
      `inbound  ${COUNT} msgs: accepted in ${seconds(inboundSent - inboundStart)} s, delivered in ${seconds(inboundDone - inboundStart)} s → ${(COUNT / ((inboundDone - inboundStart) / 1000)).toFixed(1)} msg/s`,
    );

    const relayStart = Date.now();
    const before = relay.messages.length;
    await sendBatch(
      system,
      { port: ports.submission, requireTLS: true, auth: { user: alice, pass: pw[alice] } },
      alice,
      "reader@elsewhere.test",
      "relay",
    );
    const relaySent = Date.now();
    await until(() => relay.messages.length - before >= COUNT, 120_000, "relayed messages");
    const relayDone = Date.now();
    console.log(
      `relay    ${COUNT} msgs: accepted in ${seconds(relaySent - relayStart)} s, relayed in ${seconds(relayDone - relayStart)} s → ${(COUNT / ((relayDone - relayStart) / 1000)).toFixed(1)} msg/s`,
    );
  } finally {
    await system.stop();
    await relay.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
