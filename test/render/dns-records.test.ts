import { describe, expect, it } from "vitest";
import { dmarcValue, planDkimRecord, planDnsRecords, planResendManualRecords } from "../../lib/render/dns-records";
import { dnsRecordSchema } from "../../lib/dns-record";
import { recordKey, unquoteTxt } from "../../lib/dns-format";

const base = {
  domain: "example.com",
  hostname: "mail.example.com",
  serverIp: "203.0.113.7",
  dmarc: { policy: "none" as const },
};

describe("planDnsRecords", () => {
  it("plans A, MX → hostname (priority 10), one apex SPF and DMARC, with full names", () => {
    const rs = planDnsRecords(base);
    expect(rs.map((r) => [r.type, r.name, r.content, r.priority])).toEqual([
      ["A", "mail.example.com", "203.0.113.7", undefined],
      ["MX", "example.com", "mail.example.com", 10],
      ["TXT", "example.com", '"v=spf1 mx -all"', undefined],
      ["TXT", "_dmarc.example.com", '"v=DMARC1; p=none;"', undefined],
    ]);
    expect(rs.every((r) => r.ttl === 3600)).toBe(true);
    expect(rs.filter((r) => r.type === "TXT" && r.content.includes("v=spf1") && r.name === "example.com")).toHaveLength(
      1,
    );
  });

  it("adds AAAA when an IPv6 address is configured, and nothing for a missing IPv4", () => {
    const rs = planDnsRecords({ ...base, serverIp: undefined, serverIpv6: "2001:db8::1" });
    expect(rs.filter((r) => r.type === "A")).toHaveLength(0);
    expect(rs.find((r) => r.type === "AAAA")).toMatchObject({ name: "mail.example.com", content: "2001:db8::1" });
  });

  it("writes DMARC with the policy and a mailto: report address", () => {
    expect(dmarcValue({ policy: "reject", rua: "dmarc@example.com" })).toBe(
      "v=DMARC1; p=reject; rua=mailto:dmarc@example.com;",
    );
    expect(dmarcValue({ policy: "quarantine", rua: "mailto:d@example.com" })).toBe(
      "v=DMARC1; p=quarantine; rua=mailto:d@example.com;",
    );
  });

  it("publishes a 2048-bit DKIM key as ≤255-byte strings of v=DKIM1; h=sha256; k=rsa; p=…", () => {
    const key = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + "x".repeat(340) + "IDAQAB";
    const r = planDkimRecord({ domain: "example.com", selector: "mail", publicKey: key });
    expect(r.name).toBe("mail._domainkey.example.com");
    expect(unquoteTxt(r.content)).toBe(`v=DKIM1; h=sha256; k=rsa; p=${key}`);
    expect(r.content.match(/"[^"]*"/g)!.every((s) => s.length - 2 <= 255)).toBe(true);
  });

  it("plans Resend's return-path MX and SPF and its DKIM TXT by region and label", () => {
    const rs = planResendManualRecords({
      domain: "example.com",
      region: "eu-west-1",
      returnPath: "bounce",
      dkim: "p=ABC",
    });
    expect(rs.map((r) => [r.type, r.name, r.content, r.priority])).toEqual([
      ["MX", "bounce.example.com", "feedback-smtp.eu-west-1.amazonses.com", 10],
      ["TXT", "bounce.example.com", '"v=spf1 include:amazonses.com ~all"', undefined],
      ["TXT", "resend._domainkey.example.com", '"p=ABC"', undefined],
    ]);
  });

  it("gives every record a distinct key, and every record is valid under the contract's schema", () => {
    const rs = [
      ...planDnsRecords(base),
      planDkimRecord({ domain: "example.com", selector: "mail", publicKey: "MIIB" }),
      ...planResendManualRecords({ domain: "example.com", region: "us-east-1", returnPath: "send", dkim: "p=A" }),
    ];
    expect(new Set(rs.map(recordKey)).size).toBe(rs.length);
    for (const r of rs) expect(dnsRecordSchema.safeParse(r).error).toBeUndefined();
  });
});
