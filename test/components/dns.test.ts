/**
 * The DNS records' Pulumi identities across upgrades: a record whose URN changes is deleted and created again
 * (for a moment the domain has no MX, SPF or DKIM), so every record keeps the URN it had, or carries an alias
 * to it.
 */
import { describe, expect, it } from "vitest";
import { ProgramRun, PROD_CONFIG, runProgram, SECOND_CONFIG } from "../support/run-program";
import { ACME_CONFIG } from "../support/fixtures";
import type { RegisteredResource } from "../support/run-program";

const DNS = "cloudflare:index/dnsRecord:DnsRecord";
const STACK = "urn:pulumi:test::mailstack::mailstack:index:MailStack";
const own = (key: string) => `${STACK}$mailstack:dns:MailDns$${DNS}::mailstack-dns-${key}`;

/**
 * A resource's URN as the engine makes it (sdk/go/common/resource/urn.go NewURN): the parent's qualified type,
 * `$`, the type, `::`, the name; the stack resource adds nothing. The mock monitor keeps only the parent's own
 * type, so the chain is rebuilt here from the recorded parents.
 */
function qualifiedType(run: ProgramRun, name: string | undefined, type: string): string {
  const parent = name && run.resources.find((r) => r.name === name);
  return parent ? `${qualifiedType(run, parent.options?.parent, parent.type)}$${type}` : type;
}
const engineUrn = (run: ProgramRun, r: RegisteredResource) =>
  `urn:pulumi:test::mailstack::${qualifiedType(run, r.options?.parent, r.type)}::${r.name}`;

/**
 * The URN the engine gives an alias spec (pkg/resource/deploy/step_generator.go collapseAliasToUrn): the
 * alias's name, type and parent, each defaulting to the resource's own.
 */
function aliasUrn(
  run: ProgramRun,
  alias: NonNullable<RegisteredResource["options"]>["aliases"][number],
  r: RegisteredResource,
) {
  if ("urn" in alias) return alias.urn;
  const parent = alias.parentUrn.slice(alias.parentUrn.lastIndexOf("::") + 2);
  return `urn:pulumi:test::mailstack::${qualifiedType(run, parent, alias.type || r.type)}::${alias.name || r.name}`;
}

/** TLS-RPT and the SRV records, which client setup publishes by default. */
const clientSetupKeys = (domain: string) => [
  `txt-_smtp._tls.${domain}`,
  ...["submissions", "submission", "imaps", "imap", "pop3s", "pop3"].map((s) => `srv-_${s}._tcp.${domain}`),
];

describe("DNS record URNs", () => {
  it.each([
    [
      "prod",
      PROD_CONFIG,
      [
        "a-mail.qladgk.com",
        "mx-qladgk.com",
        "txt-qladgk.com",
        "txt-_dmarc.qladgk.com",
        "txt-mail._domainkey.qladgk.com",
        "mx-send.qladgk.com",
        "txt-send.qladgk.com",
        "txt-resend._domainkey.qladgk.com",
        ...clientSetupKeys("qladgk.com"),
      ],
    ],
    [
      "with the client-setup Worker (MTA-STS)",
      { ...PROD_CONFIG, cloudflareAccountId: "0123456789abcdef0123456789abcdef" },
      [
        "a-mail.qladgk.com",
        "mx-qladgk.com",
        "txt-qladgk.com",
        "txt-_dmarc.qladgk.com",
        "txt-mail._domainkey.qladgk.com",
        "mx-send.qladgk.com",
        "txt-send.qladgk.com",
        "txt-resend._domainkey.qladgk.com",
        ...clientSetupKeys("qladgk.com"),
        "txt-_mta-sts.qladgk.com",
      ],
    ],
    [
      "second",
      SECOND_CONFIG,
      [
        "a-mx1.example.org",
        "aaaa-mx1.example.org",
        "mx-example.org",
        "txt-example.org",
        "txt-_dmarc.example.org",
        "txt-s2026._domainkey.example.org",
        ...clientSetupKeys("example.org"),
      ],
    ],
    [
      "acme",
      ACME_CONFIG,
      [
        "a-mail.example.net",
        "mx-example.net",
        "txt-example.net",
        "txt-_dmarc.example.net",
        "txt-mail._domainkey.example.net",
        ...clientSetupKeys("example.net"),
        "caa-mail.example.net",
      ],
    ],
  ])("%s: every record has the URN it had before the plan moved to lib/plan", async (_n, config, keys) => {
    const run = await runProgram(config);
    const urns = run.resources.filter((r) => r.type === DNS).map((r) => engineUrn(run, r));
    expect(urns.sort()).toEqual(keys.map(own).sort());
  });

  it("Resend's provisioned records, now published by the DNS component, alias their former URNs", async () => {
    const run = await runProgram(
      { ...PROD_CONFIG, relayPassword: undefined, resend: {}, resendApiKey: "re_full_access_provisioning_key" },
      {
        resendRecords: [
          { record: "SPF", name: "send", type: "MX", value: "feedback-smtp.us-east-1.amazonses.com", priority: 10 },
          { record: "SPF", name: "send", type: "TXT", value: '"v=spf1 include:amazonses.com ~all"' },
          { record: "DKIM", name: "resend._domainkey", type: "TXT", value: "p=MIGfMA0GCSq" },
        ],
      },
    );
    const former = `${STACK}$mailstack:relay:Relay$mailstack:resend:ResendRelayDomain$${DNS}::mailstack-relay-resend-`;
    const provisioned = run.resources.filter((r) => r.type === DNS && r.name.startsWith("mailstack-dns-resend-"));
    expect(provisioned.map((r) => r.name.slice("mailstack-dns-resend-".length)).sort()).toEqual(
      ["mx-send.qladgk.com", "txt-send.qladgk.com", "txt-resend._domainkey.qladgk.com"].sort(),
    );
    for (const r of provisioned) {
      expect(engineUrn(run, r)).toBe(`${STACK}$mailstack:dns:MailDns$${DNS}::${r.name}`);
      const aliases = r.options!.aliases.map((a) => aliasUrn(run, a, r));
      expect(aliases).toContain(`${former}${r.name.slice("mailstack-dns-resend-".length)}`);
    }
    // The records known from config keep their own names beside them.
    expect(
      run.resources.filter((r) => r.type === DNS && !provisioned.includes(r)).map((r) => engineUrn(run, r)),
    ).toEqual(expect.arrayContaining([own("mx-qladgk.com"), own("txt-mail._domainkey.qladgk.com")]));
  });
});
