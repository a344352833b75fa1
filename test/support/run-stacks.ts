import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFile } from "node:child_process";
import type { StackOutcome, StacksInput } from "./stacks-child";

export type { StackOutcome } from "./stacks-child";

const ROOT = path.resolve(__dirname, "../..");

/**
 * Evaluates each config as index.ts would (read and validate, then build the stack) under Pulumi mocks, all in one
 * child process (test/support/stacks-child.ts). Returns, per config, why it was refused or the container it
 * registered, the live files its Commands write into it, and the accounts' passwords.
 */
export function runStacks(
  stacks: StacksInput["stacks"],
  fixedKeyMaterial?: StacksInput["fixedKeyMaterial"],
): Promise<StackOutcome[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-stacks-"));
  const inputFile = path.join(dir, "input.json");
  const outputFile = path.join(dir, "output.json");
  const stateDir = path.join(dir, "state");
  fs.mkdirSync(stateDir);
  fs.writeFileSync(inputFile, JSON.stringify({ stateDir, stacks, fixedKeyMaterial } satisfies StacksInput));
  const node = path.join(ROOT, "node_modules/.bin/node");
  const tsx = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
  return new Promise((resolve, reject) => {
    execFile(
      node,
      [tsx, path.join(__dirname, "stacks-child.ts"), inputFile, outputFile],
      { cwd: ROOT, maxBuffer: 64 << 20 },
      (err, _stdout, stderr) => {
        try {
          if (err) return reject(new Error(stderr.trim() || err.message));
          resolve(JSON.parse(fs.readFileSync(outputFile, "utf8")) as StackOutcome[]);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}
