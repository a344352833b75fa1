import { planWellKnown } from "../well-known/plan";
import { DEFAULT_TTL, DnsRecordSpec } from "../dns-record";
import { dkimTxtValue } from "../dkim";
import { quoteTxt } from "../dns-format";
import { planCaaRecords } from "./acme";
import type { MailConfig } from "../config-types";

export type DmarcPolicy = "none" | "quarantine" | "reject";

export interface DnsPlanInput {
  domain: string;
  hostname: string;
  serverIp?: string;
  serverIpv6?: string;
  dmarc: { policy: DmarcPolicy; rua?: string };
}

/** `v=DMARC1; p=…;` with an aggregate-report address when one is configured. */
export function dmarcValue(dmarc: { policy: DmarcPolicy; rua?: string }): string {
  const rua = dmarc.rua ? ` rua=${dmarc.rua.startsWith("mailto:") ? dmarc.rua : `mailto:${dmarc.rua}`};` : "";
  return `v=DMARC1; p=${dmarc.policy};${rua}`;
}

/**
 * The server's records known from config alone: A/AAAA for the hostname, MX, one SPF and DMARC. The DKIM
 * record waits on the key (`planDkimRecord`), so only it depends on the key resource; the relay's records
 * come from `planResendManualRecords` or from Resend's API.
 */
export function planDnsRecords(p: DnsPlanInput): DnsRecordSpec[] {
  const rec = (
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
  const records: DnsRecordSpec[] = [];
  if (p.serverIp) records.push(rec("A", p.hostname, p.serverIp, "mail server address"));
  if (p.serverIpv6) records.push(rec("AAAA", p.hostname, p.serverIpv6, "mail server address (IPv6)"));
  records.push(
    rec("MX", p.domain, p.hostname, "inbound mail goes to the mail server", 10),
    rec("TXT", p.domain, quoteTxt("v=spf1 mx -all"), "SPF: only the MX host sends as the domain"),
    rec("TXT", `_dmarc.${p.domain}`, quoteTxt(dmarcValue(p.dmarc)), "DMARC policy"),
  );
  return records;
}

/** `<selector>._domainkey` TXT with the server's DKIM public key (base64 SubjectPublicKeyInfo). */
export function planDkimRecord(p: { domain: string; selector: string; publicKey: string }): DnsRecordSpec {
  return {
    type: "TXT",
    name: `${p.selector}._domainkey.${p.domain}`,
    content: quoteTxt(dkimTxtValue(p.publicKey)),
    ttl: DEFAULT_TTL,
    comment: "DKIM key the server signs with",
  };
}

export interface ResendManualInput {
  domain: string;
  region: string;
  returnPath: string;
  /** The `resend._domainkey` value Resend shows for the domain (`p=…`). */
  dkim: string;
}

/** Resend's records as its dashboard lists them, for users who configure `resend.dkim` by hand. */
export function planResendManualRecords(r: ResendManualInput): DnsRecordSpec[] {
  const sendName = `${r.returnPath}.${r.domain}`;
  return [
    {
      type: "MX",
      name: sendName,
      content: `feedback-smtp.${r.region}.amazonses.com`,
      priority: 10,
      ttl: DEFAULT_TTL,
      comment: "Resend: bounces and feedback for the return path",
    },
    {
      type: "TXT",
      name: sendName,
      content: quoteTxt("v=spf1 include:amazonses.com ~all"),
      ttl: DEFAULT_TTL,
      comment: "Resend: SPF for the return path",
    },
    {
      type: "TXT",
      name: `resend._domainkey.${r.domain}`,
      content: quoteTxt(r.dkim),
      ttl: DEFAULT_TTL,
      comment: "Resend: DKIM key Resend signs with",
    },
  ];
}

/** What the relay publishes from config: Resend's records on the manual path (`resend.dkim`), else none. */
export function planRelayRecords(cfg: Pick<MailConfig, "domain" | "relay" | "resend">): DnsRecordSpec[] {
  if (cfg.relay.provider !== "resend" || cfg.resend.apiKey || !cfg.resend.dkim) return [];
  return planResendManualRecords({ ...cfg.resend, domain: cfg.domain, dkim: cfg.resend.dkim });
}

/**
 * Every record the stack will publish, as far as config knows it before anything exists: the server's, the
 * DKIM record (its key not made yet), the relay's, the client-setup records (TLS-RPT, SRV, `_mta-sts`),
 * and — when Resend is provisioned — Resend's documented set
 * (return-path MX and SPF, `resend._domainkey`), whose contents only Resend's API will give. Enough to tell
 * which records already in the zone stand in the way (lib/dns-adoption.ts), which goes by type, name and kind.
 */
export function planZoneRecords(cfg: MailConfig): DnsRecordSpec[] {
  const provisioned = cfg.relay.provider === "resend" && !!cfg.resend.apiKey;
  const wellKnown = planWellKnown({ domain: cfg.domain, hostname: cfg.hostname, setup: cfg.clientSetup });
  return [
    ...planDnsRecords(cfg),
    planDkimRecord({ domain: cfg.domain, selector: cfg.dkim.selector, publicKey: "" }),
    ...planRelayRecords(cfg),
    ...(provisioned ? planResendManualRecords({ ...cfg.resend, domain: cfg.domain, dkim: "p=" }) : []),
    ...(cfg.tls.acme ? planCaaRecords({ hostname: cfg.hostname, acme: cfg.tls.acme, accountUri: "" }) : []),
    ...wellKnown.records,
    ...wellKnown.announcements.map((a) => a.record),
  ];
}
