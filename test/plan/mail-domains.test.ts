import { describe, expect, it } from "vitest";
import { mailDomains } from "../../lib/plan/mail-domains";
import { MULTI_CONFIG, PROD_CONFIG, RESEND_DKIM, SECOND_CONFIG } from "../support/fixtures";
import { parsedConfig } from "../support/server-plan";

describe("mailDomains", () => {
  it("describes the configured domain: mailboxes, the server's host and addresses, DKIM, DMARC, Resend's records, client setup", () => {
    expect(mailDomains(parsedConfig(PROD_CONFIG))).toEqual([
      {
        name: "qladgk.com",
        accounts: ["postmaster@qladgk.com", "hi@qladgk.com", "info@qladgk.com"],
        aliases: [],
        catchAll: "info@qladgk.com",
        postmaster: "info@qladgk.com",
        blocked: [],
        mailHost: "mail.qladgk.com",
        host: { ipv4: "11.22.33.44", ipv6: undefined, acme: undefined },
        dkim: { selector: "mail" },
        dmarc: { policy: "none", rua: [] },
        resend: { region: "us-east-1", returnPath: "send", dkim: RESEND_DKIM, provisioned: false },
        clientSetup: {
          autoconfig: true,
          autodiscover: true,
          apex: false,
          srv: true,
          tlsRpt: { rua: ["mailto:postmaster@qladgk.com"] },
        },
        dmarcReportsFor: [],
        zoneId: undefined,
      },
    ]);
  });

  it("has no Resend records with another relay, and none from config when Resend's API provisions them", () => {
    const [second] = mailDomains(parsedConfig(SECOND_CONFIG));
    expect(second.resend).toBeUndefined();
    expect(second.zoneId).toBe("0123456789abcdef0123456789abcdef");
    expect(second.host).toEqual({ ipv4: "203.0.113.25", ipv6: "2001:db8::25", acme: undefined });
    const [provisioned] = mailDomains(
      parsedConfig({ ...PROD_CONFIG, relayPassword: undefined, resendApiKey: "re_full_access_key" }),
    );
    expect(provisioned.resend).toEqual({ region: "us-east-1", returnPath: "send", dkim: undefined, provisioned: true });
  });

  it("with several domains: each its own, the server's records with the domain holding the host name", () => {
    const domains = mailDomains(parsedConfig({ ...MULTI_CONFIG, hostname: "mx.family.example" }));
    expect(domains.map((d) => d.name)).toEqual(["example.com", "family.example", "lists.example.com"]);
    expect(domains.map((d) => d.host)).toEqual([
      undefined,
      { ipv4: "11.22.33.44", ipv6: undefined, acme: undefined },
      undefined,
    ]);
    expect(domains.every((d) => d.mailHost === "mx.family.example")).toBe(true);
    expect(domains.map((d) => d.dkim.selector)).toEqual(["mail", "fam", "mail"]);
    // family.example's DMARC reports go to example.com.
    expect(domains.map((d) => d.dmarcReportsFor)).toEqual([["family.example"], [], []]);
    // MTA-STS and autoconfiguration are the first domain's; the others publish SRV records only.
    expect(domains[1].clientSetup).toEqual({ autoconfig: false, autodiscover: false, apex: false, srv: true });
  });
});
