/**
 * What `pulumi up` would create for a stack, from the project's files alone: the real index.ts evaluated
 * twice under the mocks (preview/evaluate.ts), each run with its own state and its own invented IDs. What
 * both runs agree on is known before anything is created; what differs (generated keys, passwords, IDs,
 * digests, and everything computed from them) is what a provider only knows after the create — as
 * `pulumi preview` shows it. The Cloudflare zone is a stand-in, empty (preview/zone-stand-in.ts).
 */
import { rmSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { Diagnostic, evaluateProgram, EvaluationError, newStateDir, ProgramRun, RegisteredResource } from "./evaluate";
import { readStackFile, StackConfig } from "./stack-file";
import { startZoneStandIn } from "./zone-stand-in";

/** A value only known once the resource exists (`output<string>` in `pulumi preview`). */
export const AFTER_CREATE = "(known after create)";

export interface StackPlan {
  stack: string;
  stackConfig: StackConfig;
  /** The zone is read from a stand-in (dns: cloudflare). */
  zoneStandIn: boolean;
  /** Every resource the program registers, inputs with AFTER_CREATE where they are not known yet. */
  resources: RegisteredResource[];
  outputs: Record<string, unknown>;
  secretOutputs: string[];
  diagnostics: Diagnostic[];
  /** The program's error (what `pulumi up` would stop with), when it fails. */
  error?: string;
}

export async function planStack(projectDir: string, stack: string): Promise<StackPlan> {
  const stackConfig = readStackFile(projectDir, stack);
  const config = { ...stackConfig.config };
  const managedDns = (config.dns ?? "cloudflare") !== "none";
  const zone = managedDns ? await startZoneStandIn() : undefined;
  if (zone) config["cloudflare:baseUrl"] = zone.url;
  const evaluate = async (tag: string) => {
    const stateDir = newStateDir();
    try {
      return await evaluateProgram(config, {
        secretKeys: stackConfig.secretKeys,
        stateDir,
        cwd: projectDir,
        stack,
        inventedTag: tag,
      });
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  };
  const base = { stack, stackConfig, zoneStandIn: !!zone };
  try {
    // Both runs end (and clean up) before anything is returned, also when one fails.
    const [a, b] = await Promise.allSettled([evaluate("-a"), evaluate("-b")]);
    if (a.status === "rejected") throw a.reason;
    if (b.status === "rejected") throw b.reason;
    return { ...base, ...merge(a.value, b.value) };
  } catch (e) {
    const failed = e as EvaluationError;
    return {
      ...base,
      resources: failed.resources ?? [],
      outputs: {},
      secretOutputs: [],
      diagnostics: failed.diagnostics ?? [],
      error: failed.message,
    };
  } finally {
    await zone?.close();
  }
}

/** One run's resources and outputs, with every value the other run disagrees on replaced by AFTER_CREATE. */
function merge(a: ProgramRun, b: ProgramRun): Omit<StackPlan, "stack" | "stackConfig" | "zoneStandIn"> {
  const others = new Map(b.resources.map((r) => [`${r.type}::${r.name}`, r]));
  const resources = a.resources.map((r) => {
    const other = others.get(`${r.type}::${r.name}`);
    return { ...r, inputs: known(r.inputs, other?.inputs) as Record<string, unknown> };
  });
  return {
    resources,
    outputs: known(a.outputs, b.outputs) as Record<string, unknown>,
    secretOutputs: a.secretOutputs,
    diagnostics: a.diagnostics,
  };
}

/** `a` where `b` agrees; AFTER_CREATE where not (multi-line text line by line, arrays and objects by member). */
export function known(a: unknown, b: unknown): unknown {
  if (isDeepStrictEqual(a, b)) return a;
  if (typeof a === "string" && typeof b === "string") {
    const [la, lb] = [a.split("\n"), b.split("\n")];
    if (la.length > 1 && la.length === lb.length)
      return la.map((line, i) => (line === lb[i] ? line : AFTER_CREATE)).join("\n");
    return AFTER_CREATE;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.map((x, i) => known(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return Object.fromEntries(
      [...keys].map((k) => [k, known((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])]),
    );
  }
  return AFTER_CREATE;
}
