import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../lib/config";
import { PROD_CERT } from "../support/fixtures";

const ROOT = path.resolve(__dirname, "../..");
const load = (file: string) => yaml.load(fs.readFileSync(path.join(ROOT, file), "utf8")) as Record<string, any>;

/** Every scalar or array key lib/config.ts reads (object keys cannot have a schema entry in Pulumi.yaml). */
const SCALAR_AND_ARRAY_KEYS = [
  "domain",
  "hostname",
  "serverIp",
  "serverIpv6",
  "accounts",
  "catchAll",
  "postmaster",
  "fail2ban",
  "blocked",
  "relayPassword",
  "resendApiKey",
  "tlsCertificate",
  "tlsPrivateKey",
  "dkimPrivateKey",
  "dns",
  "cloudflareZoneId",
  "backupKey",
  "backupS3AccessKeyId",
  "backupS3SecretAccessKey",
];

describe("Pulumi.yaml", () => {
  const project = load("Pulumi.yaml");

  it("is the mailstack nodejs project", () => {
    expect(project.name).toBe("mailstack");
    expect(project.runtime.name).toBe("nodejs");
  });

  it("declares every scalar and array key with a type and a description", () => {
    expect(Object.keys(project.config).sort()).toEqual([...SCALAR_AND_ARRAY_KEYS].sort());
    for (const [key, schema] of Object.entries<Record<string, unknown>>(project.config)) {
      expect(["string", "array", "boolean"], key).toContain(schema.type);
      expect(String(schema.description ?? "").length, key).toBeGreaterThan(10);
      if (schema.type === "array") expect(schema.items, key).toEqual({ type: "string" });
    }
  });

  it("gives every optional key a default, so only domain and accounts are required", () => {
    const required = Object.entries<Record<string, unknown>>(project.config)
      .filter(([, s]) => !("default" in s))
      .map(([k]) => k);
    expect(required.sort()).toEqual(["accounts", "domain"]);
  });
});

describe("Pulumi.prod.yaml", () => {
  it("is the seed's setup and validates once the secrets and certificate files exist", () => {
    const stack = load("Pulumi.prod.yaml").config as Record<string, unknown>;
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(stack))
      values[k.replace(/^mailstack:/, "")] = typeof v === "string" ? v : JSON.stringify(v);
    values.relayPassword = "re_from_pulumi_config_set_secret";
    values.resend = JSON.stringify({ ...JSON.parse(values.resend), dkim: "p=" + "A".repeat(200) });
    const files: Record<string, string> = {
      "certs/mail.qladgk.com.crt": PROD_CERT.certPem,
      "certs/mail.qladgk.com.key": PROD_CERT.keyPem,
    };
    const c = parseConfig({
      values,
      secretKeys: new Set(["relayPassword"]),
      hasCloudflareToken: true,
      readFile: (p) => files[p],
      now: new Date(),
    });
    expect(c).toMatchObject({
      domain: "qladgk.com",
      hostname: "mail.qladgk.com",
      serverIp: "11.22.33.44",
      accounts: ["postmaster@qladgk.com", "hi@qladgk.com", "info@qladgk.com"],
      catchAll: "info@qladgk.com",
      relay: { provider: "resend", host: "smtp.resend.com", port: 587, username: "resend" },
      tls: { mode: "manual" },
    });
  });
});
