import { describe, expect, it } from "vitest";
import {
  announcedHostOf,
  dkimRecordName,
  dmarcValue,
  madeValueOf,
  NOT_YET_MADE,
  planDomainRecords,
  planZoneRecords,
} from "../../lib/plan/domain-records";
import { MailDomain, mailDomains } from "../../lib/plan/mail-domains";
import { dnsRecordSchema } from "../../lib/dns-record";
import { recordKey, unquoteTxt } from "../../lib/dns-format";
import { planResendDashboardRecords } from "../../lib/resend/records";
import { ACME_CONFIG } from "../support/fixtures";
import { parsedConfig } from "../support/server-plan";

const domain: MailDomain = {
  name: "example.com",
  accounts: ["hi@example.com"],
  aliases: [],
  postmaster: "hi@example.com",
  blocked: [],
  mailHost: "mail.example.com",
  host: { ipv4: "203.0.113.7" },
  dkim: { selector: "mail" },
  dmarc: { policy: "none", rua: [] },
  clientSetup: { autoconfig: false, autodiscover: false, apex: false, srv: false },
};
const KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + "x".repeat(340) + "IDAQAB";
const MADE = { dkimPublicKey: KEY, acmeAccountUri: "https://acme.example/acct/7" };
/** Every client-setup record on: TLS-RPT, SRV, and MTA-STS served by the Worker. */
const CLIENT_SETUP: MailDomain["clientSetup"] = {
  worker: { accountId: "0123456789abcdef0123456789abcdef" },
  mtaSts: { mode: "enforce", maxAge: 604800 },
  tlsRpt: { rua: ["mailto:tls@example.com"] },
  autoconfig: true,
  autodiscover: false,
  apex: false,
  srv: true,
};
const RESEND = { region: "eu-west-1", returnPath: "bounce", dkim: "p=ABC", provisioned: false };

