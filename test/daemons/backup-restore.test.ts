/**
 * Issue 15: a backup that is proven to restore. Mail is delivered through real Postfix into real Dovecot,
 * flagged and filed over IMAP; then the backup container's own scheduled job (its crontab line, its
 * script, its mounts and secret files, taken from the container the program registers) runs with the real
 * restic against an S3 endpoint on loopback and against a local directory; the Maildir is wiped; the
 * restore command the stack exports restores it; Dovecot starts on the restored files and serves the same
 * messages, flags, folders and UIDs over IMAPS. A wrong key restores nothing and says why.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daemonsRunnable } from "./harness/daemons-available";
import { LoopbackStack, programFiles, SCENARIO, startLoopbackStack } from "./harness/loopback-stack";
import { marker, openImap, sendMail, waitForInbox } from "./harness/mail-clients";
import { ContainerMount, ContainerUpload, runInContainerRoot } from "./harness/container-root";
import { waitForPorts } from "./harness/ports";
import { FakeS3, S3_CREDENTIALS, startFakeS3 } from "../fakes/s3";
import { ProgramRun, resourceOf } from "../support/run-program";

const CONTAINER = "docker:index/container:Container";
const OUTSIDE = "127.0.0.2";
const { alice } = SCENARIO.accounts;
const PASSWORDS = { hi: "hi-Loopback-1", alice: "alice-Loopback-1", bob: "bob-Loopback-1" };
const BUCKET = "mail-backups";

interface MessageState {
  uid: number;
  subject: string;
  flags: string[];
}
type MailboxState = Record<string, { uidValidity: string; messages: MessageState[] }>;

/**
 * What a mail client sees: every message's UID, subject and stored flags in INBOX and Archive. \Recent is
 * left out: it is not stored but marks the first session to see a message (RFC 3501 2.3.2).
 */
async function mailboxState(stack: LoopbackStack): Promise<MailboxState> {
  const client = await openImap(stack.system, alice, PASSWORDS.alice);
  try {
    const state: MailboxState = {};
    for (const path of ["INBOX", "Archive"]) {
      const box = await client.mailboxOpen(path);
      const messages: MessageState[] = [];
      if (box.exists)
        for await (const m of client.fetch("1:*", { uid: true, flags: true, envelope: true }))
          messages.push({
            uid: m.uid,
            subject: m.envelope?.subject ?? "",
            flags: [...(m.flags ?? [])].filter((f) => f !== "\\Recent").sort(),
          });
      state[path] = { uidValidity: String(box.uidValidity), messages: messages.sort((a, b) => a.uid - b.uid) };
    }
    return state;
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** Directories and regular files under `dir`: path, type, mode, owner and size. */
function tree(dir: string, rel = ""): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true })
    .filter((e) => e.isDirectory() || e.isFile())
    .flatMap((e) => {
      const path = join(rel, e.name);
      const s = statSync(join(dir, path));
      const entry = `${path} ${e.isDirectory() ? "d" : "f"} ${(s.mode & 0o7777).toString(8)} ${s.uid}:${s.gid} ${e.isFile() ? s.size : ""}`;
      return e.isDirectory() ? [entry, ...tree(dir, path)] : [entry];
    })
    .sort();
}

/** The backup container the program registered, as a root to run commands in; volumes map to host dirs. */
function backupContainer(run: ProgramRun, volumes: Record<string, string>) {
  const c = resourceOf(run, CONTAINER, "-backup-container");
  const mounts: ContainerMount[] = (
    c.inputs.volumes as { volumeName?: string; hostPath?: string; containerPath: string; readOnly?: boolean }[]
  ).map((v) => ({
    source: v.hostPath ?? volumes[v.volumeName!],
    target: v.containerPath,
    readOnly: v.readOnly ?? false,
  }));
  const uploads = c.inputs.uploads as ContainerUpload[];
  const crontab = uploads.find((u) => u.file === "/run/mailstack/crontabs/root")!.content;
  // crond runs the sixth field on, with `sh -c`.
  const jobs = crontab
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("#"))
    .map((l) => l.trim().split(/\s+/).slice(5).join(" "));
  return { inputs: c.inputs, root: { uploads, mounts, envs: c.inputs.envs as string[] }, jobs };
}

/**
 * The exported restore command, split where Docker would: the key on stdin, `-v` mounts (read-write), `-e`
 * variables taken from the caller's environment, the image, and the arguments the image hands to restic.
 */
