/**
 * The command line: inputs (planned deployment, --log, the container through a stand-in docker CLI), output
 * forms, exit codes, the block commands' index from the stack config, and --block through a stand-in Pulumi CLI
 * and the `mailstack` launcher.
 */
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PLANNED } from "./fixtures/planned";
import { parseReport, pathWithStandIns, row, runAddresses } from "./fixtures/run-addresses";

let dir: string;
let plannedFile: string;
let logDir: string;

/** A message from `from` to `to` as docker-mailserver's mail.log shows it (RFC 3339, qmgr + lmtp + removed). */
function message(id: string, day: string, from: string, to: string, deliveredTo = to): string[] {
  const at = (s: string) => `2025-03-${day}T10:00:0${s}.000000+00:00 mail`;
  const orig = deliveredTo === to ? "" : ` orig_to=<${to}>,`;
  return [
    `${at("1")} postfix/qmgr[10]: ${id}: from=<${from}>, size=100, nrcpt=1 (queue active)`,
    `${at("2")} postfix/lmtp[11]: ${id}: to=<${deliveredTo}>,${orig} relay=mail.example.org[/var/run/dovecot/lmtp], delay=0.1, delays=0.1/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 <${deliveredTo}> x Saved)`,
    `${at("2")} postfix/qmgr[10]: ${id}: removed`,
  ];
}