describe("planDomainRecords", () => {
  it("plans A, MX → hostname (priority 10), one apex SPF, DMARC and DKIM, with full names", () => {
    const rs = planDomainRecords(domain, MADE);
    expect(rs.map((r) => [r.type, r.name, r.type === "TXT" ? unquoteTxt(r.content) : r.content, r.priority])).toEqual([
      ["A", "mail.example.com", "203.0.113.7", undefined],
      ["MX", "example.com", "mail.example.com", 10],
      ["TXT", "example.com", "v=spf1 mx -all", undefined],
      ["TXT", "_dmarc.example.com", "v=DMARC1; p=none;", undefined],
      ["TXT", "mail._domainkey.example.com", `v=DKIM1; h=sha256; k=rsa; p=${KEY}`, undefined],
    ]);
    expect(rs.every((r) => r.ttl === 3600)).toBe(true);
    expect(rs.filter((r) => r.type === "TXT" && r.content.includes("v=spf1") && r.name === "example.com")).toHaveLength(
      1,
    );
  });

  it("adds AAAA when an IPv6 address is configured, and nothing for a missing IPv4", () => {
    const rs = planDomainRecords({ ...domain, host: { ipv6: "2001:db8::1" } }, MADE);
    expect(rs.filter((r) => r.type === "A")).toHaveLength(0);
    expect(rs.find((r) => r.type === "AAAA")).toMatchObject({ name: "mail.example.com", content: "2001:db8::1" });
  });

  it("publishes the server's addresses only with the domain that holds them", () => {
    const rs = planDomainRecords({ ...domain, name: "other.example", host: undefined }, MADE);
    expect(rs.map((r) => `${r.type} ${r.name}`)).toEqual([
      "MX other.example",
      "TXT other.example",
      "TXT _dmarc.other.example",
      "TXT mail._domainkey.other.example",
    ]);
    expect(rs[0].content).toBe("mail.example.com");
  });

  it("writes DMARC with the policy and each report address as a mailto: URI, added here only", () => {
    expect(dmarcValue({ policy: "reject", rua: ["dmarc@example.com"] })).toBe(
      "v=DMARC1; p=reject; rua=mailto:dmarc@example.com;",
    );
    expect(dmarcValue({ policy: "quarantine", rua: ["d@example.com", "reports@example.net"] })).toBe(
      "v=DMARC1; p=quarantine; rua=mailto:d@example.com,mailto:reports@example.net;",
    );
    expect(dmarcValue({ policy: "none", rua: [] })).toBe("v=DMARC1; p=none;");
  });

  it("refuses a report address that would change the record's tags (safe by construction)", () => {
    for (const bad of [
      "mailto:d@example.com",
      "a@example.com,mailto:b@evil.test",
      "a@example.com; p=none",
      "a@x.com!10m",
    ])
      expect(() => dmarcValue({ policy: "reject", rua: [bad] }), bad).toThrow(/refusing to write/);
  });

  it("publishes a 2048-bit DKIM key as ≤255-byte strings", () => {
    const r = planDomainRecords(domain, MADE).find((x) => x.name === dkimRecordName(domain))!;
    expect(r.name).toBe("mail._domainkey.example.com");
    expect(r.content.match(/"[^"]*"/g)!.length).toBe(2);
    expect(r.content.match(/"[^"]*"/g)!.every((s) => s.length - 2 <= 255)).toBe(true);
  });

  it("with an ACME certificate, adds the mail host's CAA record naming the renewer's account, last", () => {
    const [acme] = mailDomains(parsedConfig(ACME_CONFIG));
    const caa = planDomainRecords(acme, MADE).at(-1)!;
    expect(caa).toMatchObject({ type: "CAA", name: "mail.example.net" });
    expect(caa.content).toMatch(/^0 issue "letsencrypt\.org; accounturi=https:\/\/acme\.example\/acct\/7;/);
    expect(planDomainRecords({ ...acme, host: { ipv4: "198.51.100.7" } }, MADE).some((r) => r.type === "CAA")).toBe(
      false,
    );
  });

  it("has the same set whatever the made values: only the records that use one follow it", () => {
    const [acme] = mailDomains(parsedConfig(ACME_CONFIG));
    for (const d of [domain, acme]) {
      const before = planDomainRecords(d, NOT_YET_MADE);
      const after = planDomainRecords(d, MADE);
      expect(after.map(recordKey)).toEqual(before.map(recordKey));
      const changed = after.filter((r, i) => r.content !== before[i].content);
      expect(changed.map((r) => madeValueOf(d, r))).toEqual(
        d === acme ? ["dkimPublicKey", "acmeAccountUri"] : ["dkimPublicKey"],
      );
      expect(before.filter((r) => madeValueOf(d, r)).length).toBe(changed.length);
    }
  });

  it("adds Resend's records typed in from config, and none when Resend's API provisions them", () => {
    expect(planDomainRecords({ ...domain, resend: RESEND }, MADE).slice(5)).toEqual(
      planResendDashboardRecords({ domain: "example.com", region: "eu-west-1", returnPath: "bounce", dkim: "p=ABC" }),
    );
    const provisioned = { ...RESEND, dkim: undefined, provisioned: true };
    expect(planDomainRecords({ ...domain, resend: provisioned }, MADE)).toHaveLength(5);
  });

  it("adds the client-setup records: TLS-RPT, SRV, and `_mta-sts`, which announces the policy host", () => {
    const rs = planDomainRecords({ ...domain, clientSetup: CLIENT_SETUP }, MADE).slice(5);
    expect(rs.map((r) => `${r.type} ${r.name}`)).toEqual([
      "TXT _smtp._tls.example.com",
      ...["submissions", "submission", "imaps", "imap", "pop3s", "pop3"].map((s) => `SRV _${s}._tcp.example.com`),
      "TXT _mta-sts.example.com",
    ]);
    expect(unquoteTxt(rs[0].content)).toBe("v=TLSRPTv1; rua=mailto:tls@example.com");
    expect(rs[1]).toMatchObject({ priority: 0, content: "1 465 mail.example.com" });
    expect(unquoteTxt(rs.at(-1)!.content)).toMatch(/^v=STSv1; id=\w+$/);
    expect(rs.map((r) => announcedHostOf({ ...domain, clientSetup: CLIENT_SETUP }, r) ?? "")).toEqual([
      ...Array(7).fill(""),
      "mta-sts.example.com",
    ]);
  });

  it("gives every record a distinct key, and every record is valid under the contract's schema", () => {
    const [acme] = mailDomains(parsedConfig(ACME_CONFIG));
    const host = { ipv4: "203.0.113.7", ipv6: "2001:db8::1", acme: acme.host!.acme };
    const rs = planDomainRecords({ ...domain, host, resend: RESEND, clientSetup: CLIENT_SETUP }, MADE);
    expect(rs.map((r) => r.type)).toEqual([
      ...["A", "AAAA", "MX", "TXT", "TXT", "TXT", "MX", "TXT", "TXT", "TXT"],
      ...Array(6).fill("SRV"),
      ...["TXT", "CAA"],
    ]);
    expect(new Set(rs.map(recordKey)).size).toBe(rs.length);
    for (const r of rs) expect(dnsRecordSchema.safeParse(r).error).toBeUndefined();
  });
});

describe("planZoneRecords", () => {
  it("is the domain's records before the key exists, plus the set Resend documents when it is provisioned", () => {
    expect(planZoneRecords(domain)).toEqual(planDomainRecords(domain, NOT_YET_MADE));
    const provisioned = { ...domain, resend: { ...RESEND, dkim: undefined, provisioned: true } };
    expect(planZoneRecords(provisioned).map((r) => `${r.type} ${r.name}`)).toEqual([
      ...planDomainRecords(provisioned, NOT_YET_MADE).map((r) => `${r.type} ${r.name}`),
      "MX bounce.example.com",
      "TXT bounce.example.com",
      "TXT resend._domainkey.example.com",
    ]);
  });
});
