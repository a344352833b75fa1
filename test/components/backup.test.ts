import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESTIC_IMAGE } from "../../lib/config-backup";
import { newStateDir, ProgramRun, PROD_CONFIG, resourceOf, runProgram } from "../support/run-program";

const CONTAINER = "docker:index/container:Container";
const S3_CONFIG = {
  ...PROD_CONFIG,
  backup: {
    schedule: "15 4 * * 1-5",
    timezone: "Europe/Berlin",
    retention: { daily: 10, weekly: 0, monthly: 6 },
    destination: {
      type: "s3",
      endpoint: "https://s3.eu-central-1.amazonaws.com",
      bucket: "mail-backups",
      path: "qladgk",
      region: "eu-central-1",
      bucketLookup: "path",
    },
  },
  backupS3AccessKeyId: "AKIAEXAMPLEKEYID",
  backupS3SecretAccessKey: "s3-secret-never-in-plain-sight",
};

const backupContainer = (run: ProgramRun) => resourceOf(run, CONTAINER, "-backup-container");
const uploads = (run: ProgramRun) =>
  new Map(
    (backupContainer(run).inputs.uploads as { file: string; content: string; permissions: string }[]).map((u) => [
      u.file,
      u,
    ]),
  );
/** Every input and output that is not marked secret, as text. */
function plainText(run: ProgramRun): string {
  const inputs = run.resources.map((r) =>
    Object.fromEntries(
      Object.entries(r.inputs).filter(
        ([k]) => !r.secretInputs.some((s) => s === k || s.startsWith(`${k}.`) || s.startsWith(`${k}[`)),
      ),
    ),
  );
  const outputs = Object.fromEntries(Object.entries(run.outputs).filter(([k]) => !run.secretOutputs.includes(k)));
  return JSON.stringify({ inputs, outputs });
}

describe("the backup container with the default config", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(PROD_CONFIG);
  });

  it("runs the pinned restic image's crond through the generated script, on the mail server's host name", () => {
    const c = backupContainer(run);
    expect(resourceOf(run, "docker:index/remoteImage:RemoteImage", "-backup-image").inputs.name).toBe(RESTIC_IMAGE);
    expect(RESTIC_IMAGE).toMatch(/^restic\/restic:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    expect(c.inputs).toMatchObject({
      name: "mailserver-backup",
      hostname: "mail.qladgk.com",
      entrypoints: ["/bin/sh", "/run/mailstack/backup.sh"],
      command: ["schedule"],
      envs: ["TZ=UTC"],
      restart: "unless-stopped",
    });
    expect(c.inputs.ports).toBeUndefined();
    expect(c.options?.dependsOn).toEqual(
      expect.arrayContaining(["mailstack-server-mail-data", "mailstack-server-mail-state", "mailstack-backup-image"]),
    );
  });

  it("mounts the mail volumes read-only and the local repository read-write", () => {
    expect(backupContainer(run).inputs.volumes).toEqual([
      { volumeName: "mailserver-mail-data", containerPath: "/backup/mail-data", readOnly: true },
      { volumeName: "mailserver-mail-state", containerPath: "/backup/mail-state", readOnly: true },
      { hostPath: "/var/backups/mailstack", containerPath: "/repository", readOnly: false },
    ]);
  });

  it("schedules the backup in crond and keeps 7 daily, 4 weekly, 12 monthly snapshots", () => {
    const files = uploads(run);
    expect(files.get("/run/mailstack/crontabs/root")).toMatchObject({
      permissions: "0600",
      content: expect.stringMatching(/^0 3 \* \* \* \/bin\/sh \/run\/mailstack\/backup\.sh run$/m),
    });
    const script = files.get("/run/mailstack/backup.sh")!;
    expect(script.permissions).toBe("0700");
    expect(script.content).toContain(
      "/usr/bin/restic --repo /repository --password-file /run/secrets/restic-password --cache-dir /var/cache/restic forget --host mail.qladgk.com --tag mailstack --keep-daily 7 --keep-weekly 4 --keep-monthly 12 --prune",
    );
    expect(script.content).toContain(
      "backup --host mail.qladgk.com --tag mailstack --exclude /backup/mail-state/lib-clamav /backup/mail-data /backup/mail-state",
    );
  });

  it("hands the key over as a 0600 file only; it is a secret output and in no plain input or output", () => {
    const key: string = run.outputs.backupKey;
    expect(key).toMatch(/^\S{20,}$/);
    expect(run.secretOutputs).toContain("backupKey");
    expect(uploads(run).get("/run/secrets/restic-password")).toEqual({
      file: "/run/secrets/restic-password",
      content: `${key}\n`,
      permissions: "0600",
    });
    expect(backupContainer(run).secretInputs).toContain("uploads");
    expect(plainText(run)).not.toContain(key);
    expect(run.outputs.backup.restoreCommand).toBe(
      `pulumi stack output backupKey --show-secrets | docker run --rm -i -v mailserver-mail-data:/backup/mail-data -v mailserver-mail-state:/backup/mail-state -v /var/backups/mailstack:/repository ${RESTIC_IMAGE} --repo /repository restore latest --host mail.qladgk.com --tag mailstack --target /`,
    );
  });
});

