/**
 * A stack's configuration as the Pulumi CLI hands it to the program, read from the project's files alone:
 * `Pulumi.<stack>.yaml`, with the defaults `Pulumi.yaml` declares for keys the stack does not set. Secure
 * values (`secure: v1:…`) are encrypted with the stack's secrets provider, which only the CLI can open: each
 * is replaced by a stand-in and reported, so a plan never sees (or prints) a real secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/** What stands in for an encrypted value. 8 characters: long enough for a mailbox password. */
export const SECRET_STAND_IN = "[secret]";

export interface StackConfig {
  /** Keys without `mailstack:` (other namespaces kept, e.g. `cloudflare:apiToken`); objects as objects. */
  config: Record<string, unknown>;
  /** Keys holding a secure value (at the top or anywhere inside). */
  secretKeys: string[];
  /** Secure values replaced by SECRET_STAND_IN, as `key` or `key.path`. */
  standIns: string[];
  /** The stack file read. */
  file: string;
}

const PROJECT = "mailstack";

export function readStackFile(projectDir: string, stack: string): StackConfig {
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file))
    throw new Error(
      `no stack configuration ${path.relative(process.cwd(), file) || file}: create the stack with \`pulumi stack init ${stack}\` (or write the file), or name another stack with --stack`,
    );
  const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  const standIns: string[] = [];
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    const bare = key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : key;
    config[bare] = openSecure(value, bare, (at) => {
      secretKeys.add(bare);
      standIns.push(at);
    });
  }
  for (const [key, value] of Object.entries(projectDefaults(projectDir))) if (!(key in config)) config[key] = value;
  return { config, secretKeys: [...secretKeys], standIns, file };
}

/** `{secure: …}` anywhere in a value becomes SECRET_STAND_IN; `found` is told where. */
function openSecure(value: unknown, at: string, found: (at: string) => void): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === "secure") {
      found(at);
      return SECRET_STAND_IN;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, openSecure(v, `${at}.${k}`, found)]));
  }
  if (Array.isArray(value)) return value.map((v, i) => openSecure(v, `${at}[${i}]`, found));
  return value;
}

/** The `default` of every key `Pulumi.yaml` declares: the CLI passes them to the program when unset. */
function projectDefaults(projectDir: string): Record<string, unknown> {
  const project = yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
    config?: Record<string, { default?: unknown }>;
  };
  const defaults: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(project.config ?? {}))
    if (spec && typeof spec === "object" && "default" in spec) defaults[key] = spec.default;
  return defaults;
}
