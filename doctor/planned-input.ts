import { readFile } from "node:fs/promises";
import { z } from "zod";
import { PlannedDeployment, plannedDeploymentSchema } from "../lib/planned";
import { runPulumi } from "./pulumi-cli";

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

/**
 * Validates the input against the contract (lib/planned.ts): every problem at once, each naming its field.
 * An absent relay, ports, ptrRequest or accounts means none (a hand-written plan may leave them out).
 */
export function validatePlanned(value: unknown, origin: string): PlannedDeployment {
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new InputError(`${origin}: expected a JSON object (the stack outputs)`);
  const parsed = plannedDeploymentSchema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  - ${fieldName(issue.path)}: ${describeIssue(issue)}`);
  throw new InputError(
    `${origin} is not a mailstack planned deployment (the output of \`pulumi stack output --json\`; after upgrading mailstack, run \`pulumi up\` once to refresh it):\n${problems.join("\n")}`,
  );
}

/** `dnsRecords[2].content` from zod's path. */
function fieldName(path: PropertyKey[]): string {
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : `${i ? "." : ""}${String(part)}`)).join("");
}

const KINDS: Record<string, string> = { string: "a string", number: "a number", array: "a list", object: "an object" };

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type")
    return issue.input === undefined ? "is missing" : `must be ${KINDS[issue.expected] ?? issue.expected}`;
  if (issue.code === "invalid_value") return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
  return issue.message;
}

async function pulumiStackOutput(stack: string, env: Record<string, string | undefined>): Promise<string> {
  const run = await runPulumi(["stack", "output", "--json", "--stack", stack], env, {
    whenMissing: "pass --planned <file.json> with the output of `pulumi stack output --json`",
  });
  if (run.code !== 0)
    throw new InputError(`pulumi stack output --json --stack ${stack} failed (exit ${run.code}): ${run.stderr.trim()}`);
  return run.stdout;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
