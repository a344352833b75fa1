import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readStackFile, SECRET_STAND_IN } from "../../preview/stack-file";

const ROOT = path.resolve(__dirname, "../..");
let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("reading Pulumi.<stack>.yaml as the CLI hands it to the program", () => {
  it("stands in for secure values at any depth, keeps other namespaces, adds Pulumi.yaml's defaults", () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-stack-file-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.s.yaml"),
      [
        "encryptionsalt: v1:abc",
        "config:",
        "  mailstack:domain: example.org",
        "  mailstack:relayPassword:",
        "    secure: v1:AAAA:BBBB",
        "  mailstack:passwords:",
        "    alice:",
        "      secure: v1:CCCC:DDDD",
        "  cloudflare:apiToken:",
        "    secure: v1:EEEE:FFFF",
      ].join("\n"),
    );
    const s = readStackFile(dir, "s");
    expect(s.config.domain).toBe("example.org");
    expect(s.config.relayPassword).toBe(SECRET_STAND_IN);
    expect(s.config.passwords).toEqual({ alice: SECRET_STAND_IN });
    expect(s.config["cloudflare:apiToken"]).toBe(SECRET_STAND_IN);
    expect(s.secretKeys.sort()).toEqual(["cloudflare:apiToken", "passwords", "relayPassword"]);
    expect(s.standIns).toEqual(["relayPassword", "passwords.alice", "cloudflare:apiToken"]);
    // Defaults from Pulumi.yaml, as the CLI passes them.
    expect(s.config.dns).toBe("cloudflare");
    expect(s.config.fail2ban).toBe(true);
  });

  it("names the command that creates a missing stack", () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-stack-file-"));
    expect(() => readStackFile(dir, "nope")).toThrow(/pulumi stack init nope/);
  });
});
