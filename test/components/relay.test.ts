import { describe, expect, it } from "vitest";
import {
  containerEnv,
  containerFiles,
  PROD_CONFIG,
  resourceOf,
  runProgram,
  mailContainer,
} from "../support/run-program";

const SASL = "/tmp/docker-mailserver/postfix-sasl-password.cf";

/** Records as Resend's API returns them for a newer domain: relative names, three DKIM CNAMEs. */
const RESEND_RECORDS = [
  {
    record: "SPF",
    name: "send",
    type: "MX",
    value: "feedback-smtp.eu-west-1.amazonses.com",
    ttl: "Auto",
    status: "not_started",
    priority: 10,
  },
  {
    record: "SPF",
    name: "send",
    type: "TXT",
    value: '"v=spf1 include:amazonses.com ~all"',
    ttl: "Auto",
    status: "not_started",
  },
  ...["abc", "def", "ghi"].map((t) => ({
    record: "DKIM",
    name: `${t}._domainkey`,
    type: "CNAME",
    value: `${t}.dkim.amazonses.com.`,
    ttl: "Auto",
    status: "not_started",
  })),
];

const PROVISIONED = {
  ...PROD_CONFIG,
  relayPassword: undefined,
  resend: { region: "eu-west-1" },
  resendApiKey: "re_full_access_provisioning_key",
};

describe("Resend provisioned by the program", () => {
  it("publishes what Resend returns, verifies after the records, and relays with the minted sending key", async () => {
    const run = await runProgram(PROVISIONED, { resendRecords: RESEND_RECORDS });
    const domain = resourceOf(run, "pulumi-nodejs:dynamic/resend:ResendDomain");
    expect(domain.inputs).toMatchObject({ name: "qladgk.com", region: "eu-west-1", returnPath: "send" });
    expect(domain.options?.retainOnDelete).toBe(true); // resend.deleteOnDestroy defaults to false
    expect(domain.secretInputs).toContain("apiKey");

    const cf = run.resources.filter(
      (r) => r.type === "cloudflare:index/dnsRecord:DnsRecord" && r.name.startsWith("mailstack-dns-resend-"),
    );
    expect(cf.map((r) => [r.inputs.type, r.inputs.name, r.inputs.content, r.inputs.proxied]).sort()).toEqual(
      [
        ["CNAME", "abc._domainkey.qladgk.com", "abc.dkim.amazonses.com", false],
        ["CNAME", "def._domainkey.qladgk.com", "def.dkim.amazonses.com", false],
        ["CNAME", "ghi._domainkey.qladgk.com", "ghi.dkim.amazonses.com", false],
        ["MX", "send.qladgk.com", "feedback-smtp.eu-west-1.amazonses.com", false],
        ["TXT", "send.qladgk.com", '"v=spf1 include:amazonses.com ~all"', false],
      ].sort(),
    );
    // Resend's records replace the hand-typed ones: no resend._domainkey TXT from config.
    expect(run.resources.some((r) => r.name.endsWith("resend._domainkey.qladgk.com"))).toBe(false);

    const verification = resourceOf(run, "pulumi-nodejs:dynamic/resend:ResendVerification");
    for (const r of cf) expect(verification.options?.dependsOn).toContain(r.name);

    const key = resourceOf(run, "pulumi-nodejs:dynamic/resend:ResendSendingKey");
    expect(key.options?.additionalSecretOutputs).toContain("token");
    expect(containerFiles(run).get(SASL)).toBe("[smtp.resend.com]:587 resend:re_minted_sending_key\n");
    expect(mailContainer(run).secretInputs).toContain("uploads");
    expect(containerEnv(run)).toMatchObject({ DEFAULT_RELAY_HOST: "[smtp.resend.com]:587" });

    // The exported table carries Resend's records too, so dns: none users and the doctor see them.
    expect(run.outputs.dnsRecords.filter((r: { type: string }) => r.type === "CNAME")).toHaveLength(3);
    expect(JSON.stringify(run.outputs)).not.toContain("re_full_access_provisioning_key");
  });

  it("keeps the manual path unchanged when no provisioning key is set", async () => {
    const run = await runProgram(PROD_CONFIG);
    expect(run.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"))).toEqual([]);
    expect(containerFiles(run).get(SASL)).toBe(`[smtp.resend.com]:587 resend:${PROD_CONFIG.relayPassword}\n`);
  });

  it("sends directly with relay provider none: no relay variables, no credentials file", async () => {
    const run = await runProgram({ ...PROD_CONFIG, relay: { provider: "none" }, relayPassword: undefined, resend: {} });
    expect(Object.keys(containerEnv(run)).filter((k) => k.includes("RELAY"))).toEqual([]);
    expect(containerFiles(run).has(SASL)).toBe(false);
    expect(run.outputs.dnsRecords.some((r: { name: string }) => r.name.startsWith("send."))).toBe(false);
  });
});
