/**
 * lib/stack-config.ts reads which config values are secrets from the list the Pulumi CLI hands the program
 * (PULUMI_CONFIG_SECRET_KEYS), not from an SDK internal; when the list is missing the plain-text refusal holds.
 */
import { describe, expect, it } from "vitest";
import { configSecretKeys } from "../../lib/stack-config";
import { PROD_CONFIG, runProgram } from "../support/run-program";

describe("configSecretKeys", () => {
  it("reads the language host's JSON list, and nothing else", () => {
    expect(
      configSecretKeys({ PULUMI_CONFIG_SECRET_KEYS: '["mailstack:relayPassword","cloudflare:apiToken"]' }),
    ).toEqual(new Set(["mailstack:relayPassword", "cloudflare:apiToken"]));
    expect(configSecretKeys({ PULUMI_CONFIG_SECRET_KEYS: "[]" })).toEqual(new Set());
    for (const text of [undefined, "", "not json", '{"a":1}', "[1]"])
      expect(configSecretKeys({ PULUMI_CONFIG_SECRET_KEYS: text }), String(text)).toBeUndefined();
  });
});

describe("secrets through the real program", () => {
  it("refuses secret values when the CLI does not say which are secrets, before any resource", async () => {
    const error = await runProgram(PROD_CONFIG, { secretKeys: null }).catch((e) => e);
    expect(error.message).toMatch(/mailstack:relayPassword cannot be shown to be stored as a secret/);
    expect(error.message).toMatch(/mailstack:tlsPrivateKey cannot be shown/);
    expect(error.message).toMatch(/cloudflare:apiToken cannot be shown/);
    expect(error.message).not.toContain(PROD_CONFIG.relayPassword);
    expect(error.resources).toEqual([]);
  });

  it("refuses the Cloudflare token in plain text, and runs when every secret is one", async () => {
    const error = await runProgram(PROD_CONFIG, { secretKeys: ["relayPassword", "tlsPrivateKey"] }).catch((e) => e);
    expect(error.message).toMatch(/cloudflare:apiToken is stored in plain text/);
    expect(error.resources).toEqual([]);
    const run = await runProgram(PROD_CONFIG);
    expect(run.resources.length).toBeGreaterThan(0);
  });
});
