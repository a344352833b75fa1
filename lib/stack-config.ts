import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MailConfig } from "./config-types";
import { ConfigError, parseConfig } from "./config";
import { CloudflareConnection } from "./cloudflare/api";
import { readZone } from "./cloudflare/zone";
import { conflictMessage, planAdoption, ZoneAdoption, zoneAdoption } from "./dns-adoption";
import { planDomainWellKnown, planZoneRecords } from "./plan/domain-records";
import { mailDomains } from "./plan/mail-domains";
import { customDomainConflicts } from "./well-known/custom-domains";

const NAMESPACE = "mailstack";

/**
 * The config keys the Pulumi CLI stores as secrets. The language host hands the program its config in two
 * environment variables, `PULUMI_CONFIG` (values) and `PULUMI_CONFIG_SECRET_KEYS` (a JSON list of the secret keys),
 * the contract every Pulumi SDK reads (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go,
 * `pulumiConfigSecretKeysVar`; proto/language.proto RunRequest.configSecretKeys). Undefined when the list is absent
 * or unreadable: then no value can be shown to be a secret, and lib/config-secrets.ts refuses every secret key.
 */
export function configSecretKeys(env: NodeJS.ProcessEnv = process.env): Set<string> | undefined {
  const text = env.PULUMI_CONFIG_SECRET_KEYS;
  if (!text) return undefined;
  try {
    const keys: unknown = JSON.parse(text);
    return Array.isArray(keys) && keys.every((k) => typeof k === "string") ? new Set(keys) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the stack's `mailstack:*` configuration and validates it (lib/config.ts). Raw values are read with
 * `runtime.allConfig`, which neither warns about nor exposes secrets: they are only compared and parsed here
 * and wrapped in `pulumi.secret` by the components that use them.
 */
export function readStackConfig(): MailConfig {
  const prefix = `${pulumi.getProject()}:`;
  const all = pulumi.runtime.allConfig();
  const listed = configSecretKeys();
  const values: Record<string, string> = {};
  const secretKeys = listed && new Set<string>();
  for (const [key, value] of Object.entries(all)) {
    // Keys are namespaced by the project name; accept `mailstack:` too so the stack file reads the same.
    const bare = key.startsWith(prefix)
      ? key.slice(prefix.length)
      : key.startsWith(`${NAMESPACE}:`)
        ? key.slice(NAMESPACE.length + 1)
        : undefined;
    if (listed?.has(key)) secretKeys!.add(bare === undefined ? key : `${NAMESPACE}:${bare}`);
    if (bare !== undefined) values[bare] = value;
  }
  try {
    return parseConfig({
      values,
      secretKeys,
      cloudflareToken: all["cloudflare:apiToken"]
        ? "config"
        : process.env.CLOUDFLARE_API_TOKEN
          ? "environment"
          : undefined,
      environment: process.env,
      readFile: (file) => fs.readFileSync(path.resolve(file), "utf8"),
      now: new Date(),
    });
  } catch (e) {
    // RunError prints the message alone, without a stack trace: the message is the whole story.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

/**
 * The Cloudflare provider's own token and endpoint, read the way it reads them (terraform-provider-cloudflare
 * v5 internal/provider.go: config first, then CLOUDFLARE_API_TOKEN / CLOUDFLARE_BASE_URL), so the program's
 * reads go to the account the provider writes to.
 */
export function readCloudflareConnection(): CloudflareConnection {
  const all = pulumi.runtime.allConfig();
  return {
    apiToken: all["cloudflare:apiToken"] || process.env.CLOUDFLARE_API_TOKEN || "",
    baseUrl: all["cloudflare:baseUrl"] || process.env.CLOUDFLARE_BASE_URL || undefined,
  };
}

/**
 * Reads each domain's Cloudflare zone (a read: nothing is created) and checks it against every record the
 * domain will have there (lib/plan/domain-records.ts planZoneRecords): the zone lookup's error and the
 * records already in the way stop the run here, with one message, before any resource is registered.
 */
export async function readDnsZones(config: MailConfig): Promise<Record<string, ZoneAdoption>> {
  const conn = readCloudflareConnection();
  const zones: Record<string, ZoneAdoption> = {};
  try {
    for (const domain of mailDomains(config)) {
      const zone = await readZone(conn, domain.name, domain.zoneId);
      config.warnings.push(...zone.warnings);
      // Host names the client-setup Worker takes must be free too: one message for everything in the way.
      const hosts = domain.clientSetup.worker ? planDomainWellKnown(domain).outputs.hostnames : [];
      const blocked = customDomainConflicts(hosts, zone.records, domain.name);
      const planned = planAdoption(zone.id, planZoneRecords(domain), zone.records, config.dns.adopt);
      if (blocked.length || planned.conflicts.length)
        throw new Error(
          conflictMessage(zone, [...planned.conflicts, ...blocked], config.dns.adopt.length, conn.baseUrl),
        );
      zones[domain.name] = zoneAdoption(zone, config.dns.adopt, conn.baseUrl);
    }
    return zones;
  } catch (e) {
    // Like a ConfigError: the message is the whole story (RunError prints no stack trace).
    const message = (e as Error).message;
    throw new pulumi.RunError(
      message.startsWith("mailstack: ")
        ? message
        : `mailstack: could not read the Cloudflare zone, nothing was changed:\n  - ${message}`,
    );
  }
}
