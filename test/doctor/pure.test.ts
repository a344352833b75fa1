import { describe, expect, it } from "vitest";
import { PeerCertificate } from "node:tls";
import { judgeBlocklistAnswer } from "../../doctor/checks/blocklist";
import { plannedValue, sameTxtKind, zoneLine } from "../../doctor/checks/dns-records";
import { judgeResendStatus } from "../../doctor/checks/resend";
import { assessCertificate, PresentedCertificate } from "../../doctor/lib/certificate";
import { compareDkimRecord } from "../../doctor/lib/dkim";
import { assessDmarc, findDmarcRecords } from "../../doctor/lib/dmarc";
import { expandIpv6, reversedIp, sameIp } from "../../doctor/lib/names";
import { evaluateSpf, findSpfRecords, inNetwork, parseSpf, SpfLookup } from "../../doctor/lib/spf";
import { joinTxt, parseTxtStrings } from "../../doctor/lib/txt";
import { parseOptions, parsePortOverrides, UsageError } from "../../doctor/options";
import { validatePlanned, InputError } from "../../doctor/planned-input";
import { exitCode, renderJson, renderTable, shouldColour } from "../../doctor/report";
import { CheckResult } from "../../doctor/types";
import { makeDkimPublicKey } from "../support/certificates";

describe("TXT presentation form", () => {
  it("splits quoted strings and joins them as a verifier does", () => {
    expect(parseTxtStrings('"v=DKIM1; k=rsa; " "p=AB" "CD"')).toEqual(["v=DKIM1; k=rsa; ", "p=AB", "CD"]);
    expect(joinTxt('"v=DKIM1; k=rsa; " "p=AB" "CD"')).toBe("v=DKIM1; k=rsa; p=ABCD");
    expect(joinTxt('"say \\"hi\\"" "\\065"')).toBe('say "hi"A');
    expect(joinTxt("v=spf1 mx -all")).toBe("v=spf1 mx -all");
    expect(() => parseTxtStrings('"unterminated')).toThrow(/unterminated/);
  });
});

describe("addresses", () => {
  it("reverses IPv4 and IPv6 for PTR/DNSBL names", () => {
    expect(reversedIp("192.0.2.10")).toBe("10.2.0.192");
    expect(reversedIp("2001:db8::1")).toBe("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2");
    expect(expandIpv6("::1")).toBe("0000:0000:0000:0000:0000:0000:0000:0001");
    expect(sameIp("2001:DB8::1", "2001:db8:0:0:0:0:0:1")).toBe(true);
    expect(() => reversedIp("300.1.1.1")).toThrow();
  });
});

/** An in-memory DNS for SPF evaluation. */
function lookupFrom(records: {
  txt?: Record<string, string[]>;
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
  mx?: Record<string, string[]>;
}): SpfLookup & { calls: string[] } {
  const calls: string[] = [];
  const get = (table: Record<string, string[]> | undefined, type: string) => async (name: string) => {
    calls.push(`${type} ${name}`);
    if (name === "tempfail.test") throw new Error("SERVFAIL");
    return table?.[name] ?? [];
  };
  return {
    calls,
    txt: get(records.txt, "TXT"),
    a: get(records.a, "A"),
    aaaa: get(records.aaaa, "AAAA"),
    mx: get(records.mx, "MX"),
  };
}

