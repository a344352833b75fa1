/**
 * The reading half of config validation: raw values as Pulumi hands them to the program, a collector of
 * problems and warnings, and `Scope`, typed access to one level of the configuration that names the full key in
 * every message. The section readers (lib/config-*.ts) take a Scope, so the same reader serves the stack's top
 * level today and one entry of a `domains` list later. They decide what is valid; this file only reads.
 */
import { distance } from "fastest-levenshtein";

/** Raw stack configuration as Pulumi stores it: strings, objects and arrays as JSON text. */
export interface RawConfig {
  /** `mailstack:*` values by key without the namespace. */
  values: Record<string, string | undefined>;
  /**
   * Full keys (`mailstack:relayPassword`, `cloudflare:apiToken`) whose values are stored as secrets, as the Pulumi
   * CLI lists them for the program; undefined when it did not say, so no value can be shown to be a secret.
   */
  secretKeys: ReadonlySet<string> | undefined;
  /** Where the Cloudflare API token comes from: `cloudflare:apiToken` in the stack, `CLOUDFLARE_API_TOKEN`, or nowhere. */
  cloudflareToken: "config" | "environment" | undefined;
  /** Variables of the deploying machine that change what a value means (the Docker client's TLS material). */
  environment: Readonly<Record<string, string | undefined>>;
  /** Reads a file named in config (relative to the project directory). */
  readFile: (path: string) => string;
  now: Date;
}

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** Whether a text holds a PEM private key (any kind: PKCS#1, PKCS#8, EC, encrypted). */
export const containsPrivateKey = (text: string) => PRIVATE_KEY_PEM.test(text);

/** Characters a terminal would not show, or would act on, written as `\uXXXX` instead. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\x00-\x1f\x7f-\x9f\u00a0\u00ad\u2000-\u200f\u2028-\u202f\u205f-\u206f\ufeff]/g;
const visible = (text: string) => text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * A value as messages show it: JSON-quoted, invisible characters spelled out, cut at 100 characters, and never a
 * private key (a key pasted into the wrong setting must not end up in the terminal or CI logs).
 */
export function show(v: unknown): string {
  const text = visible(JSON.stringify(v) ?? String(v));
  if (containsPrivateKey(text)) return "(a value holding a private key, not shown)";
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

/** A key as messages show it (keys come from config too): `mailstack:` added to our own, nothing invisible. */
const qualified = (key: string) => visible(key.includes(":") ? key : `mailstack:${key}`);

/** Collects every problem and warning, so one run reports them all. */
export class Problems {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];

  /** Records a problem with `key`; returns undefined so a reader can `return r.fail(…)` and go on. */
  fail(key: string, message: string): undefined {
    this.problems.push(`${qualified(key)} ${message}`);
    return undefined;
  }
  warn(key: string, message: string): void {
    this.warnings.push(`${qualified(key)} ${message}`);
  }
}

/** The closest known name to a mistyped one, if any is close enough to be what was meant. */
export function suggest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same) return same;
  let best: { name: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (!best || d < best.d) best = { name: k, d };
  }
  // Up to one edit per three characters (`blockd` → `blocked`, `selecter` → `selector`) …
  if (best && best.d <= Math.max(1, Math.floor(lower.length / 3))) return best.name;
  // … or a name cut short or run on (`block` → `blocked`, `aliasess` → `aliases`).
  return lower.length >= 4
    ? known.find((k) => k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase()))
    : undefined;
}

/** ` (did you mean "x"?)` or nothing. */
export function didYouMean(name: string, known: readonly string[]): string {
  const s = suggest(name, known);
  return s ? ` (did you mean ${show(s)}?)` : "";
}

/**
 * One level of the configuration: the stack's top level (values are Pulumi's strings, objects and arrays as JSON
 * text) or an object inside it (values already decoded). Every message names the full key (`dkim.selector`).
 */
export class Scope {
  private constructor(
    readonly r: Problems,
    private readonly values: Readonly<Record<string, unknown>>,
    /** `""` at the top, `"dkim."` inside `dkim`. */
    private readonly prefix: string,
    /** Top level: values are text that may hold JSON. */
    private readonly encoded: boolean,
    private readonly secretOf: (name: string) => boolean,
  ) {}

