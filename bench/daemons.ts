/**
 * The generated mail server on the real daemons (the harness of test/daemons), in three setups:
 *   1. without the spam filter and without DNS, as the other daemon suites run it (plain smtpd on port 25);
 *   2. without the spam filter, with the test's DNS server: postscreen, client name lookups, OpenDKIM signs;
 *   3. the default: Rspamd (with its Redis) filters and signs, postscreen asks DMS's blocklists.
 * 2 and 3 differ only by the filter. For each: time from daemon start to the first delivery visible over IMAP;
 * the filter's memory after start (Rspamd's processes and Redis; OpenDKIM without it), as resident set (RSS,
 * shared pages counted in every process) and proportional set (PSS, each shared page split between its users:
 * what the processes add up to); messages/second for 200 messages through the inbound path (one sending server,
 * one connection; in 2 and 3 it announces an internet address with XCLIENT so that Rspamd runs every check) and
 * the relay path (587 AUTH → signed → relay); and a live config change (issue 12): from running the updated
 * Commands (stand-in docker CLI, DMS's change detector polling every 2 s as in the image) to the change being
 * effective for a new SMTP client. Figures only, no assertions. Run: npx tsx bench/daemons.ts
 */
import { readdirSync, readFileSync } from "node:fs";
import nodemailer from "nodemailer";
import { assertDaemonsInstalled } from "../test/daemons/harness/daemons-available";
import { InternetSession, RawMessage, wellConfiguredSender } from "../test/daemons/harness/internet-client";
import { LoopbackStack, relayToCapture, SCENARIO, startLoopbackStack } from "../test/daemons/harness/loopback-stack";
import { ChangeDetector } from "../test/daemons/harness/change-detector";
import { installDockerStandIn, runLikeCommandProvider } from "../test/daemons/harness/docker-stand-in";
import { loopbackConfig } from "../test/daemons/harness/loopback-config";
import { SmtpConversation } from "../test/daemons/harness/smtp-conversation";
import { liveCommands, mailContainer, runProgram } from "../test/support/run-program";
import { openImap, sendMail, tlsTrust, waitForInbox } from "../test/daemons/harness/mail-clients";
import { MailSystem } from "../test/daemons/harness/mail-system";

const COUNT = 200;
const PASSWORDS = { hi: "hi-Bench-1", alice: "alice-Bench-1", bob: "bob-Bench-1" };
const { alice, bob } = SCENARIO.accounts;
const SENDER = wellConfiguredSender("sender.example.net", "198.51.100.10", "127.0.0.10");

const ALL_SETUPS: { label: string; spam?: Record<string, unknown>; dns: boolean }[] = [
  { label: "1. no filter, no DNS (other suites)", spam: { filter: "none", dnsbl: false }, dns: false },
  { label: "2. no filter, DNS + postscreen", spam: { filter: "none", dnsbl: true }, dns: true },
  { label: "3. Rspamd filter (default)", spam: undefined, dns: true },
];

async function inboxCount(system: MailSystem, user: string, pass: string): Promise<number> {
  const client = await openImap(system, user, pass);
  try {
    const status = await client.status("INBOX", { messages: true });
    return status ? (status.messages ?? 0) : 0;
  } finally {
    await client.logout().catch(() => undefined);
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
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
const label = (text: string) => text.padEnd(44);

/** RSS and PSS (KiB) of a process and all its descendants, from /proc (smaps_rollup), with each one's title. */
function treeMemory(rootPid: number): { rss: number; pss: number; processes: string[] } {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent PID (after the parenthesised command name).
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1].split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended meanwhile
    }
  }
  const total = { rss: 0, pss: 0, processes: [] as string[] };
  const visit = (pid: number) => {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      const pss = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      total.rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      total.pss += pss;
      // Rspamd names its processes "rspamd: rspamd_proxy process (127.0.0.1:…)" and so on.
      const title = readFileSync(`/proc/${pid}/cmdline`, "utf8")
        .split("\0")[0]
        .replace(/^rspamd: | process.*$/g, "");
      total.processes.push(`${title.split("/").pop()} ${mib(pss)}`);
    } catch {
      return;
    }
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(rootPid);
  return total;
}

