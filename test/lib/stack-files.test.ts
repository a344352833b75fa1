import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../lib/config";
import { PROD_CERT, PROD_CONFIG, PROD_SECRETS, SECOND_CONFIG, SECOND_SECRETS } from "../support/fixtures";
import { rawConfig } from "../support/raw-config";

const ROOT = path.resolve(__dirname, "../..");
const load = (file: string) => yaml.load(fs.readFileSync(path.join(ROOT, file), "utf8")) as Record<string, any>;

/**
 * Go's `workspace.ValidateConfigValue` (pulumi/pulumi sdk/go/common/workspace/project.go, CLI 3.187+): how the
 * CLI checks a stack value, and a project default, against the declared type before the program runs.
 */
function cliAccepts(type: string, items: { type: string } | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return Array.isArray(value) && !!items && value.every((v) => cliAccepts(items.type, undefined, v));
  }
}

/** Every `mailstack:` key parseConfig reads for this config (a proxy records each lookup). */
function keysRead(config: Record<string, unknown>, secrets: string[]): Set<string> {
  const seen = new Set<string>();
  const raw = rawConfig(config, secrets, { readFile: () => PROD_CERT.certPem });
  raw.values = new Proxy(raw.values, {
    get: (target, key) => {
      if (typeof key === "string") seen.add(key);
      return target[key as string];
    },
  });
  try {
    parseConfig(raw);
  } catch {
    // Only the lookups matter here.
  }
  return seen;
}

describe("Pulumi.yaml", () => {
  const project = load("Pulumi.yaml");
  const declared = project.config as Record<string, { type: string; items?: { type: string }; default?: unknown }>;

  it("is the mailstack nodejs project", () => {
    expect(project.name).toBe("mailstack");
    expect(project.runtime.name).toBe("nodejs");
  });

  it("declares exactly the keys lib/config.ts reads, objects included, so `pulumi config` lists them all", () => {
    const read = new Set([
      ...keysRead(PROD_CONFIG, PROD_SECRETS),
      ...keysRead(SECOND_CONFIG, SECOND_SECRETS),
      ...keysRead({ ...PROD_CONFIG, resendApiKey: "re_full", tls: { mode: "self-signed" } }, ["resendApiKey"]),
    ]);
    expect(Object.keys(declared).sort()).toEqual([...read].sort());
    for (const [key, schema] of Object.entries<Record<string, unknown>>(declared)) {
      expect(["string", "boolean", "array", "object"], key).toContain(schema.type);
      expect(String(schema.description ?? "").length, key).toBeGreaterThan(10);
      if (schema.type === "array") expect(schema.items, key).toEqual({ type: key === "domains" ? "object" : "string" });
    }
  });

  it("gives every key a default of its declared type: domain and accounts, or domains, are required by lib/config.ts", () => {
    const required = Object.entries(declared)
      .filter(([, s]) => !("default" in s))
      .map(([k]) => k);
    expect(required).toEqual([]);
    // Project.Validate rejects a default that does not match its type.
    for (const [key, s] of Object.entries(declared))
      if ("default" in s) expect(cliAccepts(s.type, s.items, s.default), key).toBe(true);
  });

  it("the defaults the CLI fills in for unset keys pass lib/config.ts (an empty passwords object is not a plain-text secret)", () => {
    const defaults = Object.fromEntries(
      Object.entries(declared)
        .filter(([, s]) => "default" in s)
        .map(([k, s]) => [k, typeof s.default === "string" ? s.default : JSON.stringify(s.default)]),
    );
    const values = {
      ...defaults,
      domain: "example.net",
      accounts: JSON.stringify(["hi"]),
      serverIp: "198.51.100.7",
      relay: JSON.stringify({ provider: "none" }),
      tls: JSON.stringify({ mode: "self-signed" }),
    };
    const c = parseConfig({
      values,
      secretKeys: new Set(),
      cloudflareToken: "environment",
      environment: {},
      readFile: () => "",
      now: new Date(),
    });
    expect(c.passwords).toEqual({});
    expect(c.relay.provider).toBe("none");
  });

  it("types every value of the seed's stack file the way the CLI checks it", () => {
    const stack = load("Pulumi.prod.yaml").config as Record<string, unknown>;
    for (const [k, v] of Object.entries(stack)) {
      const key = k.replace(/^mailstack:/, "");
      expect(declared[key], k).toBeDefined();
      expect(cliAccepts(declared[key].type, declared[key].items, v), k).toBe(true);
    }
    expect(cliAccepts("object", undefined, "a string")).toBe(false);
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
      secretKeys: new Set(["mailstack:relayPassword"]),
      cloudflareToken: "environment",
      environment: {},
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
