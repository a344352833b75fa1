/**
 * `npm run plan -- --stack <name> [--diagram]`: what `pulumi up` would create for a stack, without the Pulumi CLI, a
 * Docker engine or any cloud account (preview/plan.ts). Exit status 0, or 1 when the program stops with an
 * error (printed as `pulumi up` prints it), 2 on a usage error.
 */
import { parseArgs } from "node:util";
import * as path from "node:path";
import { planStack } from "./plan";
import { formatPlan } from "./print";
import { mermaidGraph } from "./diagram";

const USAGE = "usage: npm run plan -- --stack <name> [--cwd <project directory>] [--diagram]";

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string", short: "s" },
        cwd: { type: "string" },
        diagram: { type: "boolean" },
        help: { type: "boolean" },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.stack) {
    process.stderr.write(`--stack is required (the name in Pulumi.<name>.yaml, e.g. local or prod)\n${USAGE}\n`);
    return 2;
  }
  const projectDir = path.resolve(values.cwd ?? process.cwd());
  let plan;
  try {
    plan = await planStack(projectDir, values.stack);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  // --diagram: the resource graph as a Mermaid flowchart (preview/diagram.ts) instead of the listing.
  process.stdout.write(values.diagram && !plan.error ? mermaidGraph(plan.resources) : formatPlan(plan, projectDir));
  return plan.error ? 1 : 0;
}

main().then((code) => process.exit(code));
