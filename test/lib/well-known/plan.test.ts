import { describe, expect, it } from "vitest";
import { dnsRecordSchema } from "../../../lib/dns-record";
import { renderZoneFile, unquoteTxt } from "../../../lib/dns-format";
import { wellKnownSchema } from "../../../lib/planned";
import { planWellKnown } from "../../../lib/well-known/plan";
import { mtaStsPolicyId } from "../../../lib/well-known/mta-sts";
import { FULL_SETUP } from "../../support/well-known";

const plan = (setup = FULL_SETUP, domain = "example.com", hostname = "mail.example.com") =>
  planWellKnown({ domain, hostname, setup });

describe("planWellKnown: records", () => {
  const { records, announcements, outputs } = plan();

  it("publishes TLS-RPT and the RFC 6186/8314 SRV set: implicit TLS preferred, cleartext IMAP and POP3 refused", () => {
    expect(records.map((r) => [r.type, r.name, r.priority, r.content])).toEqual([
      ["TXT", "_smtp._tls.example.com", undefined, '"v=TLSRPTv1; rua=mailto:postmaster@example.com"'],
      ["SRV", "_submissions._tcp.example.com", 0, "1 465 mail.example.com"],
      ["SRV", "_submission._tcp.example.com", 10, "1 587 mail.example.com"],
      ["SRV", "_imaps._tcp.example.com", 0, "1 993 mail.example.com"],
      ["SRV", "_imap._tcp.example.com", 0, "0 0 ."],
      ["SRV", "_pop3s._tcp.example.com", 0, "0 0 ."],
      ["SRV", "_pop3._tcp.example.com", 0, "0 0 ."],
    ]);
    for (const record of [...records, ...announcements.map((a) => a.record)])
      expect(dnsRecordSchema.parse(record)).toEqual(record);
  });

  it("announces the MTA-STS policy by its hash, in a record of its own, tied to the host serving it", () => {
    expect(announcements).toHaveLength(1);
    expect(announcements[0].host).toBe("mta-sts.example.com");
    expect(announcements[0].record).toMatchObject({ type: "TXT", name: "_mta-sts.example.com" });
    expect(unquoteTxt(announcements[0].record.content)).toBe(`v=STSv1; id=${mtaStsPolicyId(outputs.mtaSts!.policy)}`);
    expect(outputs.mtaSts!.id).toBe(mtaStsPolicyId(outputs.mtaSts!.policy));
  });

  it("writes SRV records into the zone file with absolute targets and the root", () => {
    const zone = renderZoneFile("example.com", records);
    expect(zone).toMatch(/^_imaps\._tcp\.example\.com\. +3600 IN SRV +0 1 993 mail\.example\.com\. ; /m);
    expect(zone).toMatch(/^_imap\._tcp\.example\.com\. +3600 IN SRV +0 0 0 \. ; /m);
  });
});

describe("planWellKnown: what is served, and the outputs", () => {
  it("serves every part at its standard host, the apex only for autoconfig and autodiscover", () => {
    const { site, outputs } = plan();
    expect(Object.fromEntries(Object.entries(site!.hosts).map(([h, paths]) => [h, Object.keys(paths)]))).toEqual({
      "mta-sts.example.com": ["/.well-known/mta-sts.txt"],
      "autoconfig.example.com": [
        "/mail/config-v1.1.xml",
        "/.well-known/autoconfig/mail/config-v1.1.xml",
        "/mail/apple.mobileconfig",
        "/",
      ],
      "example.com": ["/.well-known/autoconfig/mail/config-v1.1.xml", "/autodiscover/autodiscover.xml"],
      "autodiscover.example.com": ["/autodiscover/autodiscover.xml"],
    });
    expect(outputs).toMatchObject({
      servedBy: "worker",
      hostnames: ["mta-sts.example.com", "autoconfig.example.com", "example.com", "autodiscover.example.com"],
      mtaSts: { url: "https://mta-sts.example.com/.well-known/mta-sts.txt", mode: "testing", mx: ["mail.example.com"] },
      autoconfig: {
        urls: [
          "https://autoconfig.example.com/mail/config-v1.1.xml",
          "https://example.com/.well-known/autoconfig/mail/config-v1.1.xml",
        ],
      },
      appleProfile: {
        url: "https://autoconfig.example.com/mail/apple.mobileconfig",
        page: "https://autoconfig.example.com/",
      },
      // Outlook asks the apex first.
      autodiscover: {
        urls: [
          "https://example.com/autodiscover/autodiscover.xml",
          "https://autodiscover.example.com/autodiscover/autodiscover.xml",
        ],
      },
    });
    expect(wellKnownSchema.parse(outputs)).toEqual(outputs);
  });

  it("without the apex leaves the apex alone", () => {
    const { site } = plan({ ...FULL_SETUP, apex: false });
    expect(Object.keys(site!.hosts)).not.toContain("example.com");
  });

  it("with everything off plans nothing to serve and no record", () => {
    const off = plan({ autoconfig: false, autodiscover: false, apex: true, srv: false });
    expect(off).toEqual({
      records: [],
      announcements: [],
      site: undefined,
      outputs: { servedBy: "you", hostnames: [] },
    });
  });

  it("without the Worker says the files are the user's to host, and still plans them", () => {
    const { outputs, site } = plan({ ...FULL_SETUP, worker: undefined });
    expect(outputs.servedBy).toBe("you");
    expect(outputs.mtaSts!.policy).toContain("mode: testing");
    expect(site).toBeDefined();
  });

  it("is a function of one domain's values", () => {
    const other = plan(FULL_SETUP, "example.org", "mx.example.org");
    expect(other.outputs.hostnames).toContain("mta-sts.example.org");
    expect(other.outputs.mtaSts!.policy).toContain("mx: mx.example.org\r\n");
    expect(other.records.every((r) => r.name.endsWith(".example.org"))).toBe(true);
  });
});
