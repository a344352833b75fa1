/**
 * A stack plan as text: the resource tree the way `pulumi preview` lists it, then what a preview does not
 * show by default — the DNS records, each container with its files (secrets masked), the outputs — and the
 * program's diagnostics and errors the way the Pulumi CLI prints them.
 */
import { relative } from "node:path";
import type { RegisteredResource } from "./evaluate";
import { AFTER_CREATE, StackPlan } from "./plan";
import { SECRET_STAND_IN } from "./stack-file";
import { ZONE_ID_STAND_IN } from "./zone-stand-in";

const SECRET = "[secret]";
const STACK_TYPE = "pulumi:pulumi:Stack";
const CONTAINER = "docker:index/container:Container";
const IMAGE = "docker:index/remoteImage:RemoteImage";
const COMMAND = "command:local:Command";

export function formatPlan(plan: StackPlan, projectDir: string): string {
  const out: string[] = [];
  const stackName = `mailstack-${plan.stack}`;
  out.push(`Previewing update (${plan.stack}):`);
  for (const note of notes(plan, projectDir))
    out.push(...note.map((line, i) => `${i ? "        " : "  note: "}${line}`));
  out.push("");
  out.push(...tree(plan, stackName), "");
  if (!plan.error) {
    out.push(...dnsRecords(plan));
    for (const c of plan.resources.filter((r) => r.type === CONTAINER)) out.push(...container(plan, c));
  }
  out.push(...diagnostics(plan, stackName));
  if (!plan.error) {
    out.push("Outputs:");
    const outputs = Object.fromEntries(
      Object.entries(plan.outputs).map(([k, v]) => [k, plan.secretOutputs.includes(k) ? SECRET : v]),
    );
    out.push(...properties(outputs, "    "), "");
  }
  out.push("Resources:");
  out.push(`    + ${plan.resources.length + 1} to create`);
  return scrub(out.join("\n")) + "\n";
}

/** Each note as its lines. */
function notes(plan: StackPlan, projectDir: string): string[][] {
  const notes = [
    [
      "evaluated by `npm run plan` under Pulumi's mocks (the evaluation the tests use): no cloud was called and",
      "nothing was created; what a provider only knows once it has created a resource shows as",
      `${AFTER_CREATE}`,
    ],
  ];
  if (plan.stackConfig.standIns.length)
    notes.push([
      `the secrets in ${relative(projectDir, plan.stackConfig.file)} are encrypted and only the Pulumi CLI opens them:`,
      `stand-ins were used for ${plan.stackConfig.standIns.join(", ")}`,
    ]);
  if (plan.zoneStandIn)
    notes.push([
      "the Cloudflare zone was taken to be empty: `pulumi up` reads it first and stops on records in the way",
    ]);
  return notes;
}

// --- the resource tree, as `pulumi preview` draws it ---------------------------------------------------

function tree(plan: StackPlan, stackName: string): string[] {
  const children = new Map<string | undefined, RegisteredResource[]>();
  for (const r of plan.resources) {
    const parent = r.options?.parent;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const counts = new Map<string, number>();
  for (const d of plan.diagnostics) {
    const key = d.resource ? d.resource.name : stackName;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const rows: [string, string, string, string][] = [];
  const info = (name: string, error = false) => {
    const n = counts.get(name) ?? 0;
    const kind = plan.diagnostics.find((d) => (d.resource?.name ?? stackName) === name)?.severity ?? "warning";
    if (error) return "1 error";
    return n ? `${n} ${kind}${n > 1 ? "s" : ""}` : "";
  };
  rows.push([STACK_TYPE, stackName, "create", info(stackName, !!plan.error)]);
  const walk = (parent: string | undefined, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      const op = r.importId ? "import" : "create";
      rows.push([`${prefix}${last ? "└─ " : "├─ "}${r.type}`, r.name, op, info(r.name)]);
      walk(r.name, prefix + (last ? "   " : "│  "));
    });
  };
  walk(undefined, "");
  const typeWidth = Math.max(4, ...rows.map((r) => r[0].length)) + 2;
  const nameWidth = Math.max(4, ...rows.map((r) => r[1].length)) + 2;
  const line = (sign: string, [type, name, op, inf]: string[]) =>
    ` ${sign}   ${type.padEnd(typeWidth)}${name.padEnd(nameWidth)}${op.padEnd(8)}${inf}`.trimEnd();
  return [line(" ", ["Type", "Name", "Plan", "Info"]), ...rows.map((r) => line(r[2] === "import" ? "=" : "+", r))];
}

// --- what a preview only shows with --diff -------------------------------------------------------------

function dnsRecords(plan: StackPlan): string[] {
  const records = plan.outputs.dnsRecords;
  if (!Array.isArray(records)) return [];
  const managed = plan.resources.some((r) => r.type.startsWith("cloudflare:index/dnsRecord"));
  const head = managed
    ? `DNS records (${records.length}), created on Cloudflare:`
    : `DNS records (${records.length}) for you to publish (dns: none; \`pulumi stack output zoneFile\` has them as a zone file):`;
  const rows = (records as { type: string; name: string; content: string; priority?: number; ttl: number }[]).map(
    (r) => [r.type, r.name, `${r.priority !== undefined ? `${r.priority} ` : ""}${r.content}`],
  );
  const w0 = Math.max(...rows.map((r) => r[0].length)) + 2;
  const w1 = Math.max(...rows.map((r) => r[1].length)) + 2;
  return [head, ...rows.map(([t, n, c]) => `    ${t.padEnd(w0)}${n.padEnd(w1)}${c}`), ""];
}

