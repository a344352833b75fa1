import { spawn } from "node:child_process";

/** How to reach a restic repository: the plan's repository and options, and the key. */
export interface ResticTarget {
  repository: string;
  /** `--option` values, e.g. `s3.bucket-lookup=path`. */
  options: string[];
  key: string;
  /** Environment for restic: PATH, and the S3 credentials (AWS_ACCESS_KEY_ID, …) when the repository is S3. */
  env: Record<string, string | undefined>;
  timeoutMs: number;
}

/** One snapshot as `restic snapshots --json` lists it (fields common to restic 0.14 to 0.19). */
export interface Snapshot {
  id: string;
  short_id: string;
  time: string;
  hostname: string;
  tags?: string[];
  paths: string[];
}

/** restic failed: `reason` says what, in terms of the repository and the key. */
export class ResticError extends Error {
  constructor(
    readonly reason: "not-installed" | "wrong-key" | "no-repository" | "failed",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs restic with the key on stdin (restic reads the password from a stdin that is not a terminal), so
 * it is neither in the command line nor in the environment; returns stdout.
 */
export function runRestic(target: ResticTarget, args: string[]): Promise<string> {
  const argv = ["--repo", target.repository, ...target.options.flatMap((o) => ["--option", o]), "--no-cache", ...args];
  // Only the password this tool passes counts: a RESTIC_PASSWORD* in the environment would take precedence.
  const env = {
    ...target.env,
    RESTIC_PASSWORD: undefined,
    RESTIC_PASSWORD_FILE: undefined,
    RESTIC_PASSWORD_COMMAND: undefined,
  };
  return new Promise((resolve, reject) => {
    const child = spawn("restic", argv, { env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), target.timeoutMs);
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === "ENOENT"
          ? new ResticError("not-installed", "restic is not installed (or not on PATH): apt-get install restic")
          : error,
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(out);
      const text = err.trim();
      if (signal) reject(new ResticError("failed", `restic ${args[0]} did not finish within ${target.timeoutMs} ms`));
      else if (/wrong password|no key found/i.test(text))
        reject(new ResticError("wrong-key", `the key does not open the repository ${target.repository}`));
      else if (/Is there a repository at the following location|repository does not exist/i.test(text))
        reject(new ResticError("no-repository", `there is no repository at ${target.repository}`));
      else
        reject(
          new ResticError("failed", `restic ${args[0]} failed (exit ${code}): ${text.split("\n").slice(-2).join(" ")}`),
        );
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(`${target.key}\n`);
  });
}

/** The program's snapshots (its host and tag), oldest first. */
/** The JSON document of a `--json` command: its last line (restic 0.14 first says it reads the key from stdin). */
function lastJson<T>(out: string): T {
  return JSON.parse(out.trim().split("\n").at(-1) ?? "") as T;
}

export async function listSnapshots(target: ResticTarget, host: string, tag: string): Promise<Snapshot[]> {
  const list = lastJson<Snapshot[] | null>(
    await runRestic(target, ["snapshots", "--json", "--host", host, "--tag", tag]),
  );
  return (list ?? []).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

/** What restoring a snapshot would write: bytes, and files and directories (`restic stats`, restore-size mode). */
export async function snapshotSize(target: ResticTarget, id: string): Promise<{ bytes: number; files: number }> {
  const stats = lastJson<{ total_size: number; total_file_count: number }>(
    await runRestic(target, ["stats", "--json", id]),
  );
  return { bytes: stats.total_size, files: stats.total_file_count };
}
