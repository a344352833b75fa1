import { RawConfig } from "../../lib/config";
import { toPulumiConfig } from "../../preview/pulumi-config";

/**
 * The RawConfig lib/stack-config.ts would build from this test config (same JSON encoding as Pulumi). `secrets`
 * lists the keys stored as secrets (without `mailstack:`; `cloudflare:apiToken` as is), or undefined when the
 * Pulumi CLI did not say.
 */
export function rawConfig(
  config: Record<string, unknown>,
  secrets: string[] | undefined,
  extra: Partial<RawConfig> = {},
): RawConfig {
  const { values, secretKeys } = toPulumiConfig(config, secrets ?? []);
  const bare: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (k.startsWith("mailstack:")) bare[k.slice("mailstack:".length)] = v;
  return {
    values: bare,
    secretKeys: secrets && new Set(secretKeys),
    cloudflareToken: config["cloudflare:apiToken"] !== undefined ? "config" : undefined,
    environment: {},
    readFile: () => {
      throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    },
    now: new Date(),
    ...extra,
  };
}
