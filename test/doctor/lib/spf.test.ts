import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateSpf, findSpfRecords } from "../../../doctor/lib/spf";
import { createDnsClient, DnsClient } from "../../../doctor/net/dns-client";
import { FakeDnsServer, startDnsServer, ZoneRecord } from "../../support/dns-server";

/**
 * The doctor's SPF verdicts (mailauth's evaluator), asked through the doctor's own DNS client of the loopback
 * DNS server, so NXDOMAIN/NODATA, PTR and TXT answers travel the wire the way they do in a real run.
 */
const txt = (name: string, value: string): ZoneRecord => ({ name, type: "TXT", data: [value] });
const a = (name: string, ip: string): ZoneRecord => ({ name, type: "A", data: ip });
const aaaa = (name: string, ip: string): ZoneRecord => ({ name, type: "AAAA", data: ip });
const ptr = (ip: string, host: string): ZoneRecord => ({
  name: `${ip.split(".").reverse().join(".")}.in-addr.arpa`,
  type: "PTR",
  data: host,
});

const ZONE: ZoneRecord[] = [
  // mx, include, ip4/ip6
  txt("example.test", "v=spf1 mx include:relay.test -all"),
  { name: "example.test", type: "MX", data: { preference: 10, exchange: "mail.example.test" } },
  a("mail.example.test", "127.0.0.2"),
  txt("relay.test", "v=spf1 ip4:127.0.1.0/24 ip6:2001:db8::/32 ~all"),
  txt("two.test", "v=spf1 mx -all"),
  txt("two.test", "v=spf1 a -all"),
  // macros: %{i} (the client IP), and %{ir}.%{v}.%{d} inside an include, where %{d} is the included domain
  txt("macro.test", "v=spf1 exists:%{i}._spf.example.net -all"),
  a("127.0.0.2._spf.example.net", "127.0.0.2"),
  txt("outer.test", "v=spf1 include:inner.test -all"),
  txt("inner.test", "v=spf1 exists:%{ir}.%{v}._spf.%{d} -all"),
  a("2.0.0.127.in-addr._spf.inner.test", "127.0.0.2"),
  // ptr: validated PTR names under the domain
  txt("ptr.test", "v=spf1 ptr -all"),
  txt("ptr-other.test", "v=spf1 ptr:hosts.test -all"),
  ptr("127.0.0.2", "mail.ptr.test"),
  a("mail.ptr.test", "127.0.0.2"),
  ptr("127.0.0.4", "box.elsewhere.test"),
  a("box.elsewhere.test", "127.0.0.4"),
  ptr("127.0.0.5", "mail.ptr.test"),
  // void lookups: names that do not exist, or exist with another address family only
  txt("void2.test", "v=spf1 a:gone1.void.test a:gone2.void.test ip4:127.0.0.2 -all"),
  txt("void3.test", "v=spf1 a:gone1.void.test a:gone2.void.test a:gone3.void.test ip4:127.0.0.2 -all"),
  txt("v6only.test", "v=spf1 a:h1.v6only.test a:h2.v6only.test a:h3.v6only.test ip4:127.0.0.2 -all"),
  aaaa("h1.v6only.test", "2001:db8::1"),
  aaaa("h2.v6only.test", "2001:db8::2"),
  aaaa("h3.v6only.test", "2001:db8::3"),
  // eleven includes in a chain: one more DNS lookup than RFC 7208 allows
  ...Array.from({ length: 12 }, (_, i) =>
    txt(`l${i}.test`, i < 11 ? `v=spf1 include:l${i + 1}.test -all` : "v=spf1 +all"),
  ),
];

let server: FakeDnsServer;
let dns: DnsClient;
beforeAll(async () => {
  server = await startDnsServer(ZONE);
  dns = createDnsClient(server.address, 2000);
});
afterAll(async () => {
  await server?.close();
});

const check = (ip: string, domain: string, resolve = dns.resolve) =>
  evaluateSpf({ ip, sender: `postmaster@${domain}`, helo: `mail.${domain}`, resolve, maxElapsedMs: 20_000 });

