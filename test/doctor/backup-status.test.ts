/**
 * `mailstack backup status` and the doctor's Backup section against a real restic repository (a local
 * directory), with snapshots dated by `restic backup --time` so that fresh, late and stale are exact.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { unwrap } from "./fixtures/run-doctor";
import { tmpdir } from "node:os";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../doctor/backup-cli";
import { REQUIRE_DAEMONS } from "../daemons/harness/daemons-available";
import { runDoctor, parseReport } from "./fixtures/run-doctor";

const KEY = "status-test-repository-key";
const HOST = "mail.example.test";
const NOW = new Date("2026-06-10T12:00:00Z");
const RESTIC = "/usr/bin/restic";

async function status(argv: string[], env: Record<string, string | undefined> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(["status", ...argv], {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: Readable.from([]) as Readable & { isTTY?: boolean },
    env: { PATH: process.env.PATH, ...env },
    now: NOW,
  });
  return { code, stdout: unwrap(stdout), stderr };
}

describe.skipIf(!existsSync(RESTIC) && !REQUIRE_DAEMONS)("mailstack backup status", () => {
  let dir: string;
  let repository: string;
  let data: string;
  const plannedFile = (name: string, backup: unknown) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        domain: "example.test",
        hostname: HOST,
        dnsRecords: [],
        zoneFile: "",
        dkim: { selector: "mail", publicKey: "AAAA" },
        clientSettings: {
          imap: { host: HOST, port: 993, security: "SSL/TLS" },
          smtp: { host: HOST, port: 587, security: "STARTTLS" },
          username: "%EMAILADDRESS%",
        },
        backup,
      }),
    );
    return file;
  };
  const plan = (repo: string) => ({
    enabled: true,
    repository: repo,
    options: [],
    container: "mailserver-backup",
    host: HOST,
    tag: "mailstack",
    schedule: "0 3 * * *",
    timezone: "UTC",
    retention: { daily: 7, weekly: 4, monthly: 12 },
    restoreCommand: "pulumi stack output backupKey --show-secrets | docker run …",
  });
  const snapshotAt = (time: string) =>
    execFileSync(RESTIC, ["--repo", repository, "backup", "--host", HOST, "--tag", "mailstack", "--time", time, data], {
      env: { PATH: process.env.PATH, RESTIC_PASSWORD: KEY, RESTIC_CACHE_DIR: join(dir, "cache") },
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mailstack-backup-status-"));
    repository = join(dir, "repository");
    data = join(dir, "mail");
    mkdirSync(join(data, "example.test", "alice", "cur"), { recursive: true });
    writeFileSync(
      join(data, "example.test", "alice", "cur", "1.mail:2,S"),
      "Subject: hello\r\n\r\nbody\r\n".repeat(100),
    );
    execFileSync(RESTIC, ["--repo", repository, "init"], { env: { PATH: process.env.PATH, RESTIC_PASSWORD: KEY } });
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("fails on an empty repository, then judges the newest snapshot against the schedule", async () => {
    const file = plannedFile("plan", plan(repository));
    const env = { MAILSTACK_BACKUP_KEY: KEY };

    const empty = await status(["--planned", file], env);
    expect(empty.code).toBe(1);
    expect(empty.stdout).toMatch(/✗ last snapshot +none yet/);
    expect(empty.stdout).toContain("docker exec mailserver-backup /bin/sh /run/mailstack/backup.sh run");

    snapshotAt("2026-06-07 03:00:05");
    const stale = await status(["--planned", file], env);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(
      /✗ last snapshot +taken 2026-06-07T03:00:05\.000Z, 3 days 9 h ago: older than two schedule periods \(2 × 24 h 0 min, schedule "0 3 \* \* \*" UTC\)/,
    );

    snapshotAt("2026-06-09 03:00:05");
    const late = await status(["--planned", file], env);
    expect(late.code).toBe(0);
    expect(late.stdout).toMatch(
      /! last snapshot +taken 2026-06-09T03:00:05\.000Z, .* the run due 2026-06-10T03:00:00\.000Z left no snapshot/,
    );

    snapshotAt("2026-06-10 03:00:05");
    const fresh = await status(["--planned", file, "--json"], env);
    expect(fresh.code).toBe(0);
    const report = JSON.parse(fresh.stdout);
    expect(report).toMatchObject({
      ok: true,
      repository,
      host: HOST,
      lastSnapshot: { time: "2026-06-10T03:00:05.000Z", ageSeconds: 8 * 3600 + 59 * 60 + 55, count: 3 },
    });
    // restic counts the directories too: every one from / down to cur, and the message.
    expect(report.lastSnapshot.files).toBe(
      join(data, "example.test", "alice", "cur", "1.mail:2,S").split("/").length - 1,
    );
    expect(report.lastSnapshot.bytes).toBe("Subject: hello\r\n\r\nbody\r\n".length * 100);
    expect(report.checks.map((c: { name: string; status: string }) => `${c.name} ${c.status}`)).toEqual([
      "repository pass",
      "last snapshot pass",
      "size pass",
    ]);
  });

  it("reports a wrong key, a missing repository, a missing key or restic, and switched-off backups", async () => {
    const file = plannedFile("plan2", plan(repository));
    const wrong = await status(["--planned", file], { MAILSTACK_BACKUP_KEY: "not-the-key" });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/✗ repository +the key does not open the repository /);
    expect(wrong.stdout).toContain(`the key does not open the repository ${repository}`);
    expect(wrong.stdout).not.toContain("not-the-key");

    const missing = await status(["--planned", file, "--repository", join(dir, "nowhere")], {
      MAILSTACK_BACKUP_KEY: KEY,
    });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(`there is no repository at ${join(dir, "nowhere")}`);

    expect(await status(["--planned", file])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("no repository key: set MAILSTACK_BACKUP_KEY"),
    });
    expect(await status(["--planned", file], { MAILSTACK_BACKUP_KEY: KEY, PATH: "/nonexistent" })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("restic is not installed"),
    });
    const off = await status(["--planned", plannedFile("off", { enabled: false })]);
    expect(off.code).toBe(1);
    expect(off.stdout).toContain("✗ backups  switched off (backup.enabled: false)");
    expect(await status(["--planned", plannedFile("none", undefined)])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("the plan has no backup section"),
    });
    expect(await status(["--bogus"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Usage: mailstack backup status"),
    });
  });

  it("runs from the mailstack launcher, and the doctor reports the backup's age", async () => {
    const file = plannedFile("plan3", plan(repository));
    const root = resolve(__dirname, "../..");
    const launched = spawnSync(
      join(root, "node_modules/.bin/node"),
      [join(root, "doctor/mailstack.cjs"), "backup", "status", "--planned", file],
      {
        env: { PATH: process.env.PATH, MAILSTACK_BACKUP_KEY: KEY },
        encoding: "utf8",
      },
    );
    // The real clock: the newest snapshot (2026-06-10) is judged against today.
    expect(launched.stdout).toContain(`mailstack backup status: example.test → ${repository}`);
    expect(launched.stdout).toMatch(/last snapshot +taken 2026-06-10T03:00:05\.000Z/);

    const doctor = parseReport(
      await runDoctor(
        [
          "--planned",
          file,
          "--json",
          "--connect",
          "127.0.0.1",
          "--resolver",
          "127.0.0.1:9",
          "--timeout",
          "300",
          "--dnsbl",
          "none",
        ],
        { MAILSTACK_BACKUP_KEY: KEY, PATH: process.env.PATH },
      ),
    );
    const backup = doctor.checks.filter((c) => c.group === "Backup");
    expect(backup.map((c) => c.name)).toEqual(["repository", "last snapshot", "size"]);
    expect(backup[1].detail).toMatch(/^taken 2026-06-10T03:00:05\.000Z/);
    const keyless = parseReport(
      await runDoctor([
        "--planned",
        file,
        "--json",
        "--connect",
        "127.0.0.1",
        "--resolver",
        "127.0.0.1:9",
        "--timeout",
        "300",
        "--dnsbl",
        "none",
      ]),
    );
    expect(keyless.checks.filter((c) => c.group === "Backup")).toEqual([
      {
        group: "Backup",
        name: "last snapshot",
        status: "skip",
        detail: "no key: set MAILSTACK_BACKUP_KEY, or pass --stack",
      },
    ]);
  });
});
