import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MailConfig } from "./config-types";
import { ConfigError, parseConfig } from "./config";

const NAMESPACE = "mailstack";

/** `isConfigSecret` is internal to @pulumi/pulumi; without it, secrecy cannot be checked and is assumed. */
const isConfigSecret: (key: string) => boolean =
  (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret ?? (() => true);

/**
 * Reads the stack's `mailstack:*` configuration and validates it (lib/config.ts). Raw values are read with
 * `runtime.getConfig`, which neither warns about nor exposes secrets: they are only compared and parsed here
 * and wrapped in `pulumi.secret` by the components that use them.
 */
export function readStackConfig(): MailConfig {
  const prefix = `${pulumi.getProject()}:`;
  const all = pulumi.runtime.allConfig();
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [key, value] of Object.entries(all)) {
    // Keys are namespaced by the project name; accept `mailstack:` too so the stack file reads the same.
    const bare = key.startsWith(prefix)
      ? key.slice(prefix.length)
      : key.startsWith(`${NAMESPACE}:`)
        ? key.slice(NAMESPACE.length + 1)
        : undefined;
    if (bare === undefined) continue;
    values[bare] = value;
    if (isConfigSecret(key)) secretKeys.add(bare);
  }
  try {
    return parseConfig({
      values,
      secretKeys,
      hasCloudflareToken: !!(all["cloudflare:apiToken"] || process.env.CLOUDFLARE_API_TOKEN),
      readFile: (file) => fs.readFileSync(path.resolve(file), "utf8"),
      now: new Date(),
    });
  } catch (e) {
    // RunError prints the message alone, without a stack trace: the message is the whole story.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}
