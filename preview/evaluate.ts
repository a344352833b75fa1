/**
 * Evaluates the real index.ts with a stack config under Pulumi's mocks (preview/mocks.ts), in a child process
 * (preview/program-child.ts): what the tests run, and what `npm run plan` prints. No cloud is called: the
 * mocks stand in for every provider.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFile } from "node:child_process";
import type { Registered } from "./mocks";

export type RegisteredResource = Registered;
export { UNKNOWN } from "./mocks";

/** A `pulumi.log.warn`/`error` the program emitted, with the resource it was logged against. */
export interface Diagnostic {
  severity: "warning" | "error" | "info";
  message: string;
  /** `type (name)` of the resource, or undefined for the stack. */
  resource?: { type: string; name: string };
}

export interface ProgramRun {
  resources: RegisteredResource[];
  /** Stack outputs with secrets unwrapped. */
  outputs: Record<string, any>;
  /** Names of outputs that are secret. */
  secretOutputs: string[];
  /** What the program logged (config warnings, Resend's advice), in order. */
  diagnostics: Diagnostic[];
  /** Time from importing index.ts to every output resolved, in the child (excludes process start-up). */
  evaluationMs: number;
}

export interface EvaluateOptions {
  /** Config keys (namespaced or bare) stored as secrets; null: a Pulumi CLI that does not say which are. */
  secretKeys: string[] | null;
  /** Directory standing for Pulumi state: keys/passwords "created" in one run are read back in the next. */
  stateDir?: string;
  /** Records the mocked Resend domain resource returns. */
  resendRecords?: unknown[];
  /**
   * Run as `pulumi preview` over the state a previous run left in `stateDir` (none: a new stack): resources
   * get the op the engine would plan (`RegisteredResource.op`, see mocks.ts planPreview), and outputs may be
   * "<unknown>".
   */
  preview?: boolean;
  /** The directory the program runs in (relative file names in config are read from it). */
  cwd?: string;
  /** The stack's name, as `pulumi.getStack()` returns it. */
  stack?: string;
  /** See MockOptions.inventedTag. */
  inventedTag?: string;
}

/** An evaluation that failed: the program's message, and what it had registered by then. */
export interface EvaluationError extends Error {
  resources: RegisteredResource[];
  diagnostics: Diagnostic[];
}

const ROOT = path.resolve(__dirname, "..");

/** A fresh directory standing for one stack's state (remove it when done). */
export function newStateDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-state-"));
}

/**
 * Runs the real index.ts with this stack config (keys without `mailstack:`, objects as objects) under
 * Pulumi's mocks, in a child process, and returns every registered resource (inputs with secrets unwrapped,
 * and where the secrets were) and the outputs. Rejects with the program's error message when it fails (e.g.
 * invalid config), as an EvaluationError.
 */
export function evaluateProgram(config: Record<string, unknown>, opts: EvaluateOptions): Promise<ProgramRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-run-"));
  const inputFile = path.join(dir, "input.json");
  const outputFile = path.join(dir, "output.json");
  // Without a state directory from the caller the run has its own, removed afterwards.
  const stateDir = opts.stateDir ?? newStateDir();
  fs.writeFileSync(
    inputFile,
    JSON.stringify({
      config,
      secretKeys: opts.secretKeys,
      stateDir,
      resendRecords: opts.resendRecords,
      preview: opts.preview,
      stack: opts.stack,
      inventedTag: opts.inventedTag,
    }),
  );
  const node = path.join(ROOT, "node_modules/.bin/node");
  const tsx = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
  return new Promise((resolve, reject) => {
    execFile(
      node,
      [tsx, path.join(__dirname, "program-child.ts"), inputFile, outputFile],
      { cwd: opts.cwd ?? ROOT, maxBuffer: 64 << 20 },
      (err, _stdout, stderr) => {
        try {
          if (err) {
            const partial = fs.existsSync(outputFile)
              ? (JSON.parse(fs.readFileSync(outputFile, "utf8")) as {
                  error: string;
                  resources: RegisteredResource[];
                  diagnostics: Diagnostic[];
                })
              : undefined;
            return reject(
              Object.assign(new Error(partial?.error ?? (stderr.trim() || err.message)), {
                resources: partial?.resources ?? [],
                diagnostics: partial?.diagnostics ?? [],
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
