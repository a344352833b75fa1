/**
 * The backup container's files and command lines, pure: the same argv the container runs is what the tests
 * run against real restic. Secrets never appear in a command line or the environment: the repository key
 * and the S3 credentials are files (0600) the script points restic at.
 */
import { BackupConfig, BackupDestination } from "../config-types";
import { BackupPlan } from "../planned";
import type { ServerFile } from "../plan/server-files";
import { shellQuote } from "../shell-quote";

/** Where the container sees the mail server's volumes (read-only) and a local repository. */
export const MOUNTS = { mailData: "/backup/mail-data", mailState: "/backup/mail-state", repository: "/repository" };
export const PASSWORD_FILE = "/run/secrets/restic-password";
export const S3_CREDENTIALS_FILE = "/run/secrets/s3-credentials";
export const SCRIPT_PATH = "/run/mailstack/backup.sh";
export const CRONTAB_DIR = "/run/mailstack/crontabs";
/** BusyBox crond reads one crontab per user, named after the user; the script runs as root. */
export const CRONTAB_PATH = `${CRONTAB_DIR}/root`;
export const CACHE_DIR = "/var/cache/restic";
export const RESTIC = "/usr/bin/restic";
/** Every snapshot carries this tag, so retention and status only ever look at the program's own. */
export const SNAPSHOT_TAG = "mailstack";
/** ClamAV's signature database (about 300 MB) is downloaded again by freshclam: not worth keeping. */
export const EXCLUDES = [`${MOUNTS.mailState}/lib-clamav`];

export interface BackupRunInput {
  /** The mail server's hostname: the snapshots' host, fixed so retention groups every run together. */
  host: string;
  backup: BackupConfig;
}

export interface BackupPlanInput extends BackupRunInput {
  /** Name of the backup container. */
  container: string;
  /** Docker volume names of the mail server's data and state. */
  volumes: { mailData: string; mailState: string };
}

/** The repository as restic addresses it, from inside the container or from the Docker host. */
export function repositoryUrl(destination: BackupDestination, from: "container" | "host"): string {
  if (destination.type === "local") return from === "container" ? MOUNTS.repository : destination.path;
  return `s3:${destination.endpoint}/${destination.bucket}${destination.path ? `/${destination.path}` : ""}`;
}

/** restic `--option` values for the destination (S3 addressing style and region). */
export function resticOptions(destination: BackupDestination): string[] {
  if (destination.type !== "s3") return [];
  const options: string[] = [];
  if (destination.bucketLookup !== "auto") options.push(`s3.bucket-lookup=${destination.bucketLookup}`);
  if (destination.region) options.push(`s3.region=${destination.region}`);
  return options;
}

function globalArgs(destination: BackupDestination): string[] {
  return [
    "--repo",
    repositoryUrl(destination, "container"),
    "--password-file",
    PASSWORD_FILE,
    "--cache-dir",
    CACHE_DIR,
    ...resticOptions(destination).flatMap((o) => ["--option", o]),
  ];
}

/** Each restic invocation of one backup run, as argv. */
export function resticCommands(input: BackupRunInput) {
  const { backup, host } = input;
  const restic = (...args: string[]) => [RESTIC, ...globalArgs(backup.destination), ...args];
  const keep = (["daily", "weekly", "monthly"] as const)
    .filter((p) => backup.retention[p] > 0)
    .flatMap((p) => [`--keep-${p}`, String(backup.retention[p])]);
  const ours = ["--host", host, "--tag", SNAPSHOT_TAG];
  return {
    /** Decrypts the repository config: succeeds only when the repository exists and the key opens it. */
    open: restic("cat", "config"),
    init: restic("init"),
    /** Removes locks left by a run that was killed (stale ones only). */
    unlock: restic("unlock"),
    backup: restic("backup", ...ours, ...EXCLUDES.flatMap((e) => ["--exclude", e]), MOUNTS.mailData, MOUNTS.mailState),
    forget: restic("forget", ...ours, ...keep, "--prune"),
    check: restic("check"),
  };
}

const line = (argv: string[]) => argv.map(shellQuote).join(" ");

/** `/bin/sh backup.sh run`: what crond starts at every scheduled time. */
export function renderCrontab(backup: BackupConfig): string {
  return `# mailstack backup schedule (TZ=${backup.timezone}); written by the Pulumi program\n${backup.schedule} /bin/sh ${SCRIPT_PATH} run\n`;
}

/**
 * The container's script (BusyBox ash): `run` makes one backup, `schedule` runs crond in the foreground
 * (its jobs' output is the container log), `restic …` runs any restic command against the repository.
 */
