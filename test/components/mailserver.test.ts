import { describe, expect, it } from "vitest";
import { planRenewerFiles } from "../../lib/render/acme";
import { planBackupFiles } from "../../lib/render/backup";
import { loopbackConfig } from "../daemons/harness/loopback-config";
import { gatedStartCommand } from "../../lib/render/live-apply";
import {
  liveCommands,
  mailContainer,
  PROD_CONFIG,
  resourceOf,
  runProgram,
  SECOND_CONFIG,
} from "../support/run-program";
import { ACME_CONFIG } from "../support/fixtures";
import { containerAsWritten, containerReadBack, goDurationString, parseGoDuration } from "../support/docker-read-back";
import { parsedConfig, serverPlanOf } from "../support/server-plan";

const CONTAINER = "docker:index/container:Container";

/** Resend provisioned: the relay password is the sending key Resend mints. */
const PROVISIONED = {
  ...PROD_CONFIG,
  relayPassword: undefined,
  resend: {},
  resendApiKey: "re_full_access_provisioning_key",
  backup: { destination: { type: "s3", endpoint: "https://s3.example.net", bucket: "mail" } },
  backupS3AccessKeyId: "AKIABACKUP",
  backupS3SecretAccessKey: "backup-s3-secret",
};

describe("the containers run the plan", () => {
  // The one place the plan meets the container: everything else (the daemon harness, the plan's own tests)
  // works on the plan, lib/plan/server-files.ts, evaluated over the credentials the run resolved.
  it.each([
    ["prod", PROD_CONFIG],
    ["second", SECOND_CONFIG],
    ["daemon suite", loopbackConfig({ hi: "hi-Loopback-1", alice: "alice-Loopback-1", bob: "bob-Loopback-1" })],
    ["Resend provisioned, backups to S3", PROVISIONED],
    ["direct sending", { ...PROD_CONFIG, relay: { provider: "none" }, relayPassword: undefined, resend: {} }],
    ["acme (the certificate on the renewer's volume)", ACME_CONFIG],
  ])(
    "%s: the mail server's host name, environment and uploads, and every other container's uploads, are the plan",
    async (_n, config) => {
      const run = await runProgram(config);
      const plan = serverPlanOf(run, config);
      const uploads = (files: { path: string; content: string; mode: string }[]) =>
        files.map((f) => ({ file: f.path, content: f.content, permissions: f.mode }));
      const server = mailContainer(run);
      expect(server.inputs.hostname).toBe(plan.hostname);
      expect(server.inputs.envs).toEqual(plan.env);
      expect(server.inputs.uploads).toEqual(uploads(plan.files.filter((f) => !f.live)));
      expect(server.secretInputs).toContain("uploads");
      // The live files: one Command each, the content on stdin (secret where it holds credentials), and the
      // container's start waits for every one of them.
      const live = plan.files.filter((f) => f.live);
      const commands = liveCommands(run);
      expect([...commands.keys()]).toEqual(live.map((f) => f.path));
      for (const f of live) {
        const c = commands.get(f.path)!;
        expect(c.inputs.stdin ?? "", f.path).toBe(f.content);
        expect(c.inputs.environment).toMatchObject({ MAILSTACK_MODE: f.mode, MAILSTACK_APPLY: f.live });
        expect(c.secretInputs.includes("stdin"), f.path).toBe(f.mode === "0600");
      }
      expect(server.inputs.command).toEqual(gatedStartCommand(live.map((f) => f.path)));

      const cfg = parsedConfig(config);
      const backup = resourceOf(run, CONTAINER, "-backup-container");
      expect(backup.inputs.uploads).toEqual(
        uploads(planBackupFiles({ host: cfg.hostname, backup: cfg.backup }, run.outputs.backupKey)),
      );
      expect(backup.secretInputs).toContain("uploads");

      const renewer = run.resources.find((r) => r.type === CONTAINER && r.name.endsWith("-acme-container"));
      expect(!!renewer).toBe(!!cfg.tls.acme);
      if (!renewer || !cfg.tls.acme) return;
      const made = {
        accountUri: resourceOf(run, "pulumi-nodejs:dynamic/acme:AcmeAccount").outputs!.uri,
        token: resourceOf(run, "cloudflare:index/apiToken:ApiToken").outputs!.value,
        accountKeyPem: resourceOf(run, "tls:index/privateKey:PrivateKey", "-account-key").outputs!.privateKeyPem,
      };
      expect(renewer.inputs.uploads).toEqual(
        uploads(planRenewerFiles({ hostname: cfg.hostname, acme: cfg.tls.acme }, made)),
      );
      expect(renewer.secretInputs).toContain("uploads");
    },
  );
});