function restoreCommand(run: ProgramRun) {
  const text: string = run.outputs.backup.restoreCommand;
  const [keySource, docker] = text.split(" | ");
  const words = docker.split(" ");
  expect(words.slice(0, 4)).toEqual(["docker", "run", "--rm", "-i"]);
  const mounts: { source: string; target: string }[] = [];
  const env: string[] = [];
  let i = 4;
  for (; words[i].startsWith("-"); i += 2) {
    if (words[i] === "-v") {
      const [source, target] = words[i + 1].split(":");
      mounts.push({ source, target });
    } else if (words[i] === "-e") env.push(words[i + 1]);
    else throw new Error(`unexpected docker option ${words[i]} in ${text}`);
  }
  return { keySource, mounts, env, image: words[i], resticArgs: words.slice(i + 1).join(" ") };
}

describe.skipIf(!daemonsRunnable())("backup and restore of the mail on real daemons", () => {
  let s3: FakeS3;
  let stack: LoopbackStack;
  let localRepo: string;
  let scratch: string;
  let before: MailboxState;
  const subjects = [
    marker("backup-seen"),
    marker("backup-flagged"),
    marker("backup-answered"),
    marker("backup-archived"),
  ];

  beforeAll(async () => {
    s3 = await startFakeS3(BUCKET);
    stack = await startLoopbackStack(PASSWORDS, {
      backup: {
        schedule: "30 2 * * *",
        timezone: "Europe/Berlin",
        retention: { daily: 3, weekly: 2, monthly: 1 },
        destination: {
          type: "s3",
          endpoint: s3.endpoint,
          bucket: BUCKET,
          path: "mail/example.org",
          bucketLookup: "path",
        },
      },
      backupS3AccessKeyId: S3_CREDENTIALS.accessKeyId,
      backupS3SecretAccessKey: S3_CREDENTIALS.secretAccessKey,
    });
    scratch = mkdtempSync(join(tmpdir(), "mailstack-restore-"));
    localRepo = join(scratch, "local-repository");
    mkdirSync(localRepo);

    for (const subject of subjects)
      await sendMail(
        stack.system,
        "smtp",
        { from: "someone@outside.test", to: alice, subject, text: subject },
        undefined,
        OUTSIDE,
      );
    for (const subject of subjects) await waitForInbox(stack.system, alice, PASSWORDS.alice, subject);

    const client = await openImap(stack.system, alice, PASSWORDS.alice);
    try {
      await client.mailboxOpen("INBOX");
      const uidOf = async (subject: string) => (await client.search({ subject }, { uid: true })) as number[];
      await client.messageFlagsAdd(await uidOf(subjects[0]), ["\\Seen"], { uid: true });
      await client.messageFlagsAdd(await uidOf(subjects[1]), ["\\Seen", "\\Flagged", "$Important"], { uid: true });
      await client.messageFlagsAdd(await uidOf(subjects[2]), ["\\Answered"], { uid: true });
      await client.mailboxCreate("Archive");
      await client.messageMove(await uidOf(subjects[3]), "Archive", { uid: true });
    } finally {
      await client.logout().catch(() => undefined);
    }
    before = await mailboxState(stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs the container's scheduled job: the backup exactly as crond would start it. */
  async function scheduledBackup(run: ProgramRun) {
    const container = backupContainer(run, {
      "mailserver-mail-data": stack.system.dovecot.mailRoot,
      "mailserver-mail-state": stack.system.postfix.queueDir,
    });
    expect(container.jobs).toEqual(["/bin/sh /run/mailstack/backup.sh run"]);
    const result = await runInContainerRoot(container.root, container.jobs[0]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/mailstack-backup: done$/m);
    return { container, result };
  }

  /** Stops Dovecot and empties the mail root, as a lost disk would. */
  function wipeMail() {
    stack.system.setDovecotRunning(false);
    const root = stack.system.dovecot.mailRoot;
    for (const e of readdirSync(root)) rmSync(join(root, e), { recursive: true, force: true });
    expect(readdirSync(root)).toEqual([]);
  }

  /** Dovecot on whatever the mail root now holds, once IMAPS answers. */
  async function startDovecotAgain() {
    stack.system.setDovecotRunning(true);
    await waitForPorts([stack.ports.imaps], 20_000, () => stack.system.logs());
  }

  /** Runs the exported restore command's restic part with `key` on stdin; mail-state goes to `stateDir`. */
  async function restore(run: ProgramRun, key: string, stateDir: string) {
    const command = restoreCommand(run);
    expect(command.keySource).toBe("pulumi stack output backupKey --show-secrets");
    expect(command.image).toBe(resourceOf(run, "docker:index/remoteImage:RemoteImage", "-backup-image").inputs.name);
    // The same mounts as the backup container (there read-only), here read-write.
    const volumes = resourceOf(run, CONTAINER, "-backup-container").inputs.volumes as {
      volumeName?: string;
      hostPath?: string;
      containerPath: string;
    }[];
    expect(command.mounts).toEqual(
      volumes.map((v) => ({ source: v.volumeName ?? v.hostPath, target: v.containerPath })),
    );
    const sources: Record<string, string> = {
      "mailserver-mail-data": stack.system.dovecot.mailRoot,
      "mailserver-mail-state": stateDir,
    };
    const env = command.env.map((name) => {
      const value = {
        AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
      }[name];
      if (!value) throw new Error(`the restore command passes ${name}, which the test does not know`);
      return `${name}=${value}`;
    });
    return runInContainerRoot(
      {
        uploads: [],
        mounts: command.mounts.map((m) => ({
          source: sources[m.source] ?? m.source,
          target: m.target,
          readOnly: false,
        })),
        envs: env,
      },
      // The image's entrypoint runs restic with the arguments after the image name.
      `/usr/bin/restic ${command.resticArgs}`,
      { stdin: `${key}\n` },
    );
  }

  it(
    "backs up to S3 with the container's own job, restores with the exported command, and Dovecot serves the same mail",
    { timeout: 180_000 },
    async () => {
      const run = stack.run;
      const key: string = run.outputs.backupKey;
      expect(before.INBOX.messages.map((m) => [m.subject, m.flags])).toEqual([
        [subjects[0], ["\\Seen"]],
        [subjects[1], ["$Important", "\\Flagged", "\\Seen"]],
        [subjects[2], ["\\Answered"]],
      ]);
      expect(before.Archive.messages.map((m) => m.subject)).toEqual([subjects[3]]);
      const stateBefore = tree(stack.system.postfix.queueDir);
      expect(stateBefore.some((e) => e.startsWith("deferred d"))).toBe(true);

      await scheduledBackup(run);
      // A second scheduled run the same day: deduplicated, and retention (one per day) leaves one snapshot.
      const second = await scheduledBackup(run);
      expect(second.result.stdout).toMatch(/remove 1 snapshots/);
      const prefix = "mail/example.org/";
      expect(s3.keys(prefix)).toContain(`${prefix}config`);
      expect(s3.keys(`${prefix}snapshots/`)).toHaveLength(1);
      expect(s3.keys(`${prefix}data/`).length).toBeGreaterThan(0);

      wipeMail();
      const stateDir = join(scratch, "state-from-s3");
      mkdirSync(stateDir);

      const wrong = await restore(run, "not-the-backup-key", stateDir);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/wrong password or no key found/);
      expect(readdirSync(stack.system.dovecot.mailRoot)).toEqual([]);

      const restored = await restore(run, key, stateDir);
      expect(restored.code, `${restored.stdout}\n${restored.stderr}`).toBe(0);
      expect(tree(stateDir)).toEqual(stateBefore);

      await startDovecotAgain();
      expect(await mailboxState(stack)).toEqual(before);
    },
  );

  it("does the same with a local directory as the destination", { timeout: 180_000 }, async () => {
    const local = await programFiles(PASSWORDS, stack.stateDir, {
      backup: { destination: { type: "local", path: localRepo } },
    });
    // Same stack state: the key is the one the S3 run used.
    expect(local.run.outputs.backupKey).toBe(stack.run.outputs.backupKey);
    await scheduledBackup(local.run);
    expect(readdirSync(join(localRepo, "snapshots"))).toHaveLength(1);

    wipeMail();
    const stateDir = join(scratch, "state-from-local");
    mkdirSync(stateDir);
    const restored = await restore(local.run, local.run.outputs.backupKey, stateDir);
    expect(restored.code, `${restored.stdout}\n${restored.stderr}`).toBe(0);
    await startDovecotAgain();
    expect(await mailboxState(stack)).toEqual(before);
  });
});