function printMemory(system: MailSystem, when: string): void {
  const parts: [string, number | undefined][] = system.rspamdProcess
    ? [
        ["Rspamd (main + workers)", system.rspamdProcess.pid],
        ["Redis", system.redisProcess?.pid],
      ]
    : [["OpenDKIM", system.openDkimProcess?.pid]];
  let rss = 0;
  let pss = 0;
  for (const [name, pid] of parts) {
    if (!pid) continue;
    const m = treeMemory(pid);
    rss += m.rss;
    pss += m.pss;
    console.log(`  ${label(`${name}, ${when}`)}RSS ${mib(m.rss)}, PSS ${mib(m.pss)} (PSS: ${m.processes.join(", ")})`);
  }
  if (parts.length > 1) console.log(`  ${label(`filter total, ${when}`)}RSS ${mib(rss)}, PSS ${mib(pss)}`);
}

/** COUNT messages over one connection, one after the other, like a single busy sending server. */
async function inboundBatch(stack: LoopbackStack, direct: boolean): Promise<void> {
  const text = (i: number) => `Message ${i} of ${COUNT}: the weekly report is attached below as plain text.\r\n`;
  if (direct) {
    const transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 1,
      maxMessages: Infinity,
      host: "127.0.0.1",
      port: stack.ports.smtp,
      localAddress: "127.0.0.2",
      name: "bench.loopback.test",
      tls: tlsTrust(stack.system),
    });
    try {
      for (let i = 0; i < COUNT; i++)
        await transport.sendMail({ from: "someone@outside.test", to: alice, subject: `inbound ${i}`, text: text(i) });
    } finally {
      transport.close();
    }
    return;
  }
  const { session, refused } = await InternetSession.open(stack.system, stack.dns!, SENDER.host);
  if (refused) throw new Error(`session refused: ${session.transcript.join("\n")}`);
  try {
    for (let i = 0; i < COUNT; i++) {
      const message: RawMessage = {
        from: "reports@sender.example.net",
        to: [alice],
        headers: [
          "From: Reports <reports@sender.example.net>",
          `To: ${alice}`,
          `Subject: inbound ${i}`,
          `Date: ${new Date().toUTCString().replace("GMT", "+0000")}`,
          `Message-ID: <bench-${Date.now()}-${i}@sender.example.net>`,
          "MIME-Version: 1.0",
          "Content-Type: text/plain; charset=utf-8",
        ],
        body: text(i),
        dkim: SENDER.dkim,
      };
      const reply = await session.send(message);
      if (reply.code !== 250) throw new Error(`message ${i} refused: ${reply.text}`);
    }
  } finally {
    await session.close();
  }
}

async function relayBatch(stack: LoopbackStack): Promise<void> {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 1,
    maxMessages: Infinity,
    host: "127.0.0.1",
    port: stack.ports.submission,
    requireTLS: true,
    auth: { user: alice, pass: stack.passwords[alice] },
    name: "bench.loopback.test",
    tls: tlsTrust(stack.system),
  });
  try {
    for (let i = 0; i < COUNT; i++)
      await transport.sendMail({
        from: alice,
        to: "reader@elsewhere.test",
        subject: `relay ${i}`,
        text: `message ${i} of ${COUNT}\n`,
      });
  } finally {
    transport.close();
  }
}

/** The RCPT reply a new outside client gets for an address. */
async function rcptCode(system: MailSystem, address: string): Promise<number> {
  const { conversation } = await SmtpConversation.open(system.ports.smtp, "127.0.0.2");
  try {
    await conversation.send("EHLO bench.example");
    await conversation.send("MAIL FROM:<someone@outside.test>");
    return (await conversation.send(`RCPT TO:<${address}>`)).code;
  } finally {
    conversation.close();
  }
}

/**
 * One live change of each kind: the Commands a second `pulumi up` updates, run as the command provider runs
 * them; the time until they return (they wait for docker-mailserver to apply the file) and until a new client
 * sees the change.
 */