describe("SPF through mailauth against the loopback DNS server", () => {
  it("passes through mx and include, and shows the records read and the lookups spent", async () => {
    expect(await check("127.0.0.2", "example.test")).toMatchObject({
      result: "pass",
      records: [{ name: "example.test", record: "v=spf1 mx include:relay.test -all" }],
      lookups: { count: 1, limit: 10, void: 0 },
      warnings: [],
    });
    const included = await check("127.0.1.7", "example.test");
    expect(included).toMatchObject({ result: "pass", lookups: { count: 2 } });
    expect(included.records.map((r) => r.name)).toEqual(["example.test", "relay.test"]);
    expect(included.reason).toBe("domain of postmaster@example.test designates 127.0.1.7 as permitted sender");
    expect((await check("2001:db8::7", "example.test")).result).toBe("pass"); // ip6 in the included record
  });

  it("fails other addresses, and answers permerror for two SPF records and none for no record", async () => {
    expect((await check("127.0.0.9", "example.test")).result).toBe("fail");
    expect(await check("127.0.0.2", "two.test")).toMatchObject({ result: "permerror" });
    expect((await check("127.0.0.2", "two.test")).reason).toMatch(/multiple SPF records/);
    expect((await check("127.0.0.2", "nowhere.test")).result).toBe("none");
  });

  it("expands macros the way receivers do (a literal reading of %{i} would answer fail)", async () => {
    expect((await check("127.0.0.2", "macro.test")).result).toBe("pass");
    expect((await check("127.0.0.3", "macro.test")).result).toBe("fail");
    // %{d} in an included record is the included domain (RFC 7208 §5.2), not the sender's domain.
    const included = await check("127.0.0.2", "outer.test");
    expect(included).toMatchObject({ result: "pass" });
    expect(included.records.map((r) => r.name)).toEqual(["outer.test", "inner.test"]);
  });

  it("matches ptr only for a forward-confirmed PTR name under the domain", async () => {
    expect((await check("127.0.0.2", "ptr.test")).result).toBe("pass");
    expect((await check("127.0.0.4", "ptr.test")).result).toBe("fail"); // confirmed, but not under ptr.test
    expect((await check("127.0.0.5", "ptr.test")).result).toBe("fail"); // names mail.ptr.test, which is not .5
    expect((await check("127.0.0.2", "ptr-other.test")).result).toBe("fail");
  });

  it("allows two void lookups and answers permerror at the third, even before a matching ip4", async () => {
    expect(await check("127.0.0.2", "void2.test")).toMatchObject({ result: "pass", lookups: { void: 2 } });
    const three = await check("127.0.0.2", "void3.test");
    expect(three).toMatchObject({ result: "permerror", lookups: { void: 3 } });
    expect(three.reason).toMatch(/Too many void DNS results/);
  });

  it("passes hosts with only the other address family, with the warning that strict receivers refuse", async () => {
    expect(await check("127.0.0.2", "v6only.test")).toMatchObject({
      result: "pass",
      lookups: { void: 0 },
      warnings: ["void-lookup-limit"],
    });
  });

  it("answers permerror beyond ten DNS lookups", async () => {
    const chain = await check("127.0.0.2", "l0.test");
    expect(chain).toMatchObject({ result: "permerror", lookups: { count: 11 } });
    expect(chain.reason).toMatch(/Too many DNS requests/);
  });

  it("answers temperror when the resolver does not answer", async () => {
    const silent = createDnsClient("127.0.0.1:9", 300);
    expect((await check("127.0.0.2", "example.test", silent.resolve)).result).toBe("temperror");
  });

  it("finds SPF records among a name's TXT values", () => {
    expect(findSpfRecords(["v=spf1 -all", "v=spf10", "google-site-verification=x", "V=SPF1 mx"])).toEqual([
      "v=spf1 -all",
      "V=SPF1 mx",
    ]);
  });
});