const LOG = [
  ...message("A00001", "01", "friend@outside.example", "alice@example.org"),
  ...message("A00002", "02", "noreply@bilibili.com", "bilibili@example.org", "hi@example.org"),
  ...message("A00003", "20", "promo@spam.example", "bilibili@example.org", "hi@example.org"),
  ...message("A00004", "21", "noreply@github.com", "github@example.org", "hi@example.org"),
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mailstack-addresses-cli-"));
  plannedFile = join(dir, "planned.json");
  writeFileSync(plannedFile, JSON.stringify(PLANNED));
  logDir = join(dir, "engine", "mailserver", "var", "log", "mail");
  mkdirSync(logDir, { recursive: true });
  writeFileSync(join(logDir, "mail.log"), LOG.join("\n") + "\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mailstack addresses command line", () => {
  it("reads --log and prints a plain table off a terminal; exit 1 for a likely leak", async () => {
    const run = await runAddresses(["--planned", plannedFile, "--log", join(logDir, "mail.log")]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("mailstack addresses: example.org\n1 log file, 12 lines, 2025-03-01 → 2025-03-21\n");
    expect(run.stdout).toMatch(
      /✗ bilibili@example\.org +catch-all → hi +2 +0 +2025-03-02 +2025-03-20 +bilibili\.com 1, spam\.example 1/,
    );
    expect(run.stdout).toContain("pulumi config set --path 'blocked[1]' bilibili@example.org\n  pulumi up\n");
    expect(run.stdout).toContain("N in blocked[N] counts the blocked list of the deployed outputs");
    expect(run.stdout).not.toContain("\x1b[");
  });

  it("--since counts from that day; --json and --color", async () => {
    const since = parseReport(
      await runAddresses(["--planned", plannedFile, "--log", logDir, "--since", "2025-03-10", "--json"]),
    );
    expect(since.ok).toBe(true);
    expect(row(since, "bilibili@example.org")).toMatchObject({ delivered: 1, leak: { status: "unmatched" } });
    expect(since.domains[0].addresses.map((a) => a.address)).toEqual(["bilibili@example.org", "github@example.org"]);
    expect(since.log.since).toBe("2025-03-10T00:00:00.000Z");
    const coloured = await runAddresses(["--planned", plannedFile, "--log", logDir, "--color"]);
    expect(coloured.stdout).toContain("\x1b[31m✗\x1b[0m bilibili@example.org");
    const noColour = await runAddresses(["--planned", plannedFile, "--log", logDir, "--color", "--no-color"]);
    expect(noColour.stdout).not.toContain("\x1b[");
  });

  it("joins a message whose lines span a rotation (from= in mail.log.2.gz, delivery in mail.log.1)", async () => {
    const rotated = join(dir, "rotated");
    mkdirSync(rotated);
    const [from, delivery, removed] = message(
      "B00001",
      "05",
      "noreply@github.com",
      "github@example.org",
      "hi@example.org",
    );
    writeFileSync(join(rotated, "mail.log.2.gz"), gzipSync(`${LOG.slice(0, 3).join("\n")}\n${from}\n`));
    writeFileSync(join(rotated, "mail.log.1"), `${delivery}\n${removed}\n`);
    writeFileSync(join(rotated, "mail.log"), "");
    const report = parseReport(await runAddresses(["--planned", plannedFile, "--log", rotated, "--json"]));
    expect(report.log.files.map((f) => f.split("/").pop())).toEqual(["mail.log.2.gz", "mail.log.1", "mail.log"]);
    expect(row(report, "github@example.org")).toMatchObject({ delivered: 1, senders: [{ domain: "github.com" }] });
    expect(row(report, "alice@example.org").delivered).toBe(1);
  });

  it("reads the planned deployment from stdin", async () => {
    const run = await runAddresses(["--log", logDir, "--json"], {}, JSON.stringify(PLANNED));
    expect(parseReport(run).domains[0].domain).toBe("example.org");
  });

  it("without --log reads the container over the stack's docker.host and container name", async () => {
    const calls = join(dir, "docker-calls");
    const run = await runAddresses(["--planned", plannedFile, "--json"], {
      PATH: pathWithStandIns(),
      STANDIN_DOCKER_ROOT: join(dir, "engine"),
      STANDIN_DOCKER_HOST: PLANNED.docker!.host,
      STANDIN_DOCKER_CALLS: calls,
    });
    expect(run.code).toBe(1);
    expect(parseReport(run).log.files).toEqual(["mailserver:/var/log/mail/mail.log"]);
    expect(readFileSync(calls, "utf8")).toBe(
      "--host ssh://deploy@203.0.113.25 exec mailserver ls -1 /var/log/mail\n" +
        "--host ssh://deploy@203.0.113.25 exec mailserver cat /var/log/mail/mail.log\n",
    );
  });

  it("usage, input and log errors exit 2 with a clear message", async () => {
    expect((await runAddresses(["--help"])).stdout).toContain("Usage: mailstack addresses");
    expect(await runAddresses(["--planned", plannedFile, "--stack", "prod"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("give either --planned or --stack, not both"),
    });
    expect(await runAddresses(["--planned", plannedFile, "--since", "March"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--since expects a date like 2025-03-01, got "March"'),
    });
    expect(await runAddresses(["--planned", plannedFile, "--block", "x", "--json"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--block changes the stack config; it reads no log"),
    });
    expect(await runAddresses(["--planned", plannedFile, "--log", join(dir, "absent")])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`cannot read --log ${join(dir, "absent")}`),
    });
    expect(await runAddresses(["--planned", plannedFile], { PATH: join(dir, "no-bin") })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("the docker CLI is not installed"),
    });
    expect(await runAddresses([], {}, "{}")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("stdin is not a mailstack planned deployment"),
    });
  });
});

describe("blocking through the Pulumi CLI (stand-in)", () => {
  let pulumiDir: string;
  const env = (extra: Record<string, string> = {}) => ({
    ...process.env,
    PATH: pathWithStandIns(),
    STANDIN_PULUMI_DIR: pulumiDir,
    STANDIN_PULUMI_STACK: "prod",
    ...extra,
  });
  const calls = () =>
    readFileSync(join(pulumiDir, "calls.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as string[]).join(" "));
  const config = () => JSON.parse(readFileSync(join(pulumiDir, "config.json"), "utf8"));
  /** The `mailstack` launcher, as a user runs it: pulumi up gets the terminal (here: pipes). */
  const launcher = (args: string[], extra: Record<string, string> = {}) =>
    spawnSync(join(process.cwd(), "node_modules/.bin/node"), ["doctor/mailstack.cjs", "addresses", ...args], {
      encoding: "utf8",
      timeout: 30_000,
      env: env(extra),
    });

  beforeEach(() => {
    pulumiDir = mkdtempSync(join(dir, "pulumi-"));
    writeFileSync(join(pulumiDir, "outputs.json"), JSON.stringify(PLANNED));
    // The config lists two entries, one as a local part; the deployed outputs only know one.
    writeFileSync(join(pulumiDir, "config.json"), JSON.stringify({ blocked: ["blocked", "old@example.org"] }));
  });

  it("--stack: the printed commands index the stack config's blocked list and name the stack", async () => {
    const run = await runAddresses(["--stack", "prod", "--log", logDir, "--json"], env());
    const report = parseReport(run);
    expect(report.blocking).toEqual({
      commands: ["pulumi config set --path 'blocked[2]' bilibili@example.org --stack prod", "pulumi up --stack prod"],
      indexFrom: "stack config",
    });
    expect(calls()).toEqual(["stack output --json --stack prod", "config get blocked --json --stack prod"]);
  });

  it("--block appends blocked[N] with pulumi config set --path, then runs pulumi up on the terminal", () => {
    const run = launcher(["--stack", "prod", "--block", "bilibili"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      "Added bilibili@example.org as mailstack:blocked[2]. Running pulumi up --stack prod:\n" +
        "Updating (prod) [stand-in]\n" +
        "bilibili@example.org is blocked: the server refuses mail to it at RCPT time (554 5.7.1).\n",
    );
    expect(calls()).toEqual([
      "stack output --json --stack prod",
      "config get blocked --json --stack prod",
      "config set --path blocked[2] bilibili@example.org --stack prod",
      "up --stack prod",
    ]);
    expect(config().blocked).toEqual(["blocked", "old@example.org", "bilibili@example.org"]);
  });

  it("a failed pulumi up keeps the config change and says how to apply or undo it", () => {
    const run = launcher(["--stack", "prod", "--block", "bilibili@example.org"], { STANDIN_PULUMI_UP_EXIT: "255" });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("pulumi up did not complete (exit 255)");
    expect(run.stdout).toContain("undo it with: pulumi config rm --path 'blocked[2]' --stack prod");
    expect(config().blocked).toHaveLength(3);
  });

  it("refuses an address already blocked (no change), an account, another domain; without pulumi says so", () => {
    const again = launcher(["--stack", "prod", "--block", "blocked@example.org"]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("blocked@example.org is already in mailstack:blocked");
    expect(calls()).not.toContain("up --stack prod");
    const account = launcher(["--stack", "prod", "--block", "hi"]);
    expect(account.status).toBe(2);
    expect(account.stderr).toContain("hi@example.org is an account; blocking it would refuse all its mail");
    const other = launcher(["--stack", "prod", "--block", "x@other.example"]);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain("not at example.org");
    const noPulumi = launcher(["--planned", plannedFile, "--block", "bilibili"], { PATH: join(dir, "no-bin") });
    expect(noPulumi.status).toBe(2);
    expect(noPulumi.stderr).toContain("the pulumi CLI is not installed");
  });
});
