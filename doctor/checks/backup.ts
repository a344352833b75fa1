import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { previousRuns, schedulePeriodMs } from "../../lib/backup-schedule";
import { BackupPlan } from "../../lib/planned";
import { SCRIPT_PATH } from "../../lib/render/backup";
import { DoctorContext } from "../context";
import { listSnapshots, ResticError, ResticTarget, snapshotSize } from "../net/restic";
import { InputError } from "../planned-input";
import { runPulumi, stackArgs } from "../pulumi-cli";
import { CheckResult, errorText, fail, pass, skip, warn } from "../types";

const GROUP = "Backup";
/** How long a scheduled run may take before its missing snapshot is worth a warning. */
const RUN_GRACE_MS = 3_600_000;

export type EnabledBackupPlan = Extract<BackupPlan, { enabled: true }>;

export interface LastSnapshot {
  id: string;
  time: string;
  ageSeconds: number;
  /** Snapshots of this host and tag in the repository. */
  count: number;
  bytes?: number;
  files?: number;
}

const runNow = (plan: EnabledBackupPlan) =>
  `See the runs in docker logs ${plan.container}; start one now with docker exec ${plan.container} /bin/sh ${SCRIPT_PATH} run.`;

const FIX: Record<ResticError["reason"], (plan: EnabledBackupPlan) => string> = {
  "wrong-key": () =>
    "Use the stack's key: MAILSTACK_BACKUP_KEY=$(pulumi stack output backupKey --show-secrets), or pass --stack <name>.",
  "no-repository": (plan) => `The first scheduled run creates it. ${runNow(plan)}`,
  failed: () =>
    "Check that the repository is reachable from here; for S3 set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
  "not-installed": () => "Install restic (Debian: apt-get install restic).",
};

export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  for (; value >= 1024 && unit < units.length - 1; unit++) value /= 1024;
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

/**
 * The newest snapshot against the schedule: a failure once it is older than two schedule periods (the
 * longest gap between two runs), a warning when the last scheduled run left no snapshot an hour later.
 */
export function judgeAge(plan: EnabledBackupPlan, time: Date, now: Date): CheckResult {
  const age = now.getTime() - time.getTime();
  const period = schedulePeriodMs(plan.schedule, plan.timezone, now);
  const seen = `taken ${time.toISOString()}, ${formatDuration(age)} ago`;
  if (age > 2 * period)
    return fail(
      GROUP,
      "last snapshot",
      `${seen}: older than two schedule periods (2 × ${formatDuration(period)}, schedule "${plan.schedule}" ${plan.timezone})`,
      runNow(plan),
    );
  const [due] = previousRuns(plan.schedule, plan.timezone, now, 1);
  if (due && time.getTime() < due.getTime() && now.getTime() - due.getTime() > RUN_GRACE_MS)
    return warn(GROUP, "last snapshot", `${seen}; the run due ${due.toISOString()} left no snapshot`, runNow(plan));
  return pass(GROUP, "last snapshot", seen);
}

/** Reads the repository and judges it; restic problems become failures, except a missing restic (thrown). */
export async function backupResults(
  plan: EnabledBackupPlan,
  target: ResticTarget,
  now: Date,
): Promise<{ results: CheckResult[]; last?: LastSnapshot }> {
  let snapshots;
  try {
    snapshots = await listSnapshots(target, plan.host, plan.tag);
  } catch (error) {
    if (!(error instanceof ResticError) || error.reason === "not-installed") throw error;
    return { results: [fail(GROUP, "repository", error.message, FIX[error.reason](plan))] };
  }
  const results = [
    pass(GROUP, "repository", `${target.repository}: ${snapshots.length} snapshots of ${plan.host} (tag ${plan.tag})`),
  ];
  const latest = snapshots.at(-1);
  if (!latest) {
    results.push(fail(GROUP, "last snapshot", "none yet", runNow(plan)));
    return { results };
  }
  const time = new Date(latest.time);
  results.push(judgeAge(plan, time, now));
  const last: LastSnapshot = {
    id: latest.short_id,
    time: time.toISOString(),
    ageSeconds: Math.round((now.getTime() - time.getTime()) / 1000),
    count: snapshots.length,
  };
  try {
    const size = await snapshotSize(target, latest.id);
    Object.assign(last, size);
    results.push(
      pass(
        GROUP,
        "size",
        `${formatBytes(size.bytes)} in ${size.files} files and directories in snapshot ${latest.short_id} (what a restore writes)`,
      ),
    );
  } catch (error) {
    results.push(fail(GROUP, "size", errorText(error), FIX.failed(plan)));
  }
  return { results, last };
}

/** The repository key: MAILSTACK_BACKUP_KEY, else the stack's secret `backupKey` output when --stack is given. */
export async function findBackupKey(
  env: Record<string, string | undefined>,
  stack: string | undefined,
): Promise<string | undefined> {
  if (env.MAILSTACK_BACKUP_KEY) return env.MAILSTACK_BACKUP_KEY;
  if (!stack) return undefined;
  const run = await runPulumi(["stack", "output", "backupKey", "--show-secrets", "--json", ...stackArgs(stack)], env, {
    whenMissing: "set MAILSTACK_BACKUP_KEY",
  });
  if (run.code !== 0)
    throw new InputError(
      `pulumi stack output backupKey --stack ${stack} failed (exit ${run.code}): ${run.stderr.trim()}`,
    );
  return JSON.parse(run.stdout) as string;
}

/** A local repository is a directory on the server; from elsewhere it is not there to read. */
export function isElsewhere(repository: string): boolean {
  return isAbsolute(repository) && !existsSync(repository);
}

/** The doctor's section: the backup's age when the key, restic and the repository are at hand. */
export async function checkBackup(context: DoctorContext): Promise<CheckResult[]> {
  const plan = context.planned.backup;
  if (!plan) return [skip(GROUP, "backups", "the plan has no backup section (deployed before backups existed)")];
  if (!plan.enabled)
    return [
      warn(
        GROUP,
        "backups",
        "switched off (backup.enabled: false)",
        "Remove backup.enabled: false and run pulumi up: nothing else protects the mail against a lost disk.",
      ),
    ];
  let key;
  try {
    key = await findBackupKey(context.env, context.options.stack);
  } catch (error) {
    return [skip(GROUP, "last snapshot", `cannot read the key: ${errorText(error)}`)];
  }
  if (!key) return [skip(GROUP, "last snapshot", "no key: set MAILSTACK_BACKUP_KEY, or pass --stack")];
  if (isElsewhere(plan.repository))
    return [
      skip(
        GROUP,
        "last snapshot",
        `the repository ${plan.repository} is a directory on the server: run mailstack backup status there, or with --repository sftp:user@server:${plan.repository}`,
      ),
    ];
  const target = {
    repository: plan.repository,
    options: plan.options,
    key,
    env: context.env,
    timeoutMs: Math.max(context.options.timeoutMs, 60_000),
  };
  try {
    return (await backupResults(plan, target, context.now)).results;
  } catch (error) {
    if (error instanceof ResticError) return [skip(GROUP, "last snapshot", error.message)];
    throw error;
  }
}
