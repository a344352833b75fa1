/**
 * The program as `pulumi up` runs it: Pulumi.yaml read as the language host reads it (`main`, runtime options),
 * then @pulumi/pulumi/cmd/run requiring pulumi-main.cjs, which registers ts-node (swc, transpile-only) and
 * Node's own source-mapped stack traces before index.ts — not tsx, which every other suite uses. The program
 * must register the same resources either way, and Pulumi must report where each was created in the .ts
 * source. `npm run bench` prints how long this takes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadLikePulumi } from "./support/pulumi-loader";
import { PROD_CONFIG, PROD_SECRETS, runProgram } from "./support/run-program";

const ROOT = path.resolve(__dirname, "..");

describe("running the program through Pulumi's nodejs loader", () => {
  it("starts pulumi-main.cjs with Pulumi's TypeScript set-up off, and registers what the tsx-run program registers", async () => {
    const [loaded, reference] = await Promise.all([loadLikePulumi(PROD_CONFIG, PROD_SECRETS), runProgram(PROD_CONFIG)]);
    expect(loaded.exitCode).toBe(0);
    expect(loaded.host).toMatchObject({ env: {}, pwd: ROOT, entryPoint: "pulumi-main.cjs" });
    expect(loaded.tsNode).toEqual({ swc: true, transpileOnly: true });
    expect(loaded.packages).toContain("node_modules/@swc/core");
    // cmd/run also registers the root stack resource, which the mocks-only harness does not.
    expect(loaded.resources).toContain("pulumi:pulumi:Stack::mailstack-load");
    expect(loaded.resources.filter((r) => !r.startsWith("pulumi:pulumi:Stack::"))).toEqual(
      reference.resources.map((r) => `${r.type}::${r.name}`).sort(),
    );

    // The source position Pulumi sends the engine for each resource is the `new …` that created it, in the
    // .ts file: stack frames are mapped through ts-node's source maps (a frame left in compiled JavaScript
    // would point at some other line or column).
    const ours = loaded.resources.filter((r) => !r.startsWith("pulumi:pulumi:Stack::"));
    const sourceAt = (position: string) => {
      const [, url, line, column] = /^(file:.*):(\d+):(\d+)$/.exec(position)!;
      const file = fileURLToPath(url);
      const text = fs.readFileSync(file, "utf8").split("\n")[Number(line) - 1];
      return { file: path.relative(ROOT, file), text: text.slice(Number(column) - 1) };
    };
    for (const resource of ours) {
      expect(loaded.positions[resource], resource).toBeDefined();
      const at = sourceAt(loaded.positions[resource]);
      expect(at.file, resource).toMatch(/^(index|components\/.+)\.ts$/);
      expect(at.text, `${resource} at ${at.file}`).toMatch(/^new /);
    }
    expect(sourceAt(loaded.positions["docker:index/container:Container::mailstack-server-container"])).toEqual({
      file: "components/mailserver.ts",
      text: expect.stringMatching(/^new docker\.Container\(/),
    });
  });
});
