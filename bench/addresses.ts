/**
 * `mailstack addresses` on generated docker-mailserver logs: lines per second and peak memory (the child's
 * maximum resident set size) for 1,000,000 lines, the same gzipped, and a log four times larger. Each run is a
 * fresh process, so the peak belongs to that log alone; it should not grow with the log (the tally holds the
 * messages in flight and one entry per address and sender domain, never lines). Figures only, no assertions.
 * Run: npm run bench:addresses
 */
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { once } from "node:events";
import { createGzip } from "node:zlib";
import { main } from "../addresses/cli";
import { CLIENT_USERNAME } from "../lib/planned";

const DOMAIN = "example.org";
const ACCOUNTS = ["hi", "alice", "bob"];
const SITES = Array.from({ length: 300 }, (_, i) => `site${i}`);
const SENDERS = Array.from({ length: 500 }, (_, i) => `sender${i}.example`);
const SPAMMERS = Array.from({ length: 50 }, (_, i) => `spam${i}.example`);

/** Stack outputs for the generated log's domain (what the command reads; DNS left empty). */
const PLANNED = {
  domain: DOMAIN,
  hostname: `mail.${DOMAIN}`,
  dnsRecords: [],
  zoneFile: "",
  dkim: { selector: "mail", publicKey: "" },
  clientSettings: {
    imap: { host: `mail.${DOMAIN}`, port: 993, security: "SSL/TLS" },
    smtp: { host: `mail.${DOMAIN}`, port: 587, security: "STARTTLS" },
    username: CLIENT_USERNAME,
  },
  accounts: ACCOUNTS.map((a) => `${a}@${DOMAIN}`),
  aliases: [{ address: `team@${DOMAIN}`, targets: [`alice@${DOMAIN}`, `bob@${DOMAIN}`] }],
  catchAll: `hi@${DOMAIN}`,
  blocked: [`site0@${DOMAIN}`],
  relatedSenders: {},
};

/** A deterministic generator of mail.log lines as docker-mailserver 15 writes them. */
async function generate(file: string, lines: number, gzip: boolean): Promise<void> {
  const out = createWriteStream(file);
  const zipped = gzip ? createGzip({ level: 1 }) : undefined;
  zipped?.pipe(out);
  const sink: Writable = zipped ?? out;
  // mulberry32: small, fast, and evenly spread over every range used here.
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  let time = Date.parse("2025-01-01T00:00:00Z");
  let written = 0;
  let id = 0x100000;
  let chunk: string[] = [];
  const emit = (program: string, message: string) => {
    chunk.push(`${new Date(time).toISOString().replace("Z", "000+00:00")} mail ${program}: ${message}`);
    written++;
  };
  while (written < lines) {
    time += 1000 + rand(20_000);
    const qid = (id++).toString(16).toUpperCase() + "A1";
    // Accounts and the alias hear from anyone; a per-site address from its site (mail.siteN.example) and,
    // for one site in ten, from a few spammers: what a real catch-all sees, so the tallies stay small.
    const pick = rand(10);
    const site = rand(SITES.length);
    const to =
      pick < 3
        ? `${ACCOUNTS[rand(3)]}@${DOMAIN}`
        : pick < 4
          ? `team@${DOMAIN}`
          : pick < 5
            ? `hi+${SITES[site]}@${DOMAIN}`
            : `${SITES[site]}@${DOMAIN}`;
    const senderDomain =
      pick < 4
        ? SENDERS[rand(SENDERS.length)]
        : site % 10 === 0 && rand(4) === 0
          ? SPAMMERS[(site + rand(3)) % SPAMMERS.length]
          : `mail.${SITES[site]}.example`;
    const sender = `news${rand(9)}@${senderDomain}`;
    emit("postfix/smtpd[2101]", `connect from mx${rand(99)}.${sender.split("@")[1]}[192.0.2.${rand(250)}]`);
    if (to === `site0@${DOMAIN}`) {
      emit(
        "postfix/smtpd[2101]",
        `NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 <${to}>: Recipient address rejected: Access denied; from=<${sender}> to=<${to}> proto=ESMTP helo=<mx.example>`,
      );
    } else {
      const relay = `relay=mail.${DOMAIN}[/var/run/dovecot/lmtp], delay=0.07, delays=0.05/0/0/0.01, dsn=2.0.0, status=sent`;
      emit("postfix/smtpd[2101]", `${qid}: client=unknown[192.0.2.9]`);
      emit("postfix/cleanup[2102]", `${qid}: message-id=<${qid}@${sender.split("@")[1]}>`);
      emit("postfix/qmgr[2000]", `${qid}: from=<${sender}>, size=${1000 + rand(50_000)}, nrcpt=1 (queue active)`);
      const targets = to.startsWith("team@") ? [`alice@${DOMAIN}`, `bob@${DOMAIN}`] : [to];
      for (const target of targets) {
        const final =
          target.includes("+") || ACCOUNTS.some((a) => target.startsWith(`${a}@`)) ? target : `hi@${DOMAIN}`;
        const orig = final === to ? "" : ` orig_to=<${to}>,`;
        emit("dovecot", `lmtp(${final})<2103><abc>: msgid=<${qid}@x>: saved mail to INBOX`);
        emit("postfix/lmtp[2104]", `${qid}: to=<${final}>,${orig} ${relay} (250 2.0.0 <${final}> abc Saved)`);
      }
      emit("postfix/qmgr[2000]", `${qid}: removed`);
    }
    emit("postfix/smtpd[2101]", `disconnect from unknown[192.0.2.9] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5`);
    if (chunk.length >= 10_000 || written >= lines) {
      if (!sink.write(chunk.join("\n") + "\n")) await once(sink, "drain");
      chunk = [];
    }
  }
  sink.end();
  await once(out, "finish");
}

