/**
 * Issue 11 end to end: real mail through the daemon harness (the program's files on Postfix + Dovecot, Postfix
 * logging through an rsyslogd set up like docker-mailserver's, so mail.log is DMS's format), rotated by
 * logrotate as DMS rotates it, then read by `mailstack addresses` from the directory and from the "container"
 * (a stand-in docker CLI serving that directory). Nothing in the log is written by hand.
 */
import { tmpdir } from "node:os";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daemonsRunnable } from "../daemons/harness/daemons-available";
import { LoopbackStack, SCENARIO, startLoopbackStack } from "../daemons/harness/loopback-stack";
import { sendMail } from "../daemons/harness/mail-clients";
import { SmtpConversation } from "../daemons/harness/smtp-conversation";
import { JsonReport, parseReport, pathWithStandIns, row, runAddresses, senderCounts } from "./fixtures/run-addresses";

const D = SCENARIO.domain;
const OUTSIDE = "127.0.0.2";
const PASSWORDS = { hi: "hi-Addresses-1", alice: "alice-Addresses-1", bob: "bob-Addresses-1" };
const DOCKER_HOST = "ssh://deploy@mail.example.org";
const { alice } = SCENARIO.accounts;

describe.skipIf(!daemonsRunnable())("mailstack addresses on the mail log of real daemons", () => {
  let stack: LoopbackStack;
  let scratch: string;
  let plannedFile: string;
  let fromDir: JsonReport;
  let fromDirCode: number;
  /** The host's /dev/log before the harness started: its rsyslogd must not replace or create it. */
  const hostDevLog = () => lstatSync("/dev/log", { throwIfNoEntry: false })?.ino;
  const devLogBefore = hostDevLog();

  const mailLog = () => readFileSync(join(stack.system.mailLogDir, "mail.log"), "utf8");
  /** Waits until mail.log has at least `count` lines matching `pattern` (rsyslogd writes asynchronously). */
  async function waitForLog(pattern: RegExp, count: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const seen = mailLog()
        .split("\n")
        .filter((l) => pattern.test(l)).length;
      if (seen >= count) return;
      if (Date.now() > deadline)
        throw new Error(`mail.log has ${seen} of ${count} lines matching ${pattern}:\n${stack.system.logs()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  /** One message from an outside client, with this envelope sender. */
  const send = (from: string, to: string | string[]) =>
    sendMail(stack.system, "smtp", { from, to, subject: `to ${to}`, text: "hello" }, undefined, OUTSIDE);
  /** RCPT TO the blocked address (refused), optionally after an accepted one (then DATA). */
  async function sendToBlocked(from: string, acceptedFirst?: string): Promise<void> {
    const { conversation: smtp } = await SmtpConversation.open(stack.ports.smtp, OUTSIDE);
    try {
      await smtp.send("EHLO client.outside.test");
      await smtp.send(`MAIL FROM:<${from}>`);
      if (acceptedFirst) expect((await smtp.send(`RCPT TO:<${acceptedFirst}>`)).code).toBe(250);
      expect((await smtp.send(`RCPT TO:<${SCENARIO.blocked}>`)).code).toBe(554);
      if (acceptedFirst) {
        expect((await smtp.send("DATA")).code).toBe(354);
        expect((await smtp.send(`Subject: blocked test\r\n\r\nhello\r\n.`)).code).toBe(250);
      }
      await smtp.send("QUIT");
    } finally {
      smtp.close();
    }
  }
  const delivered = (n: number) => waitForLog(/ status=sent /, n);

  beforeAll(async () => {
    stack = await startLoopbackStack(PASSWORDS, {
      relatedSenders: { steam: ["valvesoftware.com"] },
      docker: { host: DOCKER_HOST },
    });
    scratch = mkdtempSync(join(tmpdir(), "mailstack-addresses-"));
    plannedFile = join(scratch, "planned.json");
    // What `pulumi stack output --json` prints: secret outputs are masked.
    writeFileSync(plannedFile, JSON.stringify({ ...stack.outputs, passwords: "[secret]" }));

    // Week 1 (becomes mail.log.2.gz)
    await send("friend@outside.test", alice);
    await send("friend@outside.test", alice);
    await send("noreply@github.com", `github@${D}`);
    await send("noreply@bilibili.com", `bilibili@${D}`);
    await send("noreply@bilibili.com", `bilibili@${D}`);
    await send("noreply@steampowered.com", `steam@${D}`);
    await delivered(6);
    stack.system.rotateMailLog();

    // Week 2 (becomes mail.log.1)
    await send("bounces+123-abc@em123.github.com", `github@${D}`);
    await send("bounces+77@sendgrid.net", `github@${D}`);
    await send("promo@cheap-pills.example", `bilibili@${D}`);
    await send("support@valvesoftware.com", `steam@${D}`);
    await send("noreply@steampowered.com", [`steam@${D}`, alice]);
    await send("digest@news-site.example", `hi+news@${D}`);
    await send("info@xn--bcher-kva.example", alice);
    await sendToBlocked("spam@spam-list.example");
    await delivered(8);
    await waitForLog(/NOQUEUE: reject: RCPT/, 1);
    stack.system.rotateMailLog();

    // Week 3 (mail.log)
    await send("sales@spam-list.example", `bilibili@${D}`);
    await send("orders@random-store.example", `shop@${D}`);
    await send("news@outside.test", `team@${D}`);
    await sendToBlocked("spam@spam-list.example", alice);
    await delivered(5);
    // Deferred, then sent: LMTP is down, then back.
    stack.system.setDovecotRunning(false);
    await send("late@outside.test", alice);
    await waitForLog(/ to=<alice@example\.org>, relay=none, .* status=deferred /, 1);
    stack.system.setDovecotRunning(true);
    await delivered(6);

    const run = await runAddresses(["--planned", plannedFile, "--log", stack.system.mailLogDir, "--json"]);
    fromDirCode = run.code;
    fromDir = parseReport(run);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("the log is docker-mailserver's: RFC 3339 lines from rsyslog, rotated to mail.log.1 and mail.log.2.gz", () => {
    expect(readdirSync(stack.system.mailLogDir).sort()).toEqual(["mail.log", "mail.log.1", "mail.log.2.gz"]);
    const first = mailLog().split("\n")[0];
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d \S+ postfix\/\S+\[\d+\]: /);
    expect(fromDir.log.files.map((f) => f.split("/").pop())).toEqual(["mail.log.2.gz", "mail.log.1", "mail.log"]);
    expect(fromDir.log.postfixEvents).toBeGreaterThan(50);
    expect(hostDevLog()).toBe(devLogBefore);
  });

  it("counts messages per address with their delivery kind, across the rotated files", () => {
    expect(row(fromDir, alice)).toMatchObject({
      kind: "account",
      delivered: 6,
      refused: 0,
      deferred: 0,
      deliveredTo: [alice],
    });
    expect(senderCounts(row(fromDir, alice))).toEqual({
      "outside.test": 3,
      "steampowered.com": 1,
      "bücher.example": 1,
      "spam-list.example": 1,
    });
    expect(row(fromDir, `team@${D}`)).toMatchObject({
      kind: "alias",
      delivered: 1,
      deliveredTo: [alice, SCENARIO.accounts.bob],
    });
    expect(row(fromDir, `github@${D}`)).toMatchObject({
      kind: "catch-all",
      delivered: 3,
      deliveredTo: [SCENARIO.catchAllTarget],
    });
    expect(row(fromDir, `hi+news@${D}`)).toMatchObject({ kind: "tag", siteName: "news", delivered: 1 });
    expect(row(fromDir, SCENARIO.blocked)).toMatchObject({ kind: "blocked", delivered: 0, refused: 2 });
    expect(row(fromDir, SCENARIO.blocked).refusals).toEqual([
      { reason: "554 5.7.1 Recipient address rejected: Access denied", count: 2 },
    ]);
    expect(row(fromDir, `bilibili@${D}`).delivered).toBe(4);
    expect(row(fromDir, `steam@${D}`).delivered).toBe(3);
    // first/last seen follow the log: bilibili@ first in week 1, last in week 3.
    const bilibili = row(fromDir, `bilibili@${D}`);
    expect(bilibili.first < bilibili.last).toBe(true);
  });

  it("flags the address that got mail from unrelated senders, with the evidence, and none of the others", () => {
    const bilibili = row(fromDir, `bilibili@${D}`);
    expect(bilibili.leak).toMatchObject({ status: "likely", site: ["bilibili.com"] });
    expect(bilibili.leak!.unrelated.map((s) => [s.display, s.messages])).toEqual([
      ["cheap-pills.example", 1],
      ["spam-list.example", 1],
    ]);
    expect(bilibili.leak!.since).toBe(bilibili.leak!.unrelated[0].first);
    // The site's subdomain, a bulk sender, a related sender in config, a matching tag: no flag.
    for (const clean of [`github@${D}`, `steam@${D}`, `hi+news@${D}`]) expect(row(fromDir, clean).leak).toBeUndefined();
    expect(senderCounts(row(fromDir, `github@${D}`))).toEqual({ "github.com": 2, "sendgrid.net": 1 });
    expect(row(fromDir, `steam@${D}`).senders.find((s) => s.domain === "valvesoftware.com")?.relation).toBe("related");
    // One sender that does not match the name: said, not flagged.
    expect(row(fromDir, `shop@${D}`).leak?.status).toBe("unmatched");
    expect(fromDirCode).toBe(1);
    expect(fromDir.ok).toBe(false);
    expect(fromDir.blocking.commands).toEqual([`pulumi config set --path 'blocked[1]' bilibili@${D}`, "pulumi up"]);
  });

  it("reads the same from the container over the stack's Docker connection (docker.host), streaming each file", async () => {
    const root = join(scratch, "docker");
    mkdirSync(join(root, "mailserver", "var", "log"), { recursive: true });
    symlinkSync(stack.system.mailLogDir, join(root, "mailserver", "var", "log", "mail"));
    const calls = join(scratch, "docker-calls.log");
    const run = await runAddresses(["--planned", plannedFile, "--json"], {
      PATH: pathWithStandIns(),
      STANDIN_DOCKER_ROOT: root,
      STANDIN_DOCKER_HOST: DOCKER_HOST,
      STANDIN_DOCKER_CALLS: calls,
    });
    const fromContainer = parseReport(run);
    expect(run.code).toBe(1);
    expect(fromContainer.domains).toEqual(fromDir.domains);
    expect(fromContainer.log.files).toEqual([
      "mailserver:/var/log/mail/mail.log.2.gz",
      "mailserver:/var/log/mail/mail.log.1",
      "mailserver:/var/log/mail/mail.log",
    ]);
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      `--host ${DOCKER_HOST} exec mailserver ls -1 /var/log/mail`,
      `--host ${DOCKER_HOST} exec mailserver cat /var/log/mail/mail.log.2.gz`,
      `--host ${DOCKER_HOST} exec mailserver cat /var/log/mail/mail.log.1`,
      `--host ${DOCKER_HOST} exec mailserver cat /var/log/mail/mail.log`,
    ]);
  });

  it("prints the table with the leak hint and the block commands", async () => {
    const run = await runAddresses(["--planned", plannedFile, "--log", stack.system.mailLogDir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`✗ bilibili@example\\.org +catch-all → hi +4 +0 `));
    expect(run.stdout).toContain(
      `✗ bilibili@${D} likely leaked: given to bilibili.com; also mail from cheap-pills.example (1, since`,
    );
    expect(run.stdout).toContain(`  pulumi config set --path 'blocked[1]' bilibili@${D}\n  pulumi up\n`);
    expect(run.stdout).not.toContain("\x1b[");
  });
});
