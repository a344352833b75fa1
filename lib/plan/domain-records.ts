/**
 * Every record one mail domain publishes: the server's A/AAAA, MX, SPF, DMARC, DKIM, the relay's records
 * typed in from config, the client-setup records (TLS-RPT, SRV, `_mta-sts`: lib/well-known/plan.ts), and the
 * CAA record of the mail host when its certificate comes from ACME. Two contents use values a resource makes
 * (the DKIM key, the ACME account); which records exist never does. The client-setup Worker's host names get
 * no record here: its custom domains make their own (components/client-setup.ts).
 * Records that only exist once an API has answered (Resend provisioning) are not part of it: they join the
 * same Cloudflare path later (components/dns.ts), and this set never depends on them.
 */
import { DEFAULT_TTL, DnsRecordSpec } from "../dns-record";
import { dkimTxtValue } from "../dkim";
import { quoteTxt } from "../dns-format";
import { planResendDashboardRecords } from "../resend/records";
import { planCaaRecords } from "../render/acme";
import { planWellKnown, WellKnownPlan } from "../well-known/plan";
import { assertSafe, isAddress } from "../mail-syntax";
import type { MailDomain } from "./mail-domains";

/**
 * `v=DMARC1; p=…;` with the aggregate-report addresses as `mailto:` URIs. The only place `mailto:` is added; an
 * address that would break the URI list (`,` separates URIs, `!` starts a size limit, `;` ends the tag) is refused.
 */
export function dmarcValue(dmarc: MailDomain["dmarc"]): string {
  for (const a of dmarc.rua) assertSafe(a, isAddress(a), "the DMARC record's rua");
  const rua = dmarc.rua.length ? ` rua=${dmarc.rua.map((a) => `mailto:${a}`).join(",")};` : "";
  return `v=DMARC1; p=${dmarc.policy};${rua}`;
}

/** The name of the domain's DKIM record. */
export function dkimRecordName(domain: Pick<MailDomain, "name" | "dkim">): string {
  return `${domain.dkim.selector}._domainkey.${domain.name}`;
}

/** Values made by resources that some records' contents use. */
export interface MadeValues {
  /** The base64 SubjectPublicKeyInfo of the key the server signs with (Rspamd or OpenDKIM). */
  dkimPublicKey: string;
  /** The renewer's ACME account URI (tls.mode acme), named by the CAA record. */
  acmeAccountUri: string;
}

/** Stand-ins for the made values before they exist: they give the set, and every content that uses neither. */
export const NOT_YET_MADE: MadeValues = { dkimPublicKey: "", acmeAccountUri: "" };

/** The made value a record's content uses, if any: only that record has to wait for its resource. */
export function madeValueOf(domain: MailDomain, record: DnsRecordSpec): keyof MadeValues | undefined {
  if (record.type === "TXT" && record.name === dkimRecordName(domain)) return "dkimPublicKey";
  if (record.type === "CAA" && record.name === domain.mailHost) return "acmeAccountUri";
  return undefined;
}

/** The domain's MTA-STS, TLS-RPT, SRV and autoconfiguration: its records, and what the Worker serves. */
export function planDomainWellKnown(domain: MailDomain): WellKnownPlan {
  return planWellKnown({ domain: domain.name, hostname: domain.mailHost, setup: domain.clientSetup });
}

/**
 * The HTTPS host a record announces (`_mta-sts` announces the policy host), if any: senders that find the
 * record fetch from the host at once, so the record is published only once the host serves.
 */
export function announcedHostOf(domain: MailDomain, record: DnsRecordSpec): string | undefined {
  return planDomainWellKnown(domain).announcements.find(
    (a) => a.record.type === record.type && a.record.name === record.name,
  )?.host;
}

const record = (
  type: DnsRecordSpec["type"],
  name: string,
  content: string,
  comment: string,
  priority?: number,
): DnsRecordSpec => ({
  type,
  name,
  content,
  ...(priority === undefined ? {} : { priority }),
  ttl: DEFAULT_TTL,
  comment,
});

/** The domain's records; the set (types and names) is the same for any made values (`NOT_YET_MADE`). */
export function planDomainRecords(domain: MailDomain, made: MadeValues): DnsRecordSpec[] {
  const { ipv4, ipv6, acme } = domain.host ?? {};
  const records: DnsRecordSpec[] = [];
  if (ipv4) records.push(record("A", domain.mailHost, ipv4, "mail server address"));
  if (ipv6) records.push(record("AAAA", domain.mailHost, ipv6, "mail server address (IPv6)"));
  records.push(
    record("MX", domain.name, domain.mailHost, "inbound mail goes to the mail server", 10),
    record("TXT", domain.name, quoteTxt("v=spf1 mx -all"), "SPF: only the MX host sends as the domain"),
    record("TXT", `_dmarc.${domain.name}`, quoteTxt(dmarcValue(domain.dmarc)), "DMARC policy"),
    record("TXT", dkimRecordName(domain), quoteTxt(dkimTxtValue(made.dkimPublicKey)), "DKIM key the server signs with"),
  );
  const resend = domain.resend;
  if (resend && !resend.provisioned && resend.dkim)
    records.push(...planResendDashboardRecords({ ...resend, domain: domain.name, dkim: resend.dkim }));
  const wellKnown = planDomainWellKnown(domain);
  records.push(...wellKnown.records, ...wellKnown.announcements.map((a) => a.record));
  for (const other of domain.dmarcReportsFor ?? [])
    records.push(
      record(
        "TXT",
        `${other}._report._dmarc.${domain.name}`,
        quoteTxt("v=DMARC1"),
        `accepts ${other}'s DMARC reports (RFC 7489 §7.1)`,
      ),
    );
  if (acme) records.push(...planCaaRecords({ hostname: domain.mailHost, acme, accountUri: made.acmeAccountUri }));
  return records;
}

/**
 * What the domain's zone will hold, as far as config knows before anything exists: its records (the DKIM key
 * and the ACME account not made yet) and, when Resend is provisioned, the set Resend documents, whose
 * contents only its API will give. What the records already in the zone are checked against
 * (lib/dns-adoption.ts), which goes by type, name and kind.
 */
export function planZoneRecords(domain: MailDomain): DnsRecordSpec[] {
  const resend = domain.resend;
  return [
    ...planDomainRecords(domain, NOT_YET_MADE),
    ...(resend?.provisioned ? planResendDashboardRecords({ ...resend, domain: domain.name, dkim: "p=" }) : []),
  ];
}