describe("the backup container with an S3 destination", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(S3_CONFIG);
  });

  it("addresses the bucket path-style in the region, with the credentials in a 0600 file restic is pointed at", () => {
    const files = uploads(run);
    expect(files.get("/run/secrets/s3-credentials")).toEqual({
      file: "/run/secrets/s3-credentials",
      content:
        "[default]\naws_access_key_id = AKIAEXAMPLEKEYID\naws_secret_access_key = s3-secret-never-in-plain-sight\n",
      permissions: "0600",
    });
    const script = files.get("/run/mailstack/backup.sh")!.content;
    expect(script).toMatch(/^export AWS_SHARED_CREDENTIALS_FILE=\/run\/secrets\/s3-credentials$/m);
    expect(script).toContain(
      "/usr/bin/restic --repo s3:https://s3.eu-central-1.amazonaws.com/mail-backups/qladgk --password-file /run/secrets/restic-password --cache-dir /var/cache/restic --option s3.bucket-lookup=path --option s3.region=eu-central-1 backup",
    );
    expect(backupContainer(run).inputs.volumes).toHaveLength(2);
    expect(JSON.stringify(backupContainer(run).inputs.envs)).not.toMatch(/AWS|secret/i);
    expect(plainText(run)).not.toContain("s3-secret-never-in-plain-sight");
    expect(plainText(run)).not.toContain("AKIAEXAMPLEKEYID");
  });

  it("runs on the configured schedule and time zone, and keeps what the retention says (0 = that flag left out)", () => {
    expect(backupContainer(run).inputs.envs).toEqual(["TZ=Europe/Berlin"]);
    expect(uploads(run).get("/run/mailstack/crontabs/root")!.content).toMatch(/^15 4 \* \* 1-5 \/bin\/sh /m);
    const script = uploads(run).get("/run/mailstack/backup.sh")!.content;
    expect(script).toMatch(/forget --host mail\.qladgk\.com --tag mailstack --keep-daily 10 --keep-monthly 6 --prune/);
    expect(script).not.toContain("--keep-weekly");
  });

  it("exports the plan `mailstack backup status` reads, without credentials", () => {
    expect(run.outputs.backup).toEqual({
      enabled: true,
      repository: "s3:https://s3.eu-central-1.amazonaws.com/mail-backups/qladgk",
      options: ["s3.bucket-lookup=path", "s3.region=eu-central-1"],
      container: "mailserver-backup",
      host: "mail.qladgk.com",
      tag: "mailstack",
      schedule: "15 4 * * 1-5",
      timezone: "Europe/Berlin",
      retention: { daily: 10, weekly: 0, monthly: 6 },
      restoreCommand: expect.stringContaining(
        "-e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY restic/restic:0.19.1@sha256:",
      ),
    });
  });
});

describe("the backup key", () => {
  let state: string;
  beforeAll(() => {
    state = newStateDir();
  });
  afterAll(() => fs.rmSync(state, { recursive: true, force: true }));

  it("is generated once: a re-run, a retention change and switching backups off and on keep it", async () => {
    const first = await runProgram(S3_CONFIG, { stateDir: state });
    const again = await runProgram(S3_CONFIG, { stateDir: state });
    expect(backupContainer(again).inputs).toEqual(backupContainer(first).inputs);
    expect(again.outputs.backupKey).toBe(first.outputs.backupKey);

    const retention = await runProgram(
      { ...S3_CONFIG, backup: { ...S3_CONFIG.backup, retention: { daily: 3 } } },
      { stateDir: state },
    );
    expect(retention.outputs.backupKey).toBe(first.outputs.backupKey);

    const off = await runProgram({ ...PROD_CONFIG, backup: { enabled: false } }, { stateDir: state });
    expect(
      off.resources.filter(
        (r) => r.name.startsWith("mailstack-backup-") && r.type !== "random:index/randomPassword:RandomPassword",
      ),
    ).toEqual([]);
    expect(off.outputs.backup).toEqual({ enabled: false });
    expect(off.outputs.backupKey).toBe(first.outputs.backupKey);
    expect(off.secretOutputs).toContain("backupKey");
    const on = await runProgram(S3_CONFIG, { stateDir: state });
    expect(uploads(on).get("/run/secrets/restic-password")!.content).toBe(`${first.outputs.backupKey}\n`);
  });

  it("can be imported for a repository made by another stack", async () => {
    const imported = await runProgram({ ...PROD_CONFIG, backupKey: "the-old-servers-repository-key" });
    expect(imported.outputs.backupKey).toBe("the-old-servers-repository-key");
    expect(uploads(imported).get("/run/secrets/restic-password")!.content).toBe("the-old-servers-repository-key\n");
    expect(plainText(imported)).not.toContain("the-old-servers-repository-key");
  });
});
