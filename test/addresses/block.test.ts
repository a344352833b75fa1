import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AddressBook } from "../../addresses/address-book";
import { blockCommand, blockTarget, configuredBlocked, upCommand } from "../../addresses/block";
import { PLANNED } from "./fixtures/planned";
import { pathWithStandIns } from "./fixtures/run-addresses";

describe("block commands", () => {
  it("appends at the given index and quotes what a shell would mangle", () => {
    expect(blockCommand("bilibili@example.org", 3)).toBe("pulumi config set --path 'blocked[3]' bilibili@example.org");
    expect(blockCommand("o'neil$shop@example.org", 0, "prod")).toBe(
      "pulumi config set --path 'blocked[0]' 'o'\\''neil$shop@example.org' --stack prod",
    );
    expect(upCommand()).toBe("pulumi up");
    expect(upCommand("org/prod")).toBe("pulumi up --stack org/prod");
  });

  it("completes a local part with the domain and refuses what the stack config would refuse", () => {
    const book = new AddressBook(PLANNED);
    expect(blockTarget(" Bilibili ", book)).toBe("bilibili@example.org");
    expect(blockTarget("hi+shop@example.org", book)).toBe("hi+shop@example.org");
    expect(() => blockTarget("alice", book)).toThrow(/alice@example\.org is an account/);
    expect(() => blockTarget("a b", book)).toThrow(/not a valid address/);
    expect(() => blockTarget("x@other.example", book)).toThrow(/not at example\.org/);
  });
});

describe("the stack config's blocked list (stand-in pulumi config get --json)", () => {
  let dir: string;
  const env = () => ({ PATH: pathWithStandIns(), STANDIN_PULUMI_DIR: dir, STANDIN_PULUMI_STACK: "prod" });
  const withConfig = (config: unknown) => writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mailstack-block-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the list as written; an unset key is empty", async () => {
    withConfig({ blocked: ["a", "b@example.org"] });
    expect(await configuredBlocked("prod", env())).toEqual(["a", "b@example.org"]);
    withConfig({});
    expect(await configuredBlocked(undefined, env())).toEqual([]);
  });

  it("refuses a value that is not a list, rather than overwriting it", async () => {
    withConfig({ blocked: "shop@example.org" });
    await expect(configuredBlocked("prod", env())).rejects.toThrow(
      /mailstack:blocked in the stack config is not a list of addresses \("shop@example\.org"\)/,
    );
    await expect(configuredBlocked("dev", env())).rejects.toThrow(/no stack named 'dev' found/);
  });
});
