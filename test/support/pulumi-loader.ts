import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFile } from "node:child_process";
import * as yaml from "js-yaml";
import { selfSignedCertificate } from "./certificates";
import { generateKeyPairSync } from "node:crypto";
import type { FakeCloudflare } from "../fakes/cloudflare-api";
import { withCloudflare } from "./run-program";

const ROOT = path.resolve(__dirname, "../..");
const NODE = path.join(ROOT, "node_modules/.bin/node");

export interface LoaderRun {
  /** Wall time from spawning the process to its exit. */
  wallMs: number;
  /** CPU time of the process (user + system), start to exit. */
  cpuMs: number;
  /** `type::name` of every registered resource, sorted. */
  resources: string[];
  /** `type::name` → where Pulumi says the resource was created (`file://…:line:column`), as the engine gets it. */
  positions: Record<string, string>;
  /** How ts-node was registered, if it was. */
  tsNode?: { swc: boolean; transpileOnly: boolean };
  /** Every package directory (`node_modules/…`, relative to the project) a module was loaded from. */
  packages: string[];
  /** What the language host was asked to run, from Pulumi.yaml. */
  host: LanguageHostRun;
  exitCode: number;
}

export interface LoadOptions {
  /** Run another project (its Pulumi.yaml, package.json, tsconfig.json and program). */
  projectDir?: string;
  /**
   * Load @pulumi/pulumi (and so everything) from the project's own node_modules, as `pulumi up` in that
   * directory would: the child runs from a copy inside it. Default: this repository's node_modules.
   */
  ownInstall?: boolean;
  /** The Cloudflare API for managed DNS (else a fresh fake with the domain's empty zone, see run-program). */
  cloudflare?: FakeCloudflare;
}

/** How Pulumi's nodejs language host starts a project's program. */
export interface LanguageHostRun {
  /** Pulumi.yaml `runtime.options.nodeargs`, before cmd/run. */
  nodeArgs: string[];
  /** PULUMI_NODEJS_TYPESCRIPT / PULUMI_NODEJS_TSCONFIG_PATH as the host sets them. */
  env: Record<string, string>;
  /** The program directory (cmd/run's `--pwd`) and entry point (its last argument). */
  pwd: string;
  entryPoint: string;
  project: string;
}

/**
 * What the language host does with Pulumi.yaml, after pulumi/pulumi's sources: the engine turns `main` into a
 * program directory and entry point (pkg/engine/project.go getPwdMain); pulumi-language-nodejs reads the runtime
 * options (`typescript` defaults to true, then PULUMI_NODEJS_TYPESCRIPT=true; `tsconfig`; `nodeargs`) in
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go parseOptions/execRuntime and passes `--pwd <dir> <entry>` to
 * cmd/run (constructArguments). cmd/run then resolves "." through package.json's `exports`/`main`.
 */
export function languageHostRun(projectDir: string): LanguageHostRun {
  const project = yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
    name: string;
    main?: string;
    runtime: string | { name: string; options?: { typescript?: boolean; tsconfig?: string; nodeargs?: string } };
  };
  const options = (typeof project.runtime === "object" && project.runtime.options) || {};
  const env: Record<string, string> = {};
  if (options.typescript ?? true) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
  if (/["'\\]/.test(options.nodeargs ?? "")) throw new Error("nodeargs with quotes: split them as shlex would");
  const nodeArgs = (options.nodeargs ?? "").split(/\s+/).filter(Boolean);
  let pwd = projectDir;
  let entryPoint = ".";
  if (project.main) {
    const main = path.resolve(projectDir, project.main);
    if (fs.statSync(main).isDirectory()) pwd = main;
    else [pwd, entryPoint] = [path.dirname(main), path.basename(main)];
  }
  return { nodeArgs, env, pwd, entryPoint, project: project.name };
}

function spawnNode(args: string[], env?: Record<string, string>): Promise<{ wallMs: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    execFile(NODE, args, { cwd: ROOT, env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve({ wallMs: performance.now() - started, stdout });
    }),
  );
}

