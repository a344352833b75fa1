import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFile } from "node:child_process";
import type { Registered } from "./mocks";
import { FakeCloudflare, startFakeCloudflare } from "../fakes/cloudflare-api";

export type RegisteredResource = Registered;
export { UNKNOWN } from "./mocks";
export { PROD_CONFIG, PROD_SECRETS, SECOND_CONFIG, SECOND_SECRETS } from "./fixtures";

export interface ProgramRun {
  resources: RegisteredResource[];
  /** Stack outputs with secrets unwrapped. */
  outputs: Record<string, any>;
  /** Names of outputs that are secret. */
  secretOutputs: string[];
  /** Time from importing index.ts to every output resolved, in the child (excludes process start-up). */
  evaluationMs: number;
}

export interface RunOptions {
  /** Config keys (without `mailstack:`) stored as secrets. Defaults to every known secret key present. */
  secretKeys?: string[];
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

const ROOT = path.resolve(__dirname, "../..");
/** The config keys a run stores as secrets when present (unless `RunOptions.secretKeys` says otherwise). */
export const DEFAULT_SECRETS = [
  "passwords",
  "relayPassword",
  "resendApiKey",
  "tlsPrivateKey",
  "dkimPrivateKey",
  "backupKey",
  "backupS3AccessKeyId",
  "backupS3SecretAccessKey",
  "cloudflare:apiToken",
];

/** A fresh directory standing for one stack's state. */
export function newStateDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-state-"));
}

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
  if (own) own.addZone(String(config.domain), (config.cloudflareZoneId as string | undefined) ?? DEFAULT_ZONE_ID);
  const api = fake ?? own;
  try {
    return await fn(api ? { ...config, "cloudflare:baseUrl": api.url } : config);
  } finally {
    await own?.close();
  }
}

function runChild(config: Record<string, unknown>, opts: RunOptions): Promise<ProgramRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-run-"));
  const inputFile = path.join(dir, "input.json");
  const outputFile = path.join(dir, "output.json");
  const secretKeys = opts.secretKeys ?? DEFAULT_SECRETS.filter((k) => config[k] !== undefined);
  // Without a state directory from the caller the run has its own, removed afterwards.
  const stateDir = opts.stateDir ?? newStateDir();
  fs.writeFileSync(
    inputFile,
    JSON.stringify({ config, secretKeys, stateDir, resendRecords: opts.resendRecords, preview: opts.preview }),
  );
  const node = path.join(ROOT, "node_modules/.bin/node");
  const tsx = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
  return new Promise((resolve, reject) => {
    execFile(
      node,
      [tsx, path.join(__dirname, "program-child.ts"), inputFile, outputFile],
      { cwd: ROOT, maxBuffer: 64 << 20 },
      (err, _stdout, stderr) => {
        try {
          if (err) {
            const partial = fs.existsSync(outputFile)
              ? (JSON.parse(fs.readFileSync(outputFile, "utf8")) as { error: string; resources: RegisteredResource[] })
              : undefined;
            return reject(
              Object.assign(new Error(partial?.error ?? (stderr.trim() || err.message)), {
                resources: partial?.resources ?? [],
              }),
            );
          }
          resolve(JSON.parse(fs.readFileSync(outputFile, "utf8")) as ProgramRun);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
          if (!opts.stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
        }
      },
    );
  });
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