function container(plan: StackPlan, c: RegisteredResource): string[] {
  const secret = new Set(c.secretInputs);
  const image = plan.resources.find((r) => r.type === IMAGE && r.options?.parent === c.options?.parent);
  const inputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.inputs)) {
    if (k === "uploads" || k === "__provider") continue;
    if (k === "image" && v === AFTER_CREATE && image) inputs[k] = `${image.inputs.name} (its ID, known after pull)`;
    else inputs[k] = secret.has(k) ? SECRET : v;
  }
  const engine = plan.resources.find((r) => r.type === "pulumi:providers:docker" && r.name.endsWith("-engine"));
  const where = engine ? `the Docker engine at ${String(engine.inputs.host)}` : "the local Docker engine";
  const out = [`Container ${c.name}, on ${where}:`, ...properties(inputs, "    ")];
  const uploads = (c.inputs.uploads ?? []) as { file: string; content: unknown; permissions?: string }[];
  if (uploads.length) out.push("    files (uploaded before the container starts):");
  for (const u of uploads) out.push(...file(u.file, u.permissions ?? "0644", u.content, false));
  // The mail data files are written into the running container by one Command each (components/mailserver.ts):
  // the file, its mode and how the server takes it are the Command's environment, the content its stdin.
  const live = plan.resources.filter((r) => r.type === COMMAND && r.options?.parent === c.options?.parent);
  if (live.length) out.push("    files (written into the running container with docker exec, live on change):");
  for (const cmd of live) {
    const env = (cmd.inputs.environment ?? {}) as Record<string, unknown>;
    const path = typeof env.MAILSTACK_FILE === "string" ? env.MAILSTACK_FILE : cmd.name;
    const mode = typeof env.MAILSTACK_MODE === "string" ? env.MAILSTACK_MODE : "0644";
    out.push(...file(path, mode, cmd.inputs.stdin, cmd.secretInputs.includes("stdin")));
  }
  return [...out, ""];
}

/** One file a container gets: its content, or [secret] when it is a secret or 0600 (how the program marks a
 * file holding a key, passwords or credentials). */
function file(path: string, mode: string, content: unknown, secret: boolean): string[] {
  const head = `        ${path} (${mode})`;
  if (secret || mode === "0600") return [`${head}: ${SECRET}`];
  if (content === AFTER_CREATE) return [`${head}: ${AFTER_CREATE}`];
  if (content === "" || content === undefined) return [`${head}: (empty)`];
  return [
    `${head}:`,
    ...String(content)
      .trimEnd()
      .split("\n")
      .map((l) => `            ${l}`.trimEnd()),
  ];
}

function diagnostics(plan: StackPlan, stackName: string): string[] {
  const all = [...plan.diagnostics];
  if (plan.error) all.push({ severity: "error", message: plan.error });
  if (!all.length) return [];
  const out = ["Diagnostics:"];
  const groups = new Map<string, typeof all>();
  for (const d of all) {
    const key = d.resource ? `${d.resource.type} (${d.resource.name})` : `${STACK_TYPE} (${stackName})`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  for (const [where, list] of groups) {
    out.push(`  ${where}:`);
    for (const d of list) {
      const [first, ...rest] = d.message.split("\n");
      out.push(`    ${d.severity}: ${first}`, ...rest.map((l) => `    ${l}`.trimEnd()), "");
    }
  }
  return out;
}

// --- values, the way the Pulumi CLI prints properties ---------------------------------------------------

function properties(obj: Record<string, unknown>, indent: string): string[] {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.flatMap((k) => value(`${indent}${k.padEnd(width)}: `, obj[k], indent));
}

function value(head: string, v: unknown, indent: string): string[] {
  const inner = `${indent}    `;
  if (v === AFTER_CREATE || v === SECRET) return [`${head}${v}`];
  if (typeof v === "string" && v.includes("\n"))
    return [
      `${head}(text)`,
      ...v
        .trimEnd()
        .split("\n")
        .map((l) => `${inner}${l}`.trimEnd()),
    ];
  if (Array.isArray(v)) {
    if (!v.length) return [`${head}[]`];
    return [`${head}[`, ...v.flatMap((x, i) => value(`${inner}[${i}]: `, x, inner)), `${indent}]`];
  }
  if (v && typeof v === "object") {
    if (!Object.keys(v).length) return [`${head}{}`];
    return [`${head}{`, ...properties(v as Record<string, unknown>, inner), `${indent}}`];
  }
  return [`${head}${JSON.stringify(v)}`];
}

/** Last line of defence: no private key leaves, whatever carried it; stand-ins and stand-in IDs say what they are. */
function scrub(text: string): string {
  return text
    .replace(/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, SECRET)
    .replaceAll(SECRET_STAND_IN, SECRET)
    .replaceAll(ZONE_ID_STAND_IN, "(the zone's ID, read from Cloudflare)");
}