describe("the Go duration model the docker provider's read goes through", () => {
  // Go's own expectations: src/time/time_test.go, durationTests (String) and parseDurationTests.
  it.each([
    [0n, "0s"],
    [1n, "1ns"],
    [1100n, "1.1µs"],
    [2_200_000n, "2.2ms"],
    [3_300_000_000n, "3.3s"],
    [245_000_000_000n, "4m5s"],
    [245_001_000_000n, "4m5.001s"],
    [18_367_001_000_000n, "5h6m7.001s"],
    [480_000_000_001n, "8m0.000000001s"],
    [9_223_372_036_854_775_807n, "2562047h47m16.854775807s"],
    [-9_223_372_036_854_775_808n, "-2562047h47m16.854775808s"],
    [90_000_000_000n, "1m30s"],
    [3_600_000_000_000n, "1h0m0s"],
  ])("Duration(%s).String() is %s", (ns, text) => {
    expect(goDurationString(ns)).toBe(text);
  });

  it.each([
    ["0", 0n],
    ["5s", 5_000_000_000n],
    ["30s", 30_000_000_000n],
    ["1478s", 1_478_000_000_000n],
    ["-5s", -5_000_000_000n],
    ["+5s", 5_000_000_000n],
    ["5.6s", 5_600_000_000n],
    ["5.s", 5_000_000_000n],
    [".5s", 500_000_000n],
    ["1.004s", 1_004_000_000n],
    ["100.00100s", 100_001_000_000n],
    ["10ns", 10n],
    ["11us", 11_000n],
    ["12µs", 12_000n],
    ["13ms", 13_000_000n],
    ["14s", 14_000_000_000n],
    ["15m", 900_000_000_000n],
    ["16h", 57_600_000_000_000n],
    ["3h30m", 12_600_000_000_000n],
    ["10.5s4m", 250_500_000_000n],
    ["1h2m3s4ms5us6ns", 3_723_004_005_006n],
    ["90s", 90_000_000_000n],
  ])("ParseDuration(%s) is %s ns", (text, ns) => {
    expect(parseGoDuration(text)).toBe(ns);
  });

  it.each(["", "3", "-", "s", ".", "-.", ".s", "+.s", "1d"])("ParseDuration(%j) fails as in Go", (text) => {
    expect(() => parseGoDuration(text)).toThrow(/time: /);
  });
});

describe("every container's inputs are already in the form the docker provider reads back", () => {
  it.each([
    ["prod", PROD_CONFIG],
    ["second", SECOND_CONFIG],
    ["acme (with the certificate renewer)", ACME_CONFIG],
  ])(
    "%s: every input equals its read-back form, so a second `up` plans no diff and no replacement",
    async (_n, config) => {
      const run = await runProgram(config);
      // The healthcheck is the input whose read-back form differs most easily (Go prints 90s as "1m30s"), and
      // the one a diff replaces the mail container for (replaceOnChanges); it must be present to be checked.
      expect(mailContainer(run).inputs.healthcheck?.startPeriod).toBeDefined();
      const containers = run.resources.filter((r) => r.type === CONTAINER);
      expect(containers.length).toBeGreaterThan(1); // the mail server, the backup container (and the renewer)
      for (const c of containers) expect(containerReadBack(c.inputs), c.name).toEqual(containerAsWritten(c.inputs));
    },
  );

  it("the model refuses an input nobody has checked against the provider's read", () => {
    expect(() => containerReadBack({ shmSize: 64 })).toThrow(/container input "shmSize" is not modelled/);
  });
});
