import { describe, expect, it } from "vitest";
import { AddressBook, requireAddressOutputs } from "../../addresses/address-book";
import { analyse } from "../../addresses/analysis";
import { AddressTally } from "../../addresses/log/tally";
import { PLANNED } from "./fixtures/planned";

const book = new AddressBook(PLANNED);
const DAY = 86_400_000;
const T0 = Date.parse("2025-03-01T00:00:00Z");

/** A tally of `address` with senders as [domain, messages, first day]. */
function tally(address: string, senders: [string, number, number][], refused = 0): AddressTally {
  return {
    address,
    delivered: senders.reduce((n, [, m]) => n + m, 0),
    bounced: 0,
    deferred: 0,
    refused,
    deliveredTo: new Set(),
    refusals: new Map(),
    first: T0,
    last: T0 + 30 * DAY,
    senders: new Map(
      senders.map(([domain, messages, day]) => [
        domain,
        { messages, refused: 0, first: T0 + day * DAY, last: T0 + day * DAY },
      ]),
    ),
  };
}

const reportOf = (t: AddressTally, related: Record<string, string[]> = {}) =>
  analyse([t], book, related)[0].addresses[0];

describe("address book", () => {
  it("tells accounts, aliases, tags, catch-all, blocked and unknown addresses apart, per domain", () => {
    expect(book.domains).toEqual(["example.org"]);
    expect(book.info("hi@example.org")).toEqual({ kind: "account", domain: "example.org" });
    expect(book.info("team@example.org").kind).toBe("alias");
    expect(book.info("hi+bilibili@example.org")).toEqual({ kind: "tag", domain: "example.org", siteName: "bilibili" });
    expect(book.info("team+x@example.org").kind).toBe("tag");
    expect(book.info("bilibili@example.org")).toEqual({
      kind: "catch-all",
      domain: "example.org",
      siteName: "bilibili",
    });
    expect(book.info("blocked@example.org")).toEqual({ kind: "blocked", domain: "example.org", siteName: "blocked" });
    expect(new AddressBook({ ...PLANNED, catchAll: undefined }).info("bilibili@example.org").kind).toBe("unknown");
    expect(book.isLocal("a@example.org")).toBe(true);
    expect(book.isLocal("a@mail.example.org")).toBe(false);
  });

  it("outputs from before mailstack addresses are refused with what to do", () => {
    const { aliases: _a, relatedSenders: _r, ...old } = PLANNED;
    expect(() => requireAddressOutputs(old)).toThrow(
      "the stack outputs have no aliases, relatedSenders: they predate mailstack addresses; run pulumi up once to refresh them",
    );
    expect(requireAddressOutputs({ ...PLANNED, catchAll: undefined, docker: undefined })).toBeTruthy();
  });
});

