import { posix } from "node:path";
import { isTimeZone, normalizeSchedule } from "./backup-schedule";
import { BackupConfig, BackupDestination, BucketLookup } from "./config-types";
import { Scope, show } from "./config-reader";

/**
 * restic's official image (Docker Hub, built by restic's release workflow from docker/Dockerfile.release:
 * Alpine with BusyBox crond and tzdata, entrypoint `restic "$@"`), pinned to the multi-platform digest.
 */
export const RESTIC_IMAGE =
  "restic/restic:0.19.1@sha256:136600b6ff6843d61d355f7f71f460a166429f35de6fd11b568fece3c9a4d510";
/** Where backups go when the config names no destination: the server's own disk. */
export const DEFAULT_LOCAL_PATH = "/var/backups/mailstack";
export const DEFAULT_SCHEDULE = "0 3 * * *";
export const DEFAULT_RETENTION = { daily: 7, weekly: 4, monthly: 12 };
const BUCKET_LOOKUPS: BucketLookup[] = ["auto", "path", "dns"];
/** Single-line values that survive an INI file and a docker bind spec unchanged. */
const PLAIN = /^[\x21-\x7e]+$/;

/**
 * The `backup` section and its secrets (`backupKey`, `backupS3AccessKeyId`, `backupS3SecretAccessKey`).
 * Backups are on unless `backup.enabled` is false; without a destination they go to the server's disk,
 * with a warning that this does not survive the loss of the server.
 */
export const BACKUP_KEYS = ["backup", "backupKey", "backupS3AccessKeyId", "backupS3SecretAccessKey"];

export function readBackup(scope: Scope): BackupConfig {
  const s = scope.object("backup");
  s?.only(["enabled", "schedule", "timezone", "destination", "retention", "image"]);
  const enabled = s?.boolean("enabled") ?? true;

  const rawSchedule = s?.string("schedule") ?? DEFAULT_SCHEDULE;
  const normalized = normalizeSchedule(rawSchedule);
  if ("error" in normalized) s!.fail("schedule", `is ${show(rawSchedule)} and ${normalized.error}`);
  const timezone = s?.string("timezone") ?? "UTC";
  if (!isTimeZone(timezone))
    s!.fail("timezone", `is ${show(timezone)}; expected an IANA time zone such as UTC or Europe/Berlin`);

  const rs = s?.object("retention");
  rs?.only(["daily", "weekly", "monthly"]);
  const retention = { ...DEFAULT_RETENTION };
  for (const period of ["daily", "weekly", "monthly"] as const) {
    const n = rs?.number(period);
    if (n === undefined) continue;
    if (!Number.isInteger(n) || n < 0 || n > 1000)
      rs!.fail(period, `is ${show(n)}; expected a whole number of snapshots to keep, 0–1000`);
    else retention[period] = n;
  }
  if (retention.daily + retention.weekly + retention.monthly === 0)
    scope.fail("backup.retention", "keeps no snapshot at all; set at least one of daily, weekly, monthly above 0");

  const image = s?.string("image") ?? RESTIC_IMAGE;
  if (/\s/.test(image)) s!.fail("image", `is ${show(image)}; expected an image reference like ${RESTIC_IMAGE}`);

  const key = scope.secret("backupKey");
  if (key !== undefined && (!PLAIN.test(key) || key.length < 8))
    scope.fail(
      "backupKey",
      "must be the repository's key: one line of at least 8 printable characters without spaces (value not shown)",
    );

  const destination = readDestination(scope, s?.object("destination"), enabled);
  return {
    enabled,
    schedule: "cron" in normalized ? normalized.cron : DEFAULT_SCHEDULE,
    timezone,
    destination,
    retention,
    image,
    key,
  };
}

function readDestination(scope: Scope, d: Scope | undefined, enabled: boolean): BackupDestination {
  if (!d) {
    if (enabled)
      scope.warn(
        "backup.destination",
        `is not set: backups go to ${DEFAULT_LOCAL_PATH} on the mail server's own disk, which does not survive losing the server; set an S3 destination (see README, "Backups")`,
      );
    return { type: "local", path: DEFAULT_LOCAL_PATH };
  }
  const type = d.string("type");
  if (type === "local") {
    d.only(["type", "path"]);
    const given = d.string("path") ?? DEFAULT_LOCAL_PATH;
    const path = given.length > 1 ? given.replace(/\/+$/, "") : given;
    if (!posix.isAbsolute(path) || posix.normalize(path) !== path || path === "/")
      d.fail("path", `is ${show(given)}; expected an absolute directory on the server, e.g. /srv/mail-backup`);
    else if (!PLAIN.test(path) || /[:,]/.test(path))
      d.fail("path", `is ${show(given)}; a bind-mounted path may not contain spaces, ':' or ','`);
    return { type: "local", path };
  }
  if (type !== "s3") {
    d.fail("type", `is ${show(type)}; expected "s3" (any S3-compatible bucket) or "local" (a directory on the server)`);
    return { type: "local", path: DEFAULT_LOCAL_PATH };
  }
  d.only(["type", "endpoint", "bucket", "path", "region", "bucketLookup"]);
  const endpoint = (d.string("endpoint") ?? "").replace(/\/+$/, "");
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    /* reported below */
  }
  if (
    !url ||
    !/^https?:$/.test(url.protocol) ||
    url.pathname !== "/" ||
    url.search ||
    url.username ||
    !PLAIN.test(endpoint)
  )
    d.fail(
      "endpoint",
      `is ${show(endpoint || undefined)}; expected the S3 service URL without a bucket, e.g. https://s3.eu-central-1.amazonaws.com`,
    );
  else if (url.protocol === "http:" && !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname))
    d.warn(
      "endpoint",
      `is plain http: the data is encrypted by restic, but the S3 requests and their metadata are not; use https`,
    );
  const bucket = d.string("bucket");
  if (!bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    d.fail("bucket", `is ${show(bucket)}; expected an S3 bucket name (3–63 of a-z, 0-9, '.', '-')`);
  const path = (d.string("path") ?? "").replace(/^\/+|\/+$/g, "");
  if (path && (!/^[A-Za-z0-9._/-]+$/.test(path) || path.split("/").some((p) => p === "" || p === "." || p === "..")))
    d.fail("path", `is ${show(path)}; expected a key prefix inside the bucket, e.g. mail/example.com`);
  const region = d.string("region");
  if (region && !/^[a-z0-9-]+$/.test(region))
    d.fail("region", `is ${show(region)}; expected a region name such as eu-central-1`);
  const bucketLookup = d.string("bucketLookup") ?? "auto";
  if (!BUCKET_LOOKUPS.includes(bucketLookup as BucketLookup))
    d.fail(
      "bucketLookup",
      `is ${show(bucketLookup)}; expected auto, path (https://endpoint/bucket) or dns (https://bucket.endpoint)`,
    );

  const credential = (key: string, what: string) => {
    const value = scope.secret(key);
    if (!value)
      return scope.fail(key, `is required for an S3 destination: pulumi config set --secret ${key} <${what}>`);
    if (!PLAIN.test(value)) return scope.fail(key, "must be one line without spaces (value not shown)");
    return value;
  };
  return {
    type: "s3",
    endpoint,
    bucket: bucket ?? "",
    path,
    region,
    bucketLookup: bucketLookup as BucketLookup,
    accessKeyId: enabled ? (credential("backupS3AccessKeyId", "access key ID") ?? "") : "",
    secretAccessKey: enabled ? (credential("backupS3SecretAccessKey", "secret access key") ?? "") : "",
  };
}
