import { FakeCloudflare, startFakeCloudflare } from "../fakes/cloudflare-api";
import { evaluateProgram, ProgramRun, RegisteredResource } from "../../preview/evaluate";

export { newStateDir, UNKNOWN } from "../../preview/evaluate";
export type { ProgramRun, RegisteredResource } from "../../preview/evaluate";
export { PROD_CONFIG, PROD_SECRETS, SECOND_CONFIG, SECOND_SECRETS } from "./fixtures";

export interface RunOptions {
  /**
   * Config keys (without `mailstack:`) stored as secrets. Defaults to every known secret key present; null runs
   * the program as a Pulumi CLI that does not say which values are secrets.
   */
  secretKeys?: string[] | null;
  /** Directory standing for Pulumi state: keys/passwords "created" in one run are read back in the next. */
  stateDir?: string;
  /** Records the mocked Resend domain resource returns. */
  resendRecords?: unknown[];
  /**
   * Run as `pulumi preview` over the state a previous run left in `stateDir`: resources get the op the
   * engine would plan (`RegisteredResource.op`, see mocks.ts planPreview), and outputs may be "<unknown>".
   */
  preview?: boolean;
  /**
   * The Cloudflare API the program reads the zone from (`cloudflare:baseUrl`). Without one, a run with
   * managed DNS gets a fresh fake holding just the domain's zone (ID `cloudflareZoneId`, or f…f), empty.
   */
  cloudflare?: FakeCloudflare;
}

/** The zone ID a run's own fake Cloudflare gives the domain when config names none. */
export const DEFAULT_ZONE_ID = "f".repeat(32);

/** The config keys a run stores as secrets when present (unless `RunOptions.secretKeys` says otherwise). */
export const DEFAULT_SECRETS = [
  "passwords",
  "relayPassword",
  "relayPasswords",
  "dkimPrivateKeys",
  "resendApiKey",
  "tlsPrivateKey",
  "dkimPrivateKey",
  "backupKey",
  "backupS3AccessKeyId",
  "backupS3SecretAccessKey",
  "cloudflare:apiToken",
];

/**
 * Runs the real index.ts with this stack config under Pulumi mocks, in a child process, and returns every
 * registered resource (inputs with secrets unwrapped, and where the secrets were) and the outputs. Rejects
 * with the program's error message when it fails (e.g. invalid config).
 */
export async function runProgram(config: Record<string, unknown>, opts: RunOptions = {}): Promise<ProgramRun> {
  return withCloudflare(config, opts.cloudflare, (withApi) => runChild(withApi, opts));
}

/**
 * Runs `fn` with the config pointing at a Cloudflare API (`cloudflare:baseUrl`): the given fake, or — with
 * managed DNS and no API named — a fresh fake holding just the domain's zone (ID `cloudflareZoneId`, or
 * DEFAULT_ZONE_ID), empty, closed afterwards.
 */
export async function withCloudflare<T>(
  config: Record<string, unknown>,
  fake: FakeCloudflare | undefined,
  fn: (config: Record<string, unknown>) => Promise<T>,
): Promise<T> {
  const managedDns = (config.dns ?? "cloudflare") !== "none" && config["cloudflare:baseUrl"] === undefined;
  const own = managedDns && !fake ? await startFakeCloudflare() : undefined;
  if (own && config.domain !== undefined)
    own.addZone(String(config.domain), (config.cloudflareZoneId as string | undefined) ?? DEFAULT_ZONE_ID);
  // With `domains`, a zone of its own for each (given ID, else a fresh one).
  for (const entry of own && Array.isArray(config.domains) ? (config.domains as Record<string, unknown>[]) : [])
    own!.addZone(String(entry.domain), entry.cloudflareZoneId as string | undefined);
  const api = fake ?? own;
  try {
    return await fn(api ? { ...config, "cloudflare:baseUrl": api.url } : config);
  } finally {
    await own?.close();
  }
}

function runChild(config: Record<string, unknown>, opts: RunOptions): Promise<ProgramRun> {
  const secretKeys =
    opts.secretKeys === undefined ? DEFAULT_SECRETS.filter((k) => config[k] !== undefined) : opts.secretKeys;
  return evaluateProgram(config, { ...opts, secretKeys });
}

/** The first registered resource of a type (optionally with a name suffix); throws when there is none. */
export function resourceOf(run: ProgramRun, type: string, nameEndsWith = ""): RegisteredResource {
  const r = run.resources.find((x) => x.type === type && x.name.endsWith(nameEndsWith));
  if (!r) throw new Error(`no ${type} resource${nameEndsWith ? ` named *${nameEndsWith}` : ""} was registered`);
  return r;
}

/** The mail server's container (the stack has others, e.g. the backup container). */
export function mailContainer(run: ProgramRun): RegisteredResource {
  return resourceOf(run, "docker:index/container:Container", "-server-container");
}

/** The Commands that write the live files into the mail server's container (components/mailserver.ts), by path. */
export function liveCommands(run: ProgramRun): Map<string, RegisteredResource> {
  return new Map(
    run.resources
      .filter((r) => r.type === "command:local:Command" && r.name.includes("-server-"))
      .map((r) => [r.inputs.environment.MAILSTACK_FILE as string, r]),
  );
}

/** Every file the mail server's container holds, by path inside it: its uploads and the live files. */
export function containerFiles(run: ProgramRun): Map<string, string> {
  const c = mailContainer(run);
  return new Map([
    ...(c.inputs.uploads as { file: string; content: string }[]).map((u): [string, string] => [u.file, u.content]),
    ...[...liveCommands(run)].map(([path, r]): [string, string] => [path, r.inputs.stdin ?? ""]),
  ]);
}

/** The mail server container's environment as an object. */
export function containerEnv(run: ProgramRun): Record<string, string> {
  const c = mailContainer(run);
  return Object.fromEntries(
    (c.inputs.envs as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
  );
}
