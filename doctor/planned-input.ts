import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { PlannedDeployment } from "../lib/planned";

/** A problem with the input (not with the deployment): reported on stderr with exit status 2. */
export class InputError extends Error {}

/** Reads the planned deployment from a file, a Pulumi stack or stdin. */
export async function loadPlanned(source: {
  plannedFile?: string;
  stack?: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Environment for the pulumi CLI (PATH, PULUMI_* settings). */
  env: Record<string, string | undefined>;
}): Promise<PlannedDeployment> {
  let text: string;
  let origin: string;
  if (source.plannedFile) {
    origin = source.plannedFile;
    try {
      text = await readFile(source.plannedFile, "utf8");
    } catch (error) {
      throw new InputError(`cannot read ${source.plannedFile}: ${(error as Error).message}`);
    }
  } else if (source.stack) {
    origin = `stack ${source.stack}`;
    text = await pulumiStackOutput(source.stack, source.env);
  } else {
    if (source.stdin.isTTY)
      throw new InputError(
        "no planned deployment: give --planned <file.json> or --stack <name>, or pipe `pulumi stack output --json` in",
      );
    origin = "stdin";
    text = await readAll(source.stdin);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${origin} is not JSON: ${(error as Error).message}`);
  }
  return validatePlanned(value, origin);
}

/** Checks the fields the doctor relies on and fills harmless defaults for optional ones. */
export function validatePlanned(value: unknown, origin: string): PlannedDeployment {
  const problems: string[] = [];
  const v = value as Partial<PlannedDeployment> | null;
  if (!v || typeof v !== "object") throw new InputError(`${origin}: expected a JSON object (the stack outputs)`);
  if (typeof v.domain !== "string" || !v.domain) problems.push("domain");
  if (typeof v.hostname !== "string" || !v.hostname) problems.push("hostname");
  if (!Array.isArray(v.dnsRecords)) problems.push("dnsRecords");
  if (!v.dkim || typeof v.dkim.selector !== "string" || typeof v.dkim.publicKey !== "string")
    problems.push("dkim.selector/dkim.publicKey");
  if (problems.length)
    throw new InputError(`${origin} is not a mailstack planned deployment: missing or invalid ${problems.join(", ")}`);
  return {
    ...(v as PlannedDeployment),
    relay: v.relay ?? { provider: "none", host: "", port: 0, username: "" },
    ports: Array.isArray(v.ports) ? v.ports : [],
    ptrRequest: Array.isArray(v.ptrRequest) ? v.ptrRequest : [],
    accounts: Array.isArray(v.accounts) ? v.accounts : [],
  };
}

function pulumiStackOutput(stack: string, env: Record<string, string | undefined>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", ["stack", "output", "--json", "--stack", stack], {
      stdio: ["ignore", "pipe", "pipe"],
      env,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        new InputError(
          error.code === "ENOENT"
            ? "the pulumi CLI is not installed (or not on PATH): install it, or pass --planned <file.json> with the output of `pulumi stack output --json`"
            : `cannot run pulumi: ${error.message}`,
        ),
      ),
    );
    child.on("close", (code) =>
      code === 0
        ? resolve(out)
        : reject(new InputError(`pulumi stack output --json --stack ${stack} failed (exit ${code}): ${err.trim()}`)),
    );
  });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
