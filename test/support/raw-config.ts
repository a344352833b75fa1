import { RawConfig } from "../../lib/config";
import { toPulumiConfig } from "../../preview/pulumi-config";

/** The RawConfig lib/stack-config.ts would build from this test config (same JSON encoding as Pulumi). */
export function rawConfig(
  config: Record<string, unknown>,
  secrets: string[],
  extra: Partial<RawConfig> = {},
): RawConfig {
  const { values } = toPulumiConfig(config, []);
  const bare: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (k.startsWith("mailstack:")) bare[k.slice("mailstack:".length)] = v;
  return {
    values: bare,
    secretKeys: new Set(secrets.filter((s) => !s.includes(":"))),
    hasCloudflareToken: config["cloudflare:apiToken"] !== undefined,
    readFile: () => {
      throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    },
    now: new Date(),
    ...extra,
  };
}