  /** The stack's top level. */
  static top(r: Problems, raw: RawConfig): Scope {
    return new Scope(r, raw.values, "", true, (name) => raw.secretKeys?.has(`mailstack:${name}`) ?? false);
  }

  /** The full key of a name in this scope, for messages. */
  key(name: string): string {
    return this.prefix + name;
  }
  /** Names that are set (an empty value is unset). */
  names(): string[] {
    return Object.keys(this.values).filter((k) => !isUnset(this.values[k]));
  }
  has(name: string): boolean {
    return !isUnset(this.values[name]);
  }
  /** Whether the value is stored as a Pulumi secret (an object inside a secret is secret). */
  isSecret(name: string): boolean {
    return this.secretOf(name);
  }
  fail(name: string, message: string): undefined {
    return this.r.fail(this.key(name), message);
  }
  warn(name: string, message: string): void {
    this.r.warn(this.key(name), message);
  }

  /** The value, with JSON text at the top level decoded when it holds an object or a list. */
  value(name: string): unknown {
    const v = this.values[name];
    if (isUnset(v)) return undefined;
    if (this.encoded && typeof v === "string" && /^\s*[[{]/.test(v)) {
      try {
        return JSON.parse(v);
      } catch {
        // Not JSON after all: the caller reports the type with the text as given.
      }
    }
    return v;
  }

  /** A string, trimmed; empty means unset. */
  string(name: string): string | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    if (typeof v !== "string") return this.fail(name, `must be a string (got ${this.shown(name, v)})`);
    return v.trim() || undefined;
  }
  /** A secret's value as given, untrimmed (a password may end in a space); empty means unset. */
  secret(name: string): string | undefined {
    const v = this.values[name];
    if (isUnset(v)) return undefined;
    if (typeof v !== "string") return this.fail(name, "must be a string (value not shown)");
    return v;
  }
  /** A number; Pulumi keeps `pulumi config set … 587` as the text "587". */
  number(name: string): number | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    if (typeof v === "string" && /^\s*\d+\s*$/.test(v)) return Number(v);
    if (typeof v !== "number") return this.fail(name, `must be a number (got ${this.shown(name, v)})`);
    return v;
  }
  boolean(name: string): boolean | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    if (v === "true" || v === "false") return v === "true";
    if (typeof v !== "boolean") return this.fail(name, `must be true or false (got ${this.shown(name, v)})`);
    return v;
  }
  /** A mapping, as a scope of its own. */
  object(name: string): Scope | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    if (typeof v !== "object" || v === null || Array.isArray(v))
      return this.fail(
        name,
        `must be a mapping (got ${this.shown(name, v)}); set it in Pulumi.<stack>.yaml as a YAML mapping or with pulumi config set --path '${this.key(name)}.<setting>' <value>`,
      );
    return new Scope(this.r, v as Record<string, unknown>, `${this.key(name)}.`, false, () => this.isSecret(name));
  }

  /**
   * A list of mappings, each entry a scope of its own whose messages name it by position (`domains[1].accounts`).
   * An entry that is not a mapping is refused and left out.
   */
  list(name: string): Scope[] | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v))
      return this.fail(name, `must be a list of mappings (got ${this.shown(name, v)}); set it in Pulumi.<stack>.yaml`);
    const scopes: Scope[] = [];
    for (const [i, entry] of v.entries()) {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry))
        this.r.fail(`${this.key(name)}[${i}]`, `must be a mapping (got ${this.shown(name, entry)})`);
      else
        scopes.push(
          new Scope(this.r, entry as Record<string, unknown>, `${this.key(name)}[${i}].`, false, () =>
            this.isSecret(name),
          ),
        );
    }
    return scopes;
  }

  /** Refuses every name that is not one of `known`, suggesting the one probably meant. */
  only(known: readonly string[], where = `expected one of ${known.join(", ")}`): void {
    for (const name of this.names())
      if (!known.includes(name)) this.fail(name, `is not a known setting${didYouMean(name, known)}; ${where}`);
  }

  private shown(name: string, v: unknown): string {
    return this.isSecret(name) ? "a secret value" : show(v);
  }
}

const isUnset = (v: unknown) => v === undefined || v === null || v === "";
