import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../lib/config";
import { DEFAULT_LOCAL_PATH, RESTIC_IMAGE } from "../../lib/config-backup";
import { PROD_CONFIG, PROD_SECRETS } from "../support/fixtures";
import { rawConfig } from "../support/raw-config";

const S3_SECRETS = [...PROD_SECRETS, "backupS3AccessKeyId", "backupS3SecretAccessKey"];
const S3 = {
  backup: {
    destination: {
      type: "s3",
      endpoint: "https://s3.eu-central-1.amazonaws.com",
      bucket: "mail-backups",
      path: "qladgk",
    },
  },
  backupS3AccessKeyId: "AKIAEXAMPLE",
  backupS3SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
// `clientSetup.worker: false` quiets the client-setup section's own warning (no cloudflareAccountId).
const parse = (extra: Record<string, unknown>, secrets = S3_SECRETS) =>
  parseConfig(rawConfig({ ...PROD_CONFIG, clientSetup: { worker: false }, ...extra }, secrets));

function problemsOf(extra: Record<string, unknown>, secrets = S3_SECRETS): string[] {
  try {
    parse(extra, secrets);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("the backup section", () => {
  it("is on by default: daily at 03:00 UTC to the server's disk, with a warning that this is not off-site", () => {
    const c = parse({});
    expect(c.backup).toEqual({
      enabled: true,
      schedule: "0 3 * * *",
      timezone: "UTC",
      destination: { type: "local", path: DEFAULT_LOCAL_PATH },
      retention: { daily: 7, weekly: 4, monthly: 12 },
      image: RESTIC_IMAGE,
      key: undefined,
    });
    expect(c.warnings.join("\n")).toMatch(/backup\.destination is not set: .*does not survive losing the server/);
  });

  it("reads an S3 destination with its secret credentials; a chosen local directory raises no warning", () => {
    const c = parse({ ...S3, backup: { ...S3.backup, schedule: "@hourly", timezone: "Europe/Berlin" } });
    expect(c.backup).toMatchObject({
      schedule: "0 * * * *",
      timezone: "Europe/Berlin",
      destination: {
        type: "s3",
        endpoint: "https://s3.eu-central-1.amazonaws.com",
        bucket: "mail-backups",
        path: "qladgk",
        bucketLookup: "auto",
        accessKeyId: S3.backupS3AccessKeyId,
        secretAccessKey: S3.backupS3SecretAccessKey,
      },
    });
    expect(c.warnings).toEqual([]);
    const local = parse({ backup: { destination: { type: "local", path: "/srv/mail-backup/" } } });
    expect(local.backup.destination).toEqual({ type: "local", path: "/srv/mail-backup" });
    expect(local.warnings).toEqual([]);
  });

  it("can be switched off, and then needs no destination credentials", () => {
    const c = parse({
      backup: { enabled: false, destination: { type: "s3", endpoint: "https://s3.example.net", bucket: "b-1" } },
    });
    expect(c.backup.enabled).toBe(false);
    expect(c.warnings).toEqual([]);
  });

  it("names the key and the fix for every bad value, all at once", () => {
    const problems = problemsOf(
      {
        backup: {
          schedule: "0 3 * * * *",
          timezone: "Mars/Olympus",
          retention: { daily: -1, weekly: 1.5, yearly: 2 },
          destination: {
            type: "s3",
            endpoint: "s3.amazonaws.com/bucket",
            bucket: "Bad_Bucket",
            path: "../x",
            bucketLookup: "virtual",
          },
          extra: true,
        },
      },
      PROD_SECRETS,
    );
    const expected = [
      /^mailstack:backup\.extra is not a known setting/,
      /^mailstack:backup\.schedule is "0 3 \* \* \* \*" and has 6 fields; expected a crontab time of 5 fields/,
      /^mailstack:backup\.timezone is "Mars\/Olympus"; expected an IANA time zone/,
      /^mailstack:backup\.retention\.yearly is not a known setting/,
      /^mailstack:backup\.retention\.daily is -1; expected a whole number/,
      /^mailstack:backup\.retention\.weekly is 1\.5; expected a whole number/,
      /^mailstack:backup\.destination\.endpoint is "s3\.amazonaws\.com\/bucket"; expected the S3 service URL/,
      /^mailstack:backup\.destination\.bucket is "Bad_Bucket"; expected an S3 bucket name/,
      /^mailstack:backup\.destination\.path is "\.\.\/x"; expected a key prefix/,
      /^mailstack:backup\.destination\.bucketLookup is "virtual"; expected auto, path/,
      /^mailstack:backupS3AccessKeyId is required for an S3 destination: pulumi config set --secret backupS3AccessKeyId/,
      /^mailstack:backupS3SecretAccessKey is required for an S3 destination/,
    ];
    for (const pattern of expected) expect(problems.join("\n")).toMatch(new RegExp(pattern.source, "m"));
    expect(problems).toHaveLength(expected.length);
  });

  it("refuses schedules BusyBox crond would skip, and retention that keeps nothing", () => {
    const schedule = (s: string) => problemsOf({ backup: { schedule: s } }).join("\n");
    expect(schedule("0 3 L * *")).toMatch(/has "l" as its day field/);
    expect(schedule("@reboot")).toMatch(/has 1 fields/);
    expect(schedule("0 25 * * *")).toMatch(/is not a valid schedule: .*0-23/);
    expect(schedule("*/15 8-18 * jan-jun mon-fri")).toBe("");
    expect(problemsOf({ backup: { retention: { daily: 0, weekly: 0, monthly: 0 } } }).join()).toMatch(
      /backup\.retention keeps no snapshot at all/,
    );
  });

  it("refuses secrets in plain text and local paths Docker cannot bind", () => {
    const plain = problemsOf({ ...S3, backupKey: "an-old-repository-key" }, PROD_SECRETS).join("\n");
    for (const key of ["backupKey", "backupS3AccessKeyId", "backupS3SecretAccessKey"])
      expect(plain).toMatch(new RegExp(`mailstack:${key} is stored in plain text; .*--secret ${key}`));
    expect(plain).not.toContain(S3.backupS3SecretAccessKey);
    const path = (p: string) => problemsOf({ backup: { destination: { type: "local", path: p } } }).join("\n");
    expect(path("relative/dir")).toMatch(
      /backup\.destination\.path is "relative\/dir"; expected an absolute directory/,
    );
    expect(path("/srv/a:b")).toMatch(/may not contain spaces, ':' or ','/);
    expect(path("/")).toMatch(/expected an absolute directory/);
    expect(problemsOf({ backup: { destination: { type: "ftp" } } }).join()).toMatch(
      /backup\.destination\.type is "ftp"; expected "s3" .* or "local"/,
    );
  });

  it("takes an imported key as it is (one line), and warns about plain http to a remote endpoint", () => {
    const c = parse(
      {
        ...S3,
        backup: { destination: { ...S3.backup.destination, endpoint: "http://minio.lan:9000" } },
        backupKey: "old-key-0123456789",
      },
      [...S3_SECRETS, "backupKey"],
    );
    expect(c.backup.key).toBe("old-key-0123456789");
    expect(c.warnings.join()).toMatch(/backup\.destination\.endpoint is plain http/);
    expect(problemsOf({ backupKey: "two\nlines" }, [...PROD_SECRETS, "backupKey"]).join()).toMatch(
      /mailstack:backupKey must be the repository's key: one line .*\(value not shown\)/,
    );
  });
});