describe("SPF evaluation", () => {
  const dns = lookupFrom({
    txt: {
      "example.test": ["v=spf1 mx include:relay.test -all"],
      "relay.test": ["v=spf1 ip4:198.51.100.0/24 ip6:2001:db8::/32 ~all"],
      "soft.test": ["v=spf1 a:mail.example.test ~all"],
      "redir.test": ["v=spf1 redirect=example.test"],
      "two.test": ["v=spf1 mx -all", "v=spf1 a -all"],
      "loop.test": ["v=spf1 include:loop.test -all"],
      "badinclude.test": ["v=spf1 include:nothing.test -all"],
      "temp.test": ["v=spf1 include:tempfail.test -all"],
      "neutral.test": ["v=spf1 ip4:203.0.113.1"],
    },
    a: { "mail.example.test": ["192.0.2.10"] },
    aaaa: { "mail.example.test": ["2001:db8:1::10"] },
    mx: { "example.test": ["mail.example.test"] },
  });

  it("passes through mx, a and include, and says what matched", async () => {
    expect(await evaluateSpf("192.0.2.10", "example.test", dns)).toMatchObject({ result: "pass", matched: "mx" });
    expect(await evaluateSpf("198.51.100.7", "example.test", dns)).toMatchObject({
      result: "pass",
      matched: "include:relay.test → ip4:198.51.100.0/24",
    });
    expect(await evaluateSpf("2001:db8:1::10", "example.test", dns)).toMatchObject({ result: "pass", matched: "mx" });
    expect(await evaluateSpf("192.0.2.10", "redir.test", dns)).toMatchObject({ result: "pass" });
  });

  it("fails, soft-fails or stays neutral for other addresses", async () => {
    expect((await evaluateSpf("203.0.113.9", "example.test", dns)).result).toBe("fail");
    expect((await evaluateSpf("203.0.113.9", "soft.test", dns)).result).toBe("softfail");
    expect((await evaluateSpf("203.0.113.9", "neutral.test", dns)).result).toBe("neutral");
  });

  it("reports the error cases receivers report", async () => {
    expect((await evaluateSpf("192.0.2.10", "two.test", dns)).result).toBe("permerror");
    expect((await evaluateSpf("192.0.2.10", "nowhere.test", dns)).result).toBe("none");
    expect((await evaluateSpf("192.0.2.10", "loop.test", dns)).result).toBe("permerror"); // lookup limit
    expect((await evaluateSpf("192.0.2.10", "badinclude.test", dns)).result).toBe("permerror");
    expect((await evaluateSpf("192.0.2.10", "temp.test", dns)).result).toBe("temperror");
  });

  it("parses terms and rejects junk", () => {
    const parsed = parseSpf("v=spf1 -ip4:192.0.2.0/24 a:x.test/24//64 ip6:2001:db8::/32 exp=explain.test ~all");
    expect(parsed.errors).toEqual([]);
    expect(parsed.terms.map((t) => [t.qualifier, t.mechanism, t.value, t.cidr4, t.cidr6])).toEqual([
      ["-", "ip4", "192.0.2.0", 24, undefined],
      ["+", "a", "x.test", 24, 64],
      ["+", "ip6", "2001:db8::", undefined, 32],
      ["~", "all", undefined, undefined, undefined],
    ]);
    expect(parseSpf("v=spf1 ip4:999.1.1.1 bogus -all").errors).toHaveLength(2);
    expect(findSpfRecords(["v=spf1 -all", "v=spf10", "google-site-verification=x", "V=SPF1 mx"])).toEqual([
      "v=spf1 -all",
      "V=SPF1 mx",
    ]);
    expect(inNetwork("192.0.2.77", "192.0.2.0", 25)).toBe(true);
    expect(inNetwork("192.0.2.200", "192.0.2.0", 25)).toBe(false);
    expect(inNetwork("::1", "192.0.2.0", 0)).toBe(false);
  });
});

describe("DKIM key comparison", () => {
  const key = makeDkimPublicKey();
  it("matches the planned key whatever the whitespace, and reports its size", () => {
    expect(compareDkimRecord(`v=DKIM1; k=rsa; p=${key.slice(0, 100)} ${key.slice(100)}`, key)).toEqual({
      status: "match",
      bits: 2048,
    });
  });
  it("spots a key cut after the first string", () => {
    const published = `v=DKIM1; k=rsa; p=${key}`.slice(0, 255);
    expect(compareDkimRecord(published, key)).toMatchObject({
      status: "truncated",
      publishedLength: 255 - "v=DKIM1; k=rsa; p=".length,
      plannedLength: key.length,
    });
  });
  it("tells a different valid key from garbage, and revoked from missing", () => {
    expect(compareDkimRecord(`v=DKIM1; p=${makeDkimPublicKey()}`, key)).toEqual({
      status: "different",
      reason: "a different 2048-bit key is published",
    });
    expect(compareDkimRecord("v=DKIM1; p=AAAA", key)).toMatchObject({
      status: "different",
      reason: expect.stringContaining("not a valid public key"),
    });
    expect(compareDkimRecord("v=DKIM1; p=", key)).toMatchObject({
      status: "invalid",
      reason: expect.stringContaining("revoked"),
    });
    expect(compareDkimRecord("v=DKIM1; k=rsa", key)).toMatchObject({ status: "invalid", reason: "no p= tag" });
    expect(compareDkimRecord(`v=DKIM2; p=${key}`, key)).toMatchObject({ status: "invalid" });
  });
});

