/**
 * `npm install --omit=dev` (common on servers and CI) must leave everything `pulumi up` and the `mailstack`
 * command load at run time: ts-node and swc, which pulumi-main.cjs registers, and TypeScript, which
 * @pulumi/pulumi itself loads for its closure serializer (runtime/closure/parseFunction.js through
 * typescript-shim.js) and silently replaces with its vendored TypeScript 3.8 when the project has none.
 *
 * So this installs the production tree for real, offline from npm's cache, in a scratch copy of the project,
 * and runs the program there, from that install, through Pulumi's own loader (test/support/pulumi-loader.ts:
 * @pulumi/pulumi/cmd/run, as the language host starts it) and the doctor through its bin.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadLikePulumi } from "./support/pulumi-loader";

const ROOT = path.resolve(__dirname, "..");
const SHIPPED =
  /^(package\.json|package-lock\.json|tsconfig\.json|Pulumi\.yaml|index\.ts|pulumi-main\.cjs|(components|lib|doctor|addresses)\/.*)$/;

let scratch: string;
let lock: { packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean }> };

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-prod-"));
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT })
    .toString()
    .split("\n")
    .filter((f) => SHIPPED.test(f) && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(scratch, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(scratch, f));
  }
  // Scripts off: the Pulumi packages' install scripts would try to download plugins.
  execFileSync("npm", ["ci", "--omit=dev", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: scratch,
    stdio: "pipe",
  });
  lock = JSON.parse(fs.readFileSync(path.join(scratch, "package-lock.json"), "utf8"));
}, 180_000);

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe("a production install (npm ci --omit=dev)", () => {
  it("runs the program through Pulumi's loader with the project's ts-node, swc and TypeScript, not Pulumi's vendored ones", async () => {
    const r = await loadLikePulumi(
      {
        domain: "example.net",
        accounts: ["hi"],
        dns: "none",
        relay: { provider: "resend" },
        resendApiKey: "re_full_access_key_for_the_test",
        tls: { mode: "self-signed" },
      },
      ["resendApiKey"],
      { projectDir: scratch, ownInstall: true },
    );
    expect(r.exitCode).toBe(0);
    expect(r.tsNode).toEqual({ swc: true, transpileOnly: true });
    const version = (pkg: string) =>
      JSON.parse(fs.readFileSync(path.join(scratch, pkg, "package.json"), "utf8")).version as string;
    expect(version("node_modules/typescript")).toMatch(/^5\./);
    expect(version("node_modules/ts-node")).toMatch(/^10\./);
    // The whole program ran: the container, and a Resend resource (its provider serialized by Pulumi's closure
    // serializer, which parses function text with the project's TypeScript too).
    const types = r.resources.map((x) => x.split("::")[0]);
    expect(types).toEqual(
      expect.arrayContaining(["docker:index/container:Container", "pulumi-nodejs:dynamic/resend:ResendDomain"]),
    );

    // npm keeps an optional peer (@pulumi/pulumi's peerDependenciesMeta for typescript/ts-node) that is also a
    // dev dependency, marked devOptional; `--omit=optional`, pnpm or yarn drop it. Everything the program
    // loaded must be a production dependency in its own right.
    expect(r.packages).toEqual(
      expect.arrayContaining(["node_modules/typescript", "node_modules/ts-node", "node_modules/@swc/core"]),
    );
    const weak = r.packages.filter((p) => lock.packages[p]?.dev || lock.packages[p]?.devOptional);
    expect(weak).toEqual([]);
  }, 120_000);

  it("keeps the Node the npm scripts put on PATH (`npm run pulumi` runs Pulumi's host with it)", () => {
    expect(fs.existsSync(path.join(scratch, "node_modules/node/package.json"))).toBe(true);
    expect(lock.packages["node_modules/node"]).not.toHaveProperty("dev");
    expect(lock.packages["node_modules/node"]).not.toHaveProperty("devOptional");
  });

  it("runs the `mailstack` command (doctor) from its bin", () => {
    const out = execFileSync(process.execPath, ["doctor/mailstack.cjs", "doctor", "--help"], {
      cwd: scratch,
      stdio: ["ignore", "pipe", "pipe"],
    }).toString();
    expect(out).toMatch(/mailstack doctor/);
  }, 60_000);
});
