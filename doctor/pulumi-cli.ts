import { spawn } from "node:child_process";
import { InputError } from "./planned-input";

export interface PulumiRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the Pulumi CLI from the current directory (the project's), for `mailstack doctor` and `mailstack
 * addresses`. `interactive` hands it the terminal (`pulumi up`'s preview and confirmation); otherwise its
 * output is collected. Without the CLI: an InputError ending in `whenMissing`, what to do instead.
 */
export function runPulumi(
  args: string[],
  env: Record<string, string | undefined>,
  options: { whenMissing: string; interactive?: boolean },
): Promise<PulumiRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", args, {
      stdio: options.interactive ? "inherit" : ["ignore", "pipe", "pipe"],
      env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        new InputError(
          error.code === "ENOENT"
            ? `the pulumi CLI is not installed (or not on PATH): install it, or ${options.whenMissing}`
            : `cannot run pulumi: ${error.message}`,
        ),
      ),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** `--stack <name>` when one was given, else nothing (the CLI's selected stack). */
export const stackArgs = (stack?: string) => (stack ? ["--stack", stack] : []);

/** Quotes for a POSIX shell when needed: local parts may hold `$`, `'`, `&` and the like. */
export { shellQuote } from "../lib/shell-quote";
