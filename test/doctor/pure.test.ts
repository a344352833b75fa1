import { describe, expect, it } from "vitest";
import { PeerCertificate } from "node:tls";
import { judgeBlocklistAnswer } from "../../doctor/checks/blocklist";
import { plannedValue, sameTxtKind } from "../../doctor/checks/dns-records";
import { judgeSpf } from "../../doctor/checks/mail-auth-dns";
import { judgeResendStatus } from "../../doctor/checks/resend";
import { assessCertificate, PresentedCertificate } from "../../doctor/lib/certificate";
import { compareDkimRecord } from "../../doctor/lib/dkim";
import { assessDmarc, findDmarcRecords } from "../../doctor/lib/dmarc";
import { expandIpv6, reversedIp, sameIp } from "../../doctor/lib/addresses";
import { SpfEvaluation, SpfResult } from "../../doctor/lib/spf";
import { parseOptions, parsePortOverrides, UsageError } from "../../doctor/options";
import { exitCode, renderJson, renderTable, shouldColour } from "../../doctor/report";
import { CheckResult } from "../../doctor/types";
import { makeDkimPublicKey } from "../support/certificates";

describe("addresses", () => {
  it("reverses IPv4 and IPv6 for PTR/DNSBL names", () => {
    expect(reversedIp("192.0.2.10")).toBe("10.2.0.192");
    expect(reversedIp("2001:db8::1")).toBe("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2");
    expect(expandIpv6("::1")).toBe("0000:0000:0000:0000:0000:0000:0000:0001");
    expect(sameIp("2001:DB8::1", "2001:db8:0:0:0:0:0:1")).toBe(true);
    expect(() => reversedIp("300.1.1.1")).toThrow();
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
  });
  it("judges blocklist answers and Resend statuses", () => {
    expect(judgeBlocklistAnswer("B", "c", "192.0.2.1", "zen.test", []).status).toBe("pass");
    expect(judgeBlocklistAnswer("B", "c", "192.0.2.1", "zen.test", ["127.0.0.2"]).status).toBe("fail");
    expect(judgeBlocklistAnswer("B", "c", "192.0.2.1", "zen.test", ["127.255.255.254"]).status).toBe("warn");
    expect(judgeResendStatus("c", { id: "1", status: "verified" }).status).toBe("pass");
    expect(judgeResendStatus("c", { id: "1", status: "pending" }).status).toBe("warn");
    expect(judgeResendStatus("c", { id: "1", status: "failed" }).status).toBe("fail");
  });
});

describe("SPF verdicts", () => {
  const planned = { domain: "x.test", hostname: "mail.x.test", ip: "192.0.2.1" };
  const evaluation = (result: SpfResult, extra: Partial<SpfEvaluation> = {}): SpfEvaluation => ({
    result,
    reason: "why",
    records: [{ name: "x.test", record: "v=spf1 mx -all" }],
    lookups: { count: 1, limit: 10, void: 0 },
    warnings: [],
    ...extra,
  });
  it("passes with the record, the lookups spent and the include trail", () => {
    expect(judgeSpf("c", evaluation("pass"), planned)).toMatchObject({
      status: "pass",
      detail: 'pass in "v=spf1 mx -all" (1 of 10 DNS lookups)',
    });
    const records = [
      { name: "x.test", record: "v=spf1 include:relay.test -all" },
      { name: "relay.test", record: "v=spf1 ip4:192.0.2.0/24 -all" },
    ];
    expect(
      judgeSpf("c", evaluation("pass", { records, lookups: { count: 2, limit: 10, void: 1 } }), planned),
    ).toMatchObject({
      detail:
        'pass in "v=spf1 include:relay.test -all" (2 of 10 DNS lookups, 1 void; SPF records read: x.test → relay.test)',
    });
  });
  it("warns when only the lenient reading passes", () => {
    const verdict = judgeSpf("c", evaluation("pass", { warnings: ["void-lookup-limit"] }), planned);
    expect(verdict.status).toBe("warn");
    expect(verdict.detail).toContain("RFC 7208 strictly answer permerror");
    expect(verdict.fix).toContain("give them both A and AAAA records");
  });
  it("fails with a fix that fits the result", () => {
    expect(judgeSpf("c", evaluation("fail"), planned).fix).toContain('"ip4:192.0.2.1"');
    expect(judgeSpf("c", evaluation("temperror"), planned).fix).toMatch(/^Retry/);
    expect(judgeSpf("c", evaluation("permerror", { reason: "… Too many DNS requests" }), planned).fix).toContain(
      "at most 10 DNS lookups",
    );
    expect(judgeSpf("c", evaluation("permerror", { reason: "… Too many void DNS results" }), planned).fix).toContain(
      "names that do not exist",
    );
  });
});

describe("options", () => {
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
