/**
 * tls.mode acme under mocks: the renewer's token (permissions, zone scope, rotation), the account, the
 * renewer container (volumes, schedule, files, wait) beside the mail server, the CAA record, secrecy and
 * idempotence. The renewer's own behaviour against a real ACME server is in test/daemons/acme-renewal.test.ts.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACME_CONFIG } from "../support/fixtures";
import { PERMISSION_GROUP_IDS as PERMISSION_GROUP_IDS_FOR_TESTS } from "../../preview/mocks";
import { mailContainer, newStateDir, ProgramRun, resourceOf, runProgram } from "../support/run-program";
import {
  CERTS_MOUNT,
  legoCommands,
  LEGO_IMAGE,
  RENEWER,
  renderRenewerScript,
  STATUS_FILE,
} from "../../lib/render/acme";
import { parseConfig } from "../../lib/config";
import { rawConfig } from "../support/raw-config";

const CONTAINER = "docker:index/container:Container";
const TOKEN = "cloudflare:index/apiToken:ApiToken";
const ACCOUNT = "pulumi-nodejs:dynamic/acme:AcmeAccount";
const ZONE = "f".repeat(32);

const renewerOf = (run: ProgramRun) => resourceOf(run, CONTAINER, "-acme-container");
const uploadsOf = (c: { inputs: Record<string, any> }) =>
  new Map((c.inputs.uploads as { file: string; content: string; permissions: string }[]).map((u) => [u.file, u]));

describe("tls.mode acme (the default for a new stack on Cloudflare)", () => {
  let run: ProgramRun;
  let stateDir: string;
  beforeAll(async () => {
    stateDir = newStateDir();
    run = await runProgram(ACME_CONFIG, { stateDir });
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it("mints a token that can edit DNS and read the zone, in this zone only", () => {
    const token = resourceOf(run, TOKEN);
    expect(token.inputs.name).toBe("mailstack mail.example.net certificate renewal");
    expect(token.inputs.policies).toHaveLength(1);
    const [policy] = token.inputs.policies;
    expect(policy.effect).toBe("allow");
    expect(policy.permissionGroups.map((g: { id: string }) => g.id)).toEqual(
      [PERMISSION_GROUP_IDS_FOR_TESTS["DNS Write"], PERMISSION_GROUP_IDS_FOR_TESTS["Zone Read"]].sort(),
    );
    expect(JSON.parse(policy.resources)).toEqual({ [`com.cloudflare.api.account.zone.${ZONE}`]: "*" });
    // A changed scope or name mints a new token before the old one goes.
    expect(token.options?.replaceOnChanges).toEqual(expect.arrayContaining(["name", "policies"]));
  });

  it("registers the account at Let's Encrypt production with the configured contact and a P-256 key", () => {
    const account = resourceOf(run, ACCOUNT);
    expect(account.inputs.server).toBe("https://acme-v02.api.letsencrypt.org/directory");
    expect(account.inputs.email).toBe("admin@example.net");
    expect(account.secretInputs).toContain("accountKeyPem");
    const key = resourceOf(run, "tls:index/privateKey:PrivateKey", "-account-key");
    expect(key.inputs).toMatchObject({ algorithm: "ECDSA", ecdsaCurve: "P256" });
  });

  it("runs lego in the pinned image on its own schedule, with its state and the certificate in volumes", () => {
    const c = renewerOf(run);
    expect(c.inputs.name).toBe("mailserver-certs");
    expect(resourceOf(run, "docker:index/remoteImage:RemoteImage", "-acme-image").inputs.name).toBe(LEGO_IMAGE);
    expect(c.inputs.entrypoints).toEqual(["/bin/sh", RENEWER.script]);
    expect(c.inputs.command).toEqual(["schedule"]);
    expect(c.inputs.restart).toBe("unless-stopped");
    expect(c.inputs.volumes).toEqual([
      { volumeName: "mailserver-certs-lego", containerPath: RENEWER.legoPath },
      { volumeName: "mailserver-certs-live", containerPath: CERTS_MOUNT },
    ]);
    for (const suffix of ["-acme-lego", "-acme-live"])
      expect(resourceOf(run, "docker:index/volume:Volume", suffix).options?.retainOnDelete).toBe(true);
    const script = uploadsOf(c).get(RENEWER.script)!;
    expect(script.permissions).toBe("0700");
    const acme = parseConfig(rawConfig(ACME_CONFIG, ["cloudflare:apiToken"])).tls.acme!;
    expect(script.content).toBe(renderRenewerScript({ hostname: "mail.example.net", acme }));
    // The schedule: a check now, then every 12 hours, renewing at 30 days left.
    expect(script.content).toContain("if check; then wait=43200; else wait=3600; fi");
    expect(legoCommands({ hostname: "mail.example.net", acme }).renew).toEqual(
      expect.arrayContaining(["renew", "--days", "30"]),
    );
  });

  it("hands the token and the account key over as 0600 files, never in the environment", () => {
    const c = renewerOf(run);
    const files = uploadsOf(c);
    const token = resourceOf(run, TOKEN);
    expect(files.get(RENEWER.tokenFile)!.permissions).toBe("0600");
    expect(files.get(RENEWER.accountKey)!.permissions).toBe("0600");
    expect(files.get(RENEWER.accountKey)!.content).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(c.inputs.envs).toEqual([`CLOUDFLARE_DNS_API_TOKEN_FILE=${RENEWER.tokenFile}`]);
    const tokenValue = files.get(RENEWER.tokenFile)!.content.trim();
    expect(tokenValue.length).toBeGreaterThan(20);
    for (const r of run.resources) {
      if (r === c) continue;
      expect(JSON.stringify(r.inputs)).not.toContain(tokenValue);
    }
    expect(c.secretInputs).toContain("uploads");
    expect(token.inputs.value).toBeUndefined();
  });

  it("the account file names the registered account, so lego never registers one of its own", () => {
    const account = JSON.parse(uploadsOf(renewerOf(run)).get(RENEWER.accountJson)!.content);
    expect(account.registration.uri).toBe(run.outputs.tls.accountUri);
    expect(account.registration.body.status).toBe("valid");
  });

  it("the mail server reads the renewer's volume read-only, as docker-mailserver's letsencrypt type, after it", () => {
    const mail = mailContainer(run);
    expect(mail.inputs.volumes).toContainEqual({
      volumeName: "mailserver-certs-live",
      containerPath: "/etc/letsencrypt",
      readOnly: true,
    });
    expect(mail.inputs.envs).toEqual(expect.arrayContaining(["SSL_TYPE=letsencrypt", "SSL_DOMAIN=mail.example.net"]));
    expect(mail.inputs.envs.filter((e: string) => e.startsWith("SSL_CERT_PATH"))).toEqual([]);
    const files = (mail.inputs.uploads as { file: string }[]).map((u) => u.file);
    expect(files.filter((f) => f.includes("custom-certs"))).toEqual([]);
    // The first `up` waits for the first certificate, then starts the mail server.
    const renewer = renewerOf(run);
    expect(renewer.inputs.wait).toBe(true);
    expect(renewer.inputs.waitTimeout).toBeGreaterThanOrEqual(300);
    expect(renewer.inputs.healthcheck.tests.join(" ")).toContain(
      "/etc/letsencrypt/live/mail.example.net/fullchain.pem",
    );
    expect(mail.options?.dependsOn).toContain(renewer.name);
  });

  it("publishes CAA for the mail host: Let's Encrypt, this account, DNS-01 only", () => {
    const caa = run.resources.filter(
      (r) => r.type === "cloudflare:index/dnsRecord:DnsRecord" && r.inputs.type === "CAA",
    );
    expect(caa).toHaveLength(1);
    expect(caa[0].inputs.name).toBe("mail.example.net");
    expect(caa[0].inputs.zoneId).toBe(ZONE);
    expect(caa[0].inputs.data).toEqual({
      flags: 0,
      tag: "issue",
      value: `letsencrypt.org; accounturi=${run.outputs.tls.accountUri}; validationmethods=dns-01`,
    });
    expect(run.outputs.dnsRecords).toContainEqual(
      expect.objectContaining({
        type: "CAA",
        name: "mail.example.net",
        content: `0 issue "letsencrypt.org; accounturi=${run.outputs.tls.accountUri}; validationmethods=dns-01"`,
      }),
    );
  });

  it("outputs how the certificate is issued and renewed, and nothing secret", () => {
    expect(run.outputs.tls).toEqual({
      mode: "acme",
      server: "https://acme-v02.api.letsencrypt.org/directory",
      accountUri: expect.stringMatching(/^https:\/\/acme-v02\.api\.letsencrypt\.org\/acme\/acct\/\d+$/),
      caa: `letsencrypt.org; accounturi=${run.outputs.tls.accountUri}; validationmethods=dns-01`,
      renewDays: 30,
      checkHours: 12,
      container: "mailserver-certs",
      certificatePath: "/etc/letsencrypt/live/mail.example.net/fullchain.pem",
      statusFile: STATUS_FILE,
    });
    const token = uploadsOf(renewerOf(run)).get(RENEWER.tokenFile)!.content.trim();
    const key = uploadsOf(renewerOf(run)).get(RENEWER.accountKey)!.content;
    const plain = JSON.stringify(
      Object.fromEntries(Object.entries(run.outputs).filter(([k]) => !run.secretOutputs.includes(k))),
    );
    expect(plain).not.toContain(token);
    expect(plain).not.toContain(key.split("\n")[1]);
  });

  it("an unchanged re-run keeps the token, the account key and the account", async () => {
    const again = await runProgram(ACME_CONFIG, { stateDir });
    const files = uploadsOf(renewerOf(again));
    const before = uploadsOf(renewerOf(run));
    for (const f of [RENEWER.tokenFile, RENEWER.accountKey, RENEWER.accountJson, RENEWER.script])
      expect(files.get(f)!.content).toBe(before.get(f)!.content);
    expect(again.outputs.tls).toEqual(run.outputs.tls);
  });

  it("tls.acme.tokenRotation mints a new token; the account key stays", async () => {
    const rotated = await runProgram(
      { ...ACME_CONFIG, tls: { acme: { email: "admin@example.net", tokenRotation: "2026-07" } } },
      { stateDir },
    );
    expect(resourceOf(rotated, TOKEN).inputs.name).toBe("mailstack mail.example.net certificate renewal (2026-07)");
    const files = uploadsOf(renewerOf(rotated));
    const before = uploadsOf(renewerOf(run));
    expect(files.get(RENEWER.tokenFile)!.content).not.toBe(before.get(RENEWER.tokenFile)!.content);
    expect(files.get(RENEWER.accountKey)!.content).toBe(before.get(RENEWER.accountKey)!.content);
  });
});

describe("tls.acme options", () => {
  it("staging, a key type, resolvers and no CAA reach the renewer's command line and the records", async () => {
    const run = await runProgram({
      ...ACME_CONFIG,
      tls: {
        acme: {
          email: "admin@example.net",
          server: "letsencrypt-staging",
          keyType: "ec256",
          renewDays: 20,
          checkHours: 6,
          resolvers: ["1.1.1.1:53"],
          caa: false,
        },
      },
    });
    const script = uploadsOf(renewerOf(run)).get(RENEWER.script)!.content;
    expect(script).toContain(
      "/lego --accept-tos --email admin@example.net --server https://acme-staging-v02.api.letsencrypt.org/directory --dns cloudflare --dns.resolvers 1.1.1.1:53 --domains mail.example.net --key-type ec256 --path /var/lib/lego renew --days 20 --no-random-sleep",
    );
    expect(script).toContain("wait=21600");
    expect(run.resources.filter((r) => r.inputs.type === "CAA")).toEqual([]);
    expect(run.outputs.tls.caa).toBeUndefined();
  });
});