async function liveChanges(stack: LoopbackStack, overrides: Record<string, unknown>): Promise<void> {
  const { system, run: first, stateDir } = stack;
  const detector = new ChangeDetector(system, (f) => relayToCapture(f, system.ports.relay));
  detector.start();
  const docker = installDockerStandIn(system, {
    container: mailContainer(first).inputs.name,
    dockerHost: "unix:///var/run/docker.sock",
  });
  try {
    let previous = first;
    const base = { ...loopbackConfig(PASSWORDS), ...overrides };
    const steps: [string, Record<string, unknown>, string, 554 | "delivered"][] = [
      ["block an address", { blocked: ["blocked", "leak1"] }, `leak1@${SCENARIO.domain}`, 554],
      [
        "add an alias (to bob)",
        { blocked: ["blocked", "leak1"], aliases: { team: ["alice", "bob"], news: "bob" } },
        `news@${SCENARIO.domain}`,
        "delivered",
      ],
    ];
    for (const [label, change, probe, expected] of steps) {
      const next = await runProgram({ ...base, ...change }, { stateDir });
      const old = liveCommands(previous);
      const updated = [...liveCommands(next)].filter(
        ([path, c]) => JSON.stringify(c.inputs) !== JSON.stringify(old.get(path)?.inputs),
      );
      const t = performance.now();
      const runs = await Promise.all(updated.map(([, c]) => runLikeCommandProvider(c, docker)));
      const returned = performance.now() - t;
      for (const r of runs) if (r.code !== 0) throw new Error(`${label}: ${r.stderr}`);
      // A blocked address: a new client's RCPT is refused. A new alias: a message sent to it reaches bob (before,
      // the catch-all took it for hi).
      let probes = 0;
      if (expected === 554) await until(async () => (probes++, (await rcptCode(system, probe)) === 554), 30_000, label);
      else {
        const subject = `live-${Date.now()}`;
        await sendMail(
          system,
          "smtp",
          { from: "someone@outside.test", to: probe, subject, text: "x" },
          undefined,
          "127.0.0.2",
        );
        await waitForInbox(system, bob, PASSWORDS.bob, subject, 1, 30_000);
      }
      const effective = performance.now() - t;
      console.log(
        `  live: ${label.padEnd(22)} ${updated.length} command(s) returned in ${seconds(returned)} s, effective (${expected === 554 ? `554 at RCPT, probe ${probes}` : "delivered to the new target"}) after ${seconds(effective)} s`,
      );
      previous = next;
    }
  } finally {
    detector.stop();
    docker.remove();
  }
}

/** `npx tsx bench/daemons.ts 2 3` runs only those setups. */
const SETUPS = process.argv.length > 2 ? ALL_SETUPS.filter((_, i) => process.argv.includes(String(i + 1))) : ALL_SETUPS;

async function run(setup: (typeof SETUPS)[number]): Promise<void> {
  console.log(setup.label);
  const t0 = Date.now();
  const stack = await startLoopbackStack(PASSWORDS, { spam: setup.spam }, setup.dns ? { zone: SENDER.zone } : {});
  try {
    const ready = Date.now();
    await sendMail(
      stack.system,
      "smtp",
      { from: "someone@outside.test", to: bob, subject: "first-delivery", text: "first" },
      undefined,
      "127.0.0.2",
    );
    await waitForInbox(stack.system, bob, stack.passwords[bob], "first-delivery", 1, 60_000);
    const first = Date.now();
    console.log(`  ${label("start → listening")}${seconds(ready - t0)} s (program, DNS server, daemons)`);
    console.log(`  ${label("start → first delivery")}${seconds(first - t0)} s (visible over IMAP)`);
    printMemory(stack.system, "after start");

    const inboundStart = Date.now();
    await inboundBatch(stack, !setup.dns);
    const inboundSent = Date.now();
    const pass = stack.passwords[alice];
    await until(async () => (await inboxCount(stack.system, alice, pass)) >= COUNT, 300_000, "inbound deliveries");
    const inboundDone = Date.now();
    console.log(
      `  ${label(`inbound ${COUNT} msgs`)}accepted in ${seconds(inboundSent - inboundStart)} s, delivered in ${seconds(inboundDone - inboundStart)} s → ${(COUNT / ((inboundDone - inboundStart) / 1000)).toFixed(1)} msg/s`,
    );

    const relayStart = Date.now();
    const before = stack.relay.messages.length;
    await relayBatch(stack);
    const relaySent = Date.now();
    await until(() => stack.relay.messages.length - before >= COUNT, 300_000, "relayed messages");
    const relayDone = Date.now();
    console.log(
      `  ${label(`relay ${COUNT} msgs`)}accepted in ${seconds(relaySent - relayStart)} s, relayed in ${seconds(relayDone - relayStart)} s → ${(COUNT / ((relayDone - relayStart) / 1000)).toFixed(1)} msg/s`,
    );
    printMemory(stack.system, `after ${2 * COUNT} msgs`);
    await liveChanges(stack, { spam: setup.spam });
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  assertDaemonsInstalled();
  for (const setup of SETUPS) await run(setup);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
