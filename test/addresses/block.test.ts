import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AddressBook } from "../../addresses/address-book";
import { blockAddress, blockCommand, blockTarget, configuredBlocked, upCommand } from "../../addresses/block";
import { blockingPlan } from "../../addresses/report";
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

describe("blocking with several domains (mailstack:domains)", () => {
  let dir: string;
  const env = () => ({ PATH: pathWithStandIns(), STANDIN_PULUMI_DIR: dir, STANDIN_PULUMI_STACK: "prod" });
  const entry = (domain: string, blocked: string[]) => ({
    domain,
    dkim: PLANNED.dkim,
    relay: PLANNED.relay,
    accounts: [`hi@${domain}`],
    aliases: [],
    catchAll: `hi@${domain}`,
    blocked,
    dnsRecords: [],
    zoneFile: "",
  });
  const book = new AddressBook({
    ...PLANNED,
    domains: [entry("example.org", ["blocked@example.org"]), entry("family.example", [])],
  });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mailstack-block-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("blocks an address in its own domain's entry, appended to that list", async () => {
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({ domains: [{ domain: "example.org", blocked: ["blocked"] }, { domain: "family.example" }] }),
    );
    expect(book.blockedListOf("family.example")).toBe("domains[1].blocked");
    expect(await configuredBlocked("prod", env(), "domains[0].blocked")).toEqual(["blocked"]);
    const said: string[] = [];
    const code = await blockAddress({
      address: "shop@family.example",
      book,
      stack: "prod",
      env: env(),
      say: (t) => said.push(t),
    });
    expect(code).toBe(0);
    expect(said[0]).toContain("Added shop@family.example as mailstack:domains[1].blocked[0]");
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    expect(config.domains[1].blocked).toEqual(["shop@family.example"]);
    expect(config.blocked).toBeUndefined();
    // The local part written in the first entry's list means that domain.
    said.length = 0;
    await blockAddress({ address: "blocked@example.org", book, stack: "prod", env: env(), say: (t) => said.push(t) });
    expect(said[0]).toContain("already in mailstack:domains[0].blocked");
  });

  it("suggests one command per leak, counting each domain's own list", () => {
    const domains = [
      {
        domain: "example.org",
        addresses: [{ address: "a@example.org", kind: "catch-all", leak: { status: "likely" } }],
      },
      {
        domain: "family.example",
        addresses: [
          { address: "b@family.example", kind: "catch-all", leak: { status: "likely" } },
          { address: "c@family.example", kind: "catch-all", leak: { status: "likely" } },
        ],
      },
    ];
    const plan = blockingPlan(domains as never, {
      listOf: (a) => book.blockedListOf(a.slice(a.indexOf("@") + 1)),
      blockedCount: (list) => (list === "domains[0].blocked" ? 1 : 0),
      fromConfig: false,
    });
    expect(plan.commands).toEqual([
      "pulumi config set --path 'domains[0].blocked[1]' a@example.org",
      "pulumi config set --path 'domains[1].blocked[0]' b@family.example",
      "pulumi config set --path 'domains[1].blocked[1]' c@family.example",
      "pulumi up",
    ]);
  });
});
