/**
 * The resource graph of a plan as a Mermaid flowchart: one box per component, its resources inside, an
 * arrow from each resource to what depends on it (explicit `dependsOn` and through inputs, as the engine
 * records them). The README's diagram is this for the seed's stack (test/preview/diagram.test.ts keeps it
 * current); `npm run plan -- --stack <name> --diagram` prints it for any stack.
 */
import type { RegisteredResource } from "./evaluate";

const id = (name: string) => name.replace(/[^A-Za-z0-9]/g, "_");
/** `docker:index/container:Container` → `docker Container`. */
const shortType = (type: string) => {
  const [pkg, , kind] = type.split(":");
  return `${pkg === "mailstack" ? "" : `${pkg} `}${kind}`;
};

export function mermaidGraph(resources: RegisteredResource[], root = "mailstack"): string {
  const byName = new Map(resources.map((r) => [r.name, r]));
  const children = new Map<string, RegisteredResource[]>();
  for (const r of resources) {
    const parent = r.options?.parent ?? "";
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const strip = (name: string, prefix: string) =>
    name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name;
  const lines = ["flowchart LR"];
  for (const component of children.get(root) ?? []) {
    const inside = children.get(component.name) ?? [];
    const label = `${shortType(component.type)} ${component.name}`;
    if (!inside.length) continue;
    lines.push(`  subgraph ${id(component.name)}["${label}"]`);
    for (const r of inside)
      lines.push(`    ${id(r.name)}["${shortType(r.type)}<br/>${strip(r.name, component.name)}"]`);
    lines.push("  end");
  }
  const edges = new Set<string>();
  for (const r of resources)
    for (const dep of r.options?.dependsOn ?? []) {
      const from = byName.get(dep);
      // Dependencies on components stand for all their children, already drawn one by one.
      if (from && (children.get(from.name) ?? []).length === 0) edges.add(`  ${id(dep)} --> ${id(r.name)}`);
    }
  return [...lines, ...[...edges].sort()].join("\n") + "\n";
}
