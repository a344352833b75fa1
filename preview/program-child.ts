/**
 * Runs the real index.ts under Pulumi mocks, in its own process (Pulumi's runtime is process-global and a
 * program module runs once per process). Input and result travel as JSON files named by the parent.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { mailstackMocks, Registered, UNKNOWN, unwrapSecrets } from "./mocks";
import { toPulumiConfig } from "./pulumi-config";
import type { Diagnostic } from "./evaluate";

interface ChildInput {
  config: Record<string, unknown>;
  /** Keys stored as secrets; null when the Pulumi CLI did not say (no PULUMI_CONFIG_SECRET_KEYS). */
  secretKeys: string[] | null;
  stateDir: string;
  resendRecords?: unknown[];
  preview?: boolean;
  stack?: string;
  inventedTag?: string;
}

const [inputFile, outputFile] = process.argv.slice(2);
const registered: Registered[] = [];
const diagnostics: Diagnostic[] = [];

async function main() {
  const input = JSON.parse(fs.readFileSync(inputFile, "utf8")) as ChildInput;
  const { values, secretKeys } = toPulumiConfig(input.config, input.secretKeys ?? []);
  pulumi.runtime.setAllConfig(values, secretKeys);
  // What the language host hands the program beside the values (lib/stack-config.ts reads it).
  if (input.secretKeys) process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secretKeys);
  else delete process.env.PULUMI_CONFIG_SECRET_KEYS;
  await pulumi.runtime.setMocks(
    mailstackMocks(
      {
        stateDir: input.stateDir,
        resendRecords: input.resendRecords,
        preview: input.preview,
        inventedTag: input.inventedTag,
      },
      registered,
    ),
    "mailstack",
    input.stack ?? "test",
    input.preview ?? false,
  );

  recordResourceOptions();
  recordDiagnostics();

  const started = performance.now();
  // index.ts is an async program (`export = async () => outputs`), run the way Pulumi's loader runs it.
  const main = (await import("../index")) as unknown as { default: () => Promise<Record<string, unknown>> };
  const program = await main.default();
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [name, value] of Object.entries(program)) {
    if (!pulumi.Output.isInstance(value)) continue;
    if (await pulumi.isSecret(value)) secretOutputs.push(name);
    // On a preview an output may be unknown, and apply never runs for it: read it with its unknowns.
    const known = await (value as unknown as { isKnown: Promise<boolean> }).isKnown;
    const raw = await (value as unknown as { promise(withUnknowns: boolean): Promise<unknown> }).promise(true);
    outputs[name] = markUnknowns(unwrapSecrets(known || raw !== undefined ? raw : pulumi.unknown));
  }
  // Resources registered inside applies (Resend's records) land a little later: wait until the set is stable.
  for (let seen = -1; seen !== registered.length;) {
    seen = registered.length;
    await new Promise((r) => setTimeout(r, 100));
  }
  const evaluationMs = performance.now() - started;
  for (const r of registered) r.options = pendingOptions.get(`${r.type}::${r.name}`);
  secretOutputs.sort(); // the program returns a plain object: its key order means nothing
  fs.writeFileSync(
    outputFile,
    JSON.stringify({ resources: registered, outputs, secretOutputs, diagnostics, evaluationMs }),
  );
}

/** Unknown values (a preview) as the string "<unknown>", so they survive JSON. */
function markUnknowns(v: unknown): unknown {
  if (pulumi.isUnknown(v)) return UNKNOWN;
  if (Array.isArray(v)) return v.map(markUnknowns);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, markUnknowns(x)]));
  return v;
}

/**
 * The mocks' `newResource` does not see dependencies or resource options; the mock monitor's
 * registerResource request does. Wrap it to record them by resource name.
 */
function recordResourceOptions() {
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: any, cb: unknown) => unknown };
  const original = monitor.registerResource.bind(monitor);
  const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
  const aliasOf = (alias: any) => {
    const spec = alias.getSpec();
    return spec
      ? { name: spec.getName(), type: spec.getType(), parentUrn: spec.getParenturn() }
      : { urn: alias.getUrn() };
  };
  monitor.registerResource = (req: any, cb: unknown) => {
    const options = {
      parent: req.getParent() ? nameOf(req.getParent()) : undefined,
      dependsOn: (req.getDependenciesList() as string[]).map(nameOf).sort(),
      protect: req.getProtect?.() ?? false,
      retainOnDelete: req.getRetainondelete?.() ?? false,
      replaceOnChanges: req.getReplaceonchangesList?.() ?? [],
      additionalSecretOutputs: req.getAdditionalsecretoutputsList?.() ?? [],
      aliases: (req.getAliasesList?.() ?? []).map(aliasOf),
    };
    pendingOptions.set(`${req.getType()}::${req.getName()}`, options);
    return original(req, cb);
  };
}
const pendingOptions = new Map<string, Registered["options"]>();

/**
 * Without an engine (mocks), `pulumi.log` writes to the console; the engine would show these under
 * "Diagnostics", per resource. Record them with the resource they were logged against, and still print them.
 */
function recordDiagnostics() {
  const log = pulumi.log as unknown as Record<string, (message: string, resource?: pulumi.Resource) => void>;
  const methods = { info: "info", warn: "warning", error: "error" } as const;
  for (const [method, severity] of Object.entries(methods)) {
    const original = log[method].bind(pulumi.log);
    log[method] = (message, resource) => {
      const r = resource as unknown as { __pulumiType?: string; __name?: string } | undefined;
      const at = r?.__pulumiType && r.__name ? { type: r.__pulumiType, name: r.__name } : undefined;
      diagnostics.push({ severity, message, resource: at });
      original(message, resource);
    };
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    // Also report what had been registered when it failed: a config error must leave nothing behind.
    fs.writeFileSync(outputFile, JSON.stringify({ error: e.message, resources: registered, diagnostics }));
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
