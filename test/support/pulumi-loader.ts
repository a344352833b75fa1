import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFile } from "node:child_process";
import { selfSignedCertificate } from "./certificates";
import { generateKeyPairSync } from "node:crypto";
import type { FakeCloudflare } from "../fakes/cloudflare-api";
import { withCloudflare } from "./run-program";

const ROOT = path.resolve(__dirname, "../..");
const NODE = path.join(ROOT, "node_modules/.bin/node");

export interface LoaderRun {
  /** Wall time from spawning the process to its exit. */
  wallMs: number;
  /** `type::name` of every registered resource, sorted. */
  resources: string[];
  /** How ts-node was registered by Pulumi's loader. */
  tsNode?: { swc: boolean; transpileOnly: boolean };
  /** What Pulumi's loader resolved for `typescript` and `ts-node` (tsutils.typeScriptRequireStrings), and their versions. */
  typescript: { typescriptRequire: string; tsnodeRequire: string; typescriptVersion?: string; tsnodeVersion?: string };
  /** Every package directory (`node_modules/…`, relative to the project) a module was loaded from. */
  packages: string[];
  exitCode: number;
}

export interface LoadOptions {
  /** Run another project's index.ts (Pulumi's loader reads tsconfig.json and package.json from it). */
  projectDir?: string;
  /**
   * Load @pulumi/pulumi (and so everything) from the project's own node_modules, as `pulumi up` in that
   * directory would: the child runs from a copy inside it. Default: this repository's node_modules.
   */
  ownInstall?: boolean;
  /** The Cloudflare API for managed DNS (else a fresh fake with the domain's empty zone, see run-program). */
  cloudflare?: FakeCloudflare;
}

function spawnNode(args: string[]): Promise<{ wallMs: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    execFile(NODE, args, { cwd: ROOT, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve({ wallMs: performance.now() - started, stdout });
    }),
  );
}

/**
 * index.ts with this config, loaded by @pulumi/pulumi/cmd/run as `pulumi up` loads it
 * (test/support/pulumi-loader-child.cjs).
 */
export function loadLikePulumi(
  config: Record<string, unknown>,
  secretKeys: string[],
  opts: LoadOptions = {},
): Promise<LoaderRun> {
  return withCloudflare(config, opts.cloudflare, async (withApi) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-load-"));
    const child = path.join(__dirname, "pulumi-loader-child.cjs");
    const ownChild = opts.ownInstall && opts.projectDir && path.join(opts.projectDir, "pulumi-loader-child.cjs");
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
      fs.writeFileSync(
        inputFile,
        JSON.stringify({ config: withApi, secretKeys, rsaKey, certPem, projectDir: opts.projectDir }),
      );
      const { wallMs, stdout } = await spawnNode([ownChild || child, inputFile]);
      const report = JSON.parse(stdout.trim().split("\n").pop()!);
      return { wallMs, ...report } as LoaderRun;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      if (ownChild) fs.rmSync(ownChild, { force: true });
    }
  });
}

/** The SDKs index.ts imports. */
const SDKS = ["@pulumi/pulumi", "@pulumi/docker", "@pulumi/cloudflare", "@pulumi/random", "@pulumi/tls"];

/** The floor: a process that only requires the SDKs the program uses, without Pulumi's loader or TypeScript. */
export async function bareSdkLoad(): Promise<number> {
  const { wallMs } = await spawnNode(["-e", SDKS.map((m) => `require(${JSON.stringify(m)});`).join("")]);
  return wallMs;
}

/**
 * The floor through Pulumi's loader: a TypeScript project with this project's tsconfig.json whose index.ts
 * only imports the SDKs. What is left above it is mailstack's own code.
 */
export async function sdkOnlyProgramLoad(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-sdk-only-"));
  try {
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "sdk-only", main: "index.ts" }));
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ ...tsconfig, include: ["index.ts"] }));
    fs.writeFileSync(
      path.join(dir, "index.ts"),
      SDKS.map((m, i) => `import * as sdk${i} from "${m}";\nvoid sdk${i};\n`).join(""),
    );
    return (await loadLikePulumi({ dns: "none" }, [], { projectDir: dir })).wallMs;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
