/**
 * The set-up path on an older system Node (README, "The two commands"): `npm run setup` runs `npm ci` under
 * the Node the project brings, so npm's engine checks see that Node and print no EBADENGINE warnings; the
 * project's own `devEngines` says what the machine running npm needs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
const lockedNode = lock.packages["node_modules/node"].version as string;

describe("npm run setup", () => {
  it("installs with the locked Node, which meets every engines range of the lock", () => {
    expect(pkg.scripts.setup).toBe(`npx --yes --package node@${lockedNode} -- npm ci --no-audit --no-fund`);
    expect(semver.satisfies(lockedNode, pkg.engines.node)).toBe(true);
    for (const [at, entry] of Object.entries(lock.packages as Record<string, { engines?: { node?: string } }>)) {
      const range = entry.engines?.node;
      if (range && at.startsWith("node_modules/"))
        expect(semver.satisfies(lockedNode, range, { includePrerelease: true }), `${at} needs node ${range}`).toBe(
          true,
        );
    }
  });

  it("asks of the machine only what runs npm and the scripts' launcher: Node 20 and npm 10.9", () => {
    expect(pkg.devEngines.runtime).toMatchObject({ name: "node", version: ">=20" });
    expect(semver.satisfies("20.0.0", pkg.devEngines.runtime.version)).toBe(true);
    expect(pkg.devEngines.packageManager).toMatchObject({ name: "npm", version: ">=10.9" });
  });
});