describe("DMARC", () => {
  it("passes an enforcing policy, warns on p=none, fails bad syntax", () => {
    expect(assessDmarc("v=DMARC1; p=reject; rua=mailto:d@example.test", "example.test").status).toBe("pass");
    const none = assessDmarc("v=DMARC1; p=none", "example.test");
    expect(none.status).toBe("warn");
    expect(none.fix).toContain("p=quarantine");
    expect(assessDmarc("v=DMARC1; rua=mailto:d@example.test", "example.test")).toMatchObject({
      status: "fail",
      detail: "no p= policy tag",
    });
    expect(assessDmarc("v=DMARC1; p=block", "example.test").detail).toContain("unknown policy");
    expect(assessDmarc("v=DMARC1; p=reject; rua=https://x", "example.test").detail).toContain("mailto");
    expect(assessDmarc("v=DMARC1; p=reject; pct=150; adkim=x", "example.test").detail).toMatch(
      /pct=150.*adkim=x|adkim=x.*pct=150/,
    );
    expect(assessDmarc("p=reject; v=DMARC1", "example.test").status).toBe("fail");
    expect(findDmarcRecords(["v=DMARC1; p=none", "something else"])).toEqual(["v=DMARC1; p=none"]);
  });
});

describe("certificate assessment", () => {
  const now = new Date("2026-06-01T00:00:00Z");
  const cert = (validTo: string, names = "DNS:mail.example.test", trusted = true): PresentedCertificate => ({
    leaf: {
      subject: { CN: "mail.example.test" },
      subjectaltname: names,
      valid_to: validTo,
    } as unknown as PeerCertificate,
    chain: ["CN=mail.example.test", "CN=Test CA"],
    trusted,
    trustError: trusted ? undefined : "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  });
  it("passes with days left and the chain", () => {
    const verdict = assessCertificate(cert("Aug 30 00:00:00 2026 GMT"), "mail.example.test", now);
    expect(verdict).toMatchObject({ status: "pass", daysLeft: 90 });
    expect(verdict.detail).toContain("chain: CN=mail.example.test ← CN=Test CA");
  });
  it("warns under 14 days, fails expired, wrong name, untrusted", () => {
    expect(assessCertificate(cert("Jun 10 00:00:00 2026 GMT"), "mail.example.test", now)).toMatchObject({
      status: "warn",
      daysLeft: 9,
    });
    expect(assessCertificate(cert("May 20 00:00:00 2026 GMT"), "mail.example.test", now).detail).toMatch(
      /^expired 2026-05-20/,
    );
    expect(
      assessCertificate(cert("Aug 30 00:00:00 2026 GMT", "DNS:other.test"), "mail.example.test", now).detail,
    ).toContain("not valid for mail.example.test (certificate names: other.test)");
    expect(
      assessCertificate(cert("Aug 30 00:00:00 2026 GMT", "DNS:*.example.test"), "mail.example.test", now).status,
    ).toBe("pass");
    expect(
      assessCertificate(cert("Aug 30 00:00:00 2026 GMT", "DNS:mail.example.test", false), "mail.example.test", now)
        .detail,
    ).toContain("not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)");
  });
});

describe("record helpers", () => {
  it("normalises planned values and spots same-kind TXT records", () => {
    expect(
      plannedValue({ type: "MX", name: "x.test", content: "Mail.X.test.", priority: 5, ttl: 1, comment: "" }),
    ).toBe("5 mail.x.test");
    expect(
      plannedValue({ type: "CAA", name: "x.test", content: '0 ISSUE "letsencrypt.org"', ttl: 1, comment: "" }),
    ).toBe('0 issue "letsencrypt.org"');
    expect(sameTxtKind("v=spf1 -all", "V=SPF1 mx -all")).toBe(true);
    expect(sameTxtKind("google-site-verification=x", "v=spf1 -all")).toBe(false);
    expect(sameTxtKind("p=MIIB", "v=DKIM1; p=MIIB")).toBe(true);
    expect(zoneLine({ type: "MX", name: "x.test", content: "mail.x.test", priority: 10, ttl: 3600, comment: "" })).toBe(
      "x.test. 3600 IN MX 10 mail.x.test.",
    );
  });
  it("judges blocklist answers and Resend statuses", () => {
    expect(judgeBlocklistAnswer("B", "c", "192.0.2.1", "zen.test", []).status).toBe("pass");
    expect(judgeBlocklistAnswer("B", "c", "192.0.2.1", "zen.test", ["127.0.0.2"]).status).toBe("fail");
    expect(judgeBlocklistAnswer("B", "c", "192.0.2.1", "zen.test", ["127.255.255.254"]).status).toBe("warn");
    expect(judgeResendStatus("c", { id: "1", name: "x", status: "verified" }).status).toBe("pass");
    expect(judgeResendStatus("c", { id: "1", name: "x", status: "pending" }).status).toBe("warn");
    expect(judgeResendStatus("c", { id: "1", name: "x", status: "failed" }).status).toBe("fail");
  });
});

describe("options and input", () => {
  it("parses port overrides and rejects bad ones", () => {
    expect([...parsePortOverrides(["25=2525", "587=2587,993=2993"])]).toEqual([
      [25, 2525],
      [587, 2587],
      [993, 2993],
    ]);
    expect(() => parsePortOverrides(["25:2525"])).toThrow(UsageError);
    expect(() => parsePortOverrides(["25=70000"])).toThrow(UsageError);
  });
  it("has documented defaults", () => {
    const options = parseOptions([]);
    expect(options).toMatchObject({ timeoutMs: 5000, dnsbl: "zen.spamhaus.org", json: false, resolver: undefined });
    expect(parseOptions(["--dnsbl", "none"]).dnsbl).toBeUndefined();
    expect(() => parseOptions(["--timeout", "0"])).toThrow(UsageError);
    expect(() => parseOptions(["--password", "x"])).toThrow(UsageError); // secrets never come from flags
  });
  it("validates the planned shape", () => {
    expect(() => validatePlanned({ domain: "x.test" }, "f.json")).toThrow(InputError);
    const planned = validatePlanned(
      { domain: "x.test", hostname: "mail.x.test", dnsRecords: [], dkim: { selector: "mail", publicKey: "AA" } },
      "f",
    );
    expect(planned.relay.provider).toBe("none");
    expect(planned.ports).toEqual([]);
  });
});

describe("report", () => {
  const results: CheckResult[] = [
    { group: "DNS", name: "MX", status: "pass", detail: "10 mail" },
    { group: "DNS", name: "SPF", status: "fail", detail: "none", fix: "Publish one." },
    { group: "Creds", name: "IMAP", status: "skip", detail: "no password" },
    { group: "Creds", name: "DMARC", status: "warn", detail: "p=none", fix: "Raise it." },
  ];
  it("renders symbols, fix lines and a summary without colour", () => {
    const text = renderTable(results, { colour: false });
    expect(text).toContain("✓ MX");
    expect(text).toMatch(/✗ SPF +none\n +fix: Publish one\./);
    expect(text).toContain("– IMAP   skipped: no password");
    expect(text).toContain("! DMARC");
    expect(text).toContain("1 passed, 1 warnings, 1 failed, 1 skipped");
    expect(text).not.toContain("\x1b[");
    expect(renderTable(results, { colour: true })).toContain("\x1b[31m✗");
  });
  it("fails the exit status only on failures", () => {
    expect(exitCode(results)).toBe(1);
    expect(exitCode(results.filter((r) => r.status !== "fail"))).toBe(0);
    expect(JSON.parse(renderJson(results, { domain: "x" }))).toMatchObject({
      ok: false,
      domain: "x",
      summary: { pass: 1, warn: 1, fail: 1, skip: 1 },
    });
  });
  it("colours only a terminal and respects NO_COLOR", () => {
    expect(shouldColour(true, {})).toBe(true);
    expect(shouldColour(false, {})).toBe(false);
    expect(shouldColour(true, { NO_COLOR: "1" })).toBe(false);
    expect(shouldColour(true, {}, false)).toBe(false);
  });
});