export function renderBackupScript(input: BackupRunInput): string {
  const c = resticCommands(input);
  const repo = repositoryUrl(input.backup.destination, "container");
  const s3 = input.backup.destination.type === "s3";
  return `#!/bin/sh
# mailstack: backup of the mail server's volumes with restic. Written by the Pulumi program
# (lib/render/backup.ts); a change there replaces this container.
#   backup.sh run             one backup: open or create the repository, snapshot, retention, check
#   backup.sh schedule        crond in the foreground, running "backup.sh run" on the schedule
#   backup.sh restic <args>   restic against this repository, e.g. backup.sh restic snapshots
set -u
${s3 ? `export AWS_SHARED_CREDENTIALS_FILE=${S3_CREDENTIALS_FILE}\n` : ""}
log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) mailstack-backup: $*"; }

run() {
  log "start: ${MOUNTS.mailData} ${MOUNTS.mailState} -> ${repo}"
  if ! ${line(c.open)} >/dev/null 2>&1; then
    # restic init refuses to touch an existing repository, so a wrong key fails here and changes nothing.
    log "no repository this key opens at ${repo}: creating one"
    ${line(c.init)} || { log "FAILED: the repository can neither be opened nor created (see above)"; return 1; }
  fi
  ${line(c.unlock)} || log "warning: could not remove stale locks"
  if [ -z "$(find ${MOUNTS.mailData} -type f -print | head -n 1)" ]; then
    # A new server before its restore: an empty snapshot would become "latest" and push real ones out.
    log "SKIPPED: ${MOUNTS.mailData} holds no files yet; nothing was snapshotted"
    return 0
  fi
  ${line(c.backup)}
  status=$?
  if [ "$status" -eq 3 ]; then
    log "snapshot saved; some files changed or vanished while being read (normal for live mail, the next run has them)"
  elif [ "$status" -ne 0 ]; then
    log "FAILED: restic backup exited with status $status"
    return "$status"
  fi
  ${line(c.forget)} || { log "FAILED: retention (restic forget --prune)"; return 1; }
  ${line(c.check)} || { log "FAILED: restic check found a problem in the repository"; return 1; }
  log "done"
}

case "\${1:-}" in
  run) run ;;
  schedule)
    log "schedule: ${input.backup.schedule} (TZ=\${TZ:-UTC})"
    exec crond -f -c ${CRONTAB_DIR} -L /dev/stderr ;;
  restic)
    shift
    exec ${line([RESTIC, ...globalArgs(input.backup.destination)])} "$@" ;;
  *)
    echo "usage: $0 run | schedule | restic <command>" >&2
    exit 2 ;;
esac
`;
}

/** The shared-credentials file restic's S3 backend reads (minio-go's FileAWSCredentials, profile default). */
export function renderS3Credentials(accessKeyId: string, secretAccessKey: string): string {
  return `[default]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`;
}

/**
 * The backup container's files, in the shape of the mail server's (lib/plan/server-files.ts): the script, the
 * crontab, the repository key and, for S3, the credentials. `key` is the resolved repository key.
 */
export function planBackupFiles(input: BackupRunInput, key: string): ServerFile[] {
  const files: ServerFile[] = [
    { path: SCRIPT_PATH, content: renderBackupScript(input), mode: "0700" },
    { path: CRONTAB_PATH, content: renderCrontab(input.backup), mode: "0600" },
    { path: PASSWORD_FILE, content: `${key}\n`, mode: "0600" },
  ];
  const d = input.backup.destination;
  if (d.type === "s3")
    files.push({
      path: S3_CREDENTIALS_FILE,
      content: renderS3Credentials(d.accessKeyId, d.secretAccessKey),
      mode: "0600",
    });
  return files;
}

/**
 * The backup container's mounts, in the docker provider's `volumes` shape: the mail server's volumes
 * read-only, and a local repository's host directory read-write. `V` is a volume name (or its Output).
 */
export function backupMounts<V>(
  destination: BackupDestination,
  volumes: { mailData: V; mailState: V },
): { volumeName?: V; hostPath?: string; containerPath: string; readOnly: boolean }[] {
  const mounts: { volumeName?: V; hostPath?: string; containerPath: string; readOnly: boolean }[] = [
    { volumeName: volumes.mailData, containerPath: MOUNTS.mailData, readOnly: true },
    { volumeName: volumes.mailState, containerPath: MOUNTS.mailState, readOnly: true },
  ];
  if (destination.type === "local")
    mounts.push({ hostPath: destination.path, containerPath: MOUNTS.repository, readOnly: false });
  return mounts;
}

/**
 * The restore, as one shell command for the Docker host: the key comes from the stack's secret output on
 * stdin (restic reads the password from a non-terminal stdin), S3 credentials from the caller's environment.
 * The mail volumes are mounted read-write at the paths the snapshots hold, so `--target /` puts every file
 * back where it was.
 */
export function renderRestoreCommand(input: BackupPlanInput): string {
  const d = input.backup.destination;
  const docker = [
    "docker",
    "run",
    "--rm",
    "-i",
    // The same mounts as the backup container, read-write.
    ...backupMounts(d, input.volumes).flatMap((m) => ["-v", `${m.volumeName ?? m.hostPath}:${m.containerPath}`]),
    ...(d.type === "s3" ? ["-e", "AWS_ACCESS_KEY_ID", "-e", "AWS_SECRET_ACCESS_KEY"] : []),
    input.backup.image,
  ];
  const restic = [
    "--repo",
    repositoryUrl(d, "container"),
    ...resticOptions(d).flatMap((o) => ["--option", o]),
    "restore",
    "latest",
    "--host",
    input.host,
    "--tag",
    SNAPSHOT_TAG,
    "--target",
    "/",
  ];
  return `pulumi stack output backupKey --show-secrets | ${line(docker)} ${line(restic)}`;
}

/** What the stack exports about its backups (lib/planned.ts), read by `mailstack backup status`. */
export function planBackup(input: BackupPlanInput): BackupPlan {
  const { backup } = input;
  if (!backup.enabled) return { enabled: false };
  return {
    enabled: true,
    repository: repositoryUrl(backup.destination, "host"),
    options: resticOptions(backup.destination),
    container: input.container,
    host: input.host,
    tag: SNAPSHOT_TAG,
    schedule: backup.schedule,
    timezone: backup.timezone,
    retention: backup.retention,
    restoreCommand: renderRestoreCommand(input),
  };
}