/**
 * The project (this one by default) with this config, run by @pulumi/pulumi/cmd/run as `pulumi up` runs it
 * (test/support/pulumi-loader-child.cjs), the engine replaced by Pulumi's mocks.
 */
export function loadLikePulumi(
  config: Record<string, unknown>,
  secretKeys: string[],
  opts: LoadOptions = {},
): Promise<LoaderRun> {
  const projectDir = opts.projectDir ?? ROOT;
  const host = languageHostRun(projectDir);
  return withCloudflare(config, opts.cloudflare, async (withApi) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-load-"));
    const child = path.join(__dirname, "pulumi-loader-child.cjs");
    const ownChild = opts.ownInstall && path.join(projectDir, "pulumi-loader-child.cjs");
    try {
      if (ownChild) fs.copyFileSync(child, ownChild);
      const k = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const rsaKey = {
        privateKeyPem: k.privateKey.export({ type: "pkcs1", format: "pem" }),
        publicKeyPem: k.publicKey.export({ type: "spki", format: "pem" }),
      };
      // What tls.SelfSignedCert returns for a self-signed stack (the program reads its issuer and expiry).
      const certPem = selfSignedCertificate({ hostname: "mail.example.net", days: 30 }).certPem;
      const inputFile = path.join(dir, "input.json");
      fs.writeFileSync(inputFile, JSON.stringify({ rsaKey, certPem }));
      // The config as the language host passes it: full keys, every value a string (objects as JSON).
      const key = (k: string) => (k.includes(":") ? k : `${host.project}:${k}`);
      const values = Object.fromEntries(
        Object.entries(withApi)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [key(k), typeof v === "string" ? v : JSON.stringify(v)]),
      );
      const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PULUMI_")));
      const env = {
        ...inherited,
        ...host.env,
        PULUMI_CONFIG: JSON.stringify(values),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys.map(key)),
      } as Record<string, string>;
      const runArgs = ["--monitor", "mock", "--project", host.project, "--stack", "load", "--pwd", host.pwd];
      const { wallMs, stdout } = await spawnNode(
        [...host.nodeArgs, ownChild || child, inputFile, ...runArgs, host.entryPoint],
        env,
      );
      const report = JSON.parse(stdout.trim().split("\n").pop()!);
      return { wallMs, host, ...report } as LoaderRun;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      if (ownChild) fs.rmSync(ownChild, { force: true });
    }
  });
}

/** The SDKs index.ts imports. */
const SDKS = ["@pulumi/pulumi", "@pulumi/docker", "@pulumi/cloudflare", "@pulumi/random", "@pulumi/tls"];

export interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** The floor: a process that only requires the SDKs the program uses, without Pulumi's loader or TypeScript. */
export async function bareSdkLoad(): Promise<Timing> {
  const script = `${SDKS.map((m) => `require(${JSON.stringify(m)});`).join("")}
    const c = process.cpuUsage(); console.log((c.user + c.system) / 1000);`;
  const { wallMs, stdout } = await spawnNode(["-e", script]);
  return { wallMs, cpuMs: Number(stdout) };
}

/**
 * The floor through Pulumi's loader: a project whose program only requires the SDKs, run by cmd/run as the
 * language host runs it (plain JavaScript, `typescript: false`). What is left above it is mailstack's own code.
 */
export async function sdkOnlyProgramLoad(): Promise<Timing> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-sdk-only-"));
  try {
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "sdk-only", main: "index.js" }));
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      yaml.dump({ name: "sdk-only", runtime: { name: "nodejs", options: { typescript: false } } }),
    );
    fs.writeFileSync(path.join(dir, "index.js"), SDKS.map((m) => `require(${JSON.stringify(m)});\n`).join(""));
    const { wallMs, cpuMs } = await loadLikePulumi({}, [], { projectDir: dir });
    return { wallMs, cpuMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