/** In the child: one run of the command over `file`, then its figures as JSON on stdout. */
async function measure(planned: string, file: string): Promise<void> {
  const start = performance.now();
  let output = "";
  await main(["addresses", "--planned", planned, "--log", file, "--json"], {
    stdout: { write: (text: string) => (output += text) },
    stderr: { write: (text: string) => process.stderr.write(text) },
    stdin: process.stdin,
    env: process.env,
  });
  const ms = performance.now() - start;
  const report = JSON.parse(output);
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(
    JSON.stringify({
      lines: report.log.lines,
      addresses: report.domains[0].addresses.length,
      ms,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      heapMb: process.memoryUsage().heapUsed / 1024 / 1024,
    }),
  );
}

async function run() {
  const dir = mkdtempSync(join(tmpdir(), "mailstack-bench-addresses-"));
  try {
    const planned = join(dir, "planned.json");
    writeFileSync(planned, JSON.stringify(PLANNED));
    console.log(`mailstack addresses on generated logs (node ${process.version}; one process per log)`);
    for (const [lines, gzip] of [
      [1_000_000, false],
      [1_000_000, true],
      [4_000_000, true],
    ] as const) {
      const file = join(dir, `mail.log${gzip ? ".gz" : ""}`);
      await generate(file, lines, gzip);
      const size = statSync(file).size / 1024 / 1024;
      const child = execFileSync(
        process.execPath,
        [...process.execArgv, "--expose-gc", __filename, "measure", planned, file],
        {
          encoding: "utf8",
          maxBuffer: 1 << 20,
        },
      );
      const r = JSON.parse(child) as { lines: number; addresses: number; ms: number; maxRssMb: number; heapMb: number };
      console.log(
        `${r.lines.toLocaleString("en").padStart(10)} lines ${gzip ? "gzip" : "plain"} (${size.toFixed(0).padStart(4)} MB)  ` +
          `${Math.round(r.lines / (r.ms / 1000))
            .toLocaleString("en")
            .padStart(9)} lines/s  ` +
          `${(r.ms / 1000).toFixed(1).padStart(5)} s  peak RSS ${r.maxRssMb.toFixed(0).padStart(4)} MB  ` +
          `heap after ${r.heapMb.toFixed(0).padStart(3)} MB  (${r.addresses} addresses)`,
      );
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "measure") measure(process.argv[3], process.argv[4]);
else
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