describe("leak hints", () => {
  it("site plus an unrelated sender: likely, with the evidence and the date it started", () => {
    const r = reportOf(
      tally("bilibili@example.org", [
        ["bilibili.com", 5, 0],
        ["spam.example", 2, 12],
        ["x.example", 1, 20],
      ]),
    );
    expect(r.leak).toMatchObject({ status: "likely", site: ["bilibili.com"], since: "2025-03-13T00:00:00.000Z" });
    expect(r.leak!.unrelated.map((s) => s.domain)).toEqual(["spam.example", "x.example"]);
    expect(r.leak!.summary).toBe(
      "given to bilibili.com; also mail from spam.example (2, since 2025-03-13), x.example (1, since 2025-03-21)",
    );
  });

  it("two unrelated senders and no match: likely; one: said (unmatched), not flagged; site only: nothing", () => {
    expect(
      reportOf(
        tally("x7k2@example.org", [
          ["a.example", 1, 0],
          ["b.example", 1, 3],
        ]),
      ).leak?.status,
    ).toBe("likely");
    expect(reportOf(tally("x7k2@example.org", [["a.example", 4, 0]])).leak?.status).toBe("unmatched");
    expect(
      reportOf(
        tally("github@example.org", [
          ["em.github.com", 4, 0],
          ["github.com", 1, 3],
        ]),
      ).leak,
    ).toBeUndefined();
  });

  it("bulk-mail services, bounces, unknown senders and our own domains are never evidence", () => {
    const r = reportOf(
      tally("bilibili@example.org", [
        ["bilibili.com", 1, 0],
        ["amazonses.com", 3, 1],
        ["", 2, 2],
        ["?", 1, 3],
        ["example.org", 1, 4],
        ["mail.example.org", 1, 5],
      ]),
    );
    expect(r.leak).toBeUndefined();
    expect(Object.fromEntries(r.senders.map((s) => [s.domain, s.relation]))).toEqual({
      "bilibili.com": "site",
      "amazonses.com": "shared",
      "": "shared",
      "?": "shared",
      "example.org": "own", // mail.example.org grouped under it
    });
  });

  it("relatedSenders: by site name, by address, for every address (*), a listed subdomain covers its senders", () => {
    const senders: [string, number, number][] = [
      ["steampowered.com", 2, 0],
      ["valvesoftware.com", 1, 1],
    ];
    expect(reportOf(tally("steam@example.org", senders)).leak?.status).toBe("likely");
    expect(reportOf(tally("steam@example.org", senders), { steam: ["valvesoftware.com"] }).leak).toBeUndefined();
    expect(reportOf(tally("hi+steam@example.org", senders), { steam: ["valvesoftware.com"] }).leak).toBeUndefined();
    expect(
      reportOf(tally("steam@example.org", senders), { "steam@example.org": ["valvesoftware.com"] }).leak,
    ).toBeUndefined();
    expect(reportOf(tally("steam@example.org", senders), { "*": ["valvesoftware.com"] }).leak).toBeUndefined();
    expect(reportOf(tally("steam@example.org", senders), { other: ["valvesoftware.com"] }).leak?.status).toBe("likely");
    const sub: [string, number, number][] = [
      ["steampowered.com", 2, 0],
      ["mail.valvesoftware.com", 1, 1],
    ];
    expect(reportOf(tally("steam@example.org", sub), { steam: ["mail.valvesoftware.com"] }).leak).toBeUndefined();
  });

  it("accounts and aliases get no hint; a blocked address keeps only a likely leak", () => {
    const spam: [string, number, number][] = [
      ["a.example", 1, 0],
      ["b.example", 1, 1],
    ];
    expect(reportOf(tally("hi@example.org", spam)).leak).toBeUndefined();
    expect(reportOf(tally("team@example.org", spam)).leak).toBeUndefined();
    expect(reportOf(tally("blocked@example.org", spam)).leak?.status).toBe("likely");
    expect(reportOf(tally("blocked@example.org", [["a.example", 1, 0]])).leak).toBeUndefined();
  });

  it("groups senders by registrable domain and reports per domain, addresses sorted", () => {
    const domains = analyse(
      [
        tally("zeta@example.org", [["a.example", 1, 0]]),
        tally("alpha@example.org", [
          ["em.github.com", 2, 0],
          ["github.com", 1, 2],
        ]),
      ],
      book,
      {},
    );
    expect(domains.map((d) => d.domain)).toEqual(["example.org"]);
    expect(domains[0].addresses.map((a) => a.address)).toEqual(["alpha@example.org", "zeta@example.org"]);
    expect(domains[0].addresses[0].senders).toMatchObject([
      { domain: "github.com", messages: 3, first: "2025-03-01T00:00:00.000Z", last: "2025-03-03T00:00:00.000Z" },
    ]);
  });
});

describe("address book of several domains", () => {
  const domain = (name: string, catchAll?: string) => ({
    domain: name,
    dkim: PLANNED.dkim,
    relay: PLANNED.relay,
    accounts: [`hi@${name}`],
    aliases: [],
    catchAll,
    blocked: [],
    dnsRecords: [],
    zoneFile: "",
  });
  const book = new AddressBook({
    ...PLANNED,
    accounts: [...PLANNED.accounts, "hi@family.example", "hi@quiet.example"],
    domains: [
      domain("example.org", "hi@example.org"),
      domain("family.example", "hi@family.example"),
      domain("quiet.example"),
    ],
  });

  it("gives each domain its own catch-all, and none to a domain without one", () => {
    expect(book.domains).toEqual(["example.org", "family.example", "quiet.example"]);
    expect(book.catchAllOf("family.example")).toBe("hi@family.example");
    expect(book.info("shop@family.example")).toEqual({ kind: "catch-all", domain: "family.example", siteName: "shop" });
    expect(book.info("shop@quiet.example").kind).toBe("unknown");
    expect(book.info("hi@quiet.example").kind).toBe("account");
  });
});
