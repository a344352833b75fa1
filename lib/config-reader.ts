/**
 * The reading half of config validation: raw values as Pulumi stores them, typed field access, and the
 * name/address/IP predicates. lib/config.ts decides what is valid; this only reads and records problems.
 */
import { isIPv4 } from "node:net";

/** Raw stack configuration as Pulumi stores it: strings, objects as JSON text. */
export interface RawConfig {
  /** `mailstack:*` values by key without the namespace. */
  values: Record<string, string | undefined>;
  /** Keys (without namespace) whose values are stored as secrets. */
  secretKeys: ReadonlySet<string>;
  /** Whether a Cloudflare API token is available (`cloudflare:apiToken` or CLOUDFLARE_API_TOKEN). */
  hasCloudflareToken: boolean;
  /** Reads a file named in config (relative to the project directory). */
  readFile: (path: string) => string;
  now: Date;
}

export const show = (v: unknown) => JSON.stringify(v);
export const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const LOCAL_PART = /^(?!\.)(?!.*\.\.)[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\.)$/;

export function isDomainName(s: string): boolean {
  const labels = s.split(".");
  return (
    s.length <= 253 &&
    labels.length >= 2 &&
    labels.every((l) => LABEL.test(l)) &&
    /^[a-z]{2,63}$|^xn--/.test(labels[labels.length - 1])
  );
}

export function isAddress(s: string): boolean {
  const at = s.lastIndexOf("@");
  return at > 0 && LOCAL_PART.test(s.slice(0, at)) && isDomainName(s.slice(at + 1));
}

/** Addresses that must never be published in an A/AAAA record for a public mail server. */
export function isNonPublicIp(ip: string): boolean {
  if (isIPv4(ip)) {
    const [a, b] = ip.split(".").map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      a >= 224
    );
  }
  const x = ip.toLowerCase();
  return x === "::" || x === "::1" || /^f[cd]/.test(x) || /^fe[89ab]/.test(x) || /^ff/.test(x);
}

/** Collects problems while reading; `fail` records one and returns undefined so parsing can go on. */
export class Reader {
  readonly problems: string[] = [];
  constructor(readonly raw: RawConfig) {}

  fail(key: string, message: string): undefined {
    this.problems.push(`mailstack:${key} ${message}`);
    return undefined;
  }
  string(key: string): string | undefined {
    const v = this.raw.values[key];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  }
  /** A secret's raw value, untrimmed (a password may end in a space); empty means unset. */
  secret(key: string): string | undefined {
    const v = this.raw.values[key];
    return v === undefined || v === "" ? undefined : v;
  }
  /** A structured value; Pulumi stores objects and arrays as JSON text. */
  json(key: string): unknown {
    const v = this.raw.values[key];
    if (v === undefined || v.trim() === "") return undefined;
    try {
      return JSON.parse(v);
    } catch {
      // A plain string where an object/array was expected: let the caller report the type.
      return v;
    }
  }
  object(key: string): Record<string, unknown> | undefined {
    const v = this.json(key);
    if (v === undefined) return undefined;
    if (typeof v !== "object" || v === null || Array.isArray(v))
      return this.fail(
        key,
        `must be an object (got ${this.isSecret(key) ? "a secret value" : show(v)}); set it in Pulumi.<stack>.yaml as a YAML mapping or with pulumi config set --path`,
      );
    return v as Record<string, unknown>;
  }
  isSecret(key: string): boolean {
    return this.raw.secretKeys.has(key);
  }
}

/** Field of a config object, checked for type; `key` is the dotted path for messages. */
export function field<T extends "string" | "number" | "boolean">(
  r: Reader,
  obj: Record<string, unknown> | undefined,
  name: string,
  key: string,
  type: T,
): (T extends "string" ? string : T extends "number" ? number : boolean) | undefined {
  const v = obj?.[name];
  if (v === undefined || v === null || v === "") return undefined;
  if (type === "number" && typeof v === "string" && /^\d+$/.test(v)) return Number(v) as never;
  if (type === "boolean" && (v === "true" || v === "false")) return (v === "true") as never;
  if (typeof v !== type) return r.fail(key, `must be a ${type} (got ${show(v)})`) as never;
  return (type === "string" ? (v as string).trim() : v) as never;
}

export function unknownFields(
  r: Reader,
  obj: Record<string, unknown> | undefined,
  key: string,
  allowed: string[],
): void {
  for (const k of Object.keys(obj ?? {})) {
    if (!allowed.includes(k)) r.fail(`${key}.${k}`, `is not a known setting; expected one of ${allowed.join(", ")}`);
  }
}
