/**
 * index.ts as `pulumi up` loads it: @pulumi/pulumi/cmd/run registers ts-node from tsconfig.json (transpile-only
 * because of `noCheck`, swc from the `ts-node` section) — not tsx, which every other suite uses. The program
 * must load and register the same resources either way. `npm run bench` prints how long this takes.
 */
import { describe, expect, it } from "vitest";
import { loadLikePulumi } from "./support/pulumi-loader";
import { PROD_CONFIG, PROD_SECRETS, runProgram } from "./support/run-program";

describe("loading index.ts through Pulumi's nodejs loader", () => {
  it("transpiles with swc, transpile-only, and registers what the tsx-loaded program registers", async () => {
    const [loaded, reference] = await Promise.all([loadLikePulumi(PROD_CONFIG, PROD_SECRETS), runProgram(PROD_CONFIG)]);
    expect(loaded.exitCode).toBe(0);
    expect(loaded.tsNode).toEqual({ swc: true, transpileOnly: true });
    // cmd/run also registers the root stack resource, which the mocks-only harness does not.
    expect(loaded.resources).toContain("pulumi:pulumi:Stack::mailstack-load");
    expect(loaded.resources.filter((r) => !r.startsWith("pulumi:pulumi:Stack::"))).toEqual(
      reference.resources.map((r) => `${r.type}::${r.name}`).sort(),
    );
  });
});
