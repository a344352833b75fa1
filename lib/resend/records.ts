/**
 * Resend's records in our DnsRecordSpec shape: the ones its API returns for a domain, and the ones its
 * dashboard lists (typed in by hand from config).
 *
 * Resend has changed its record set over time (one `resend._domainkey` TXT vs three CNAMEs, SPF on `send` or
 * `bounces`, optional tracking CNAME/CAA and receiving MX), so nothing here is keyed on a record's name or
 * kind: every record the API returns becomes a spec, and only the wire formats are normalised.
 */
import { DEFAULT_TTL, DNS_RECORD_TYPES, DnsRecordSpec, DnsRecordType } from "../dns-record";
import { formatCaa, normalizeName, parseCaa, quoteTxt, unquoteTxt } from "../dns-format";

/** The subset of Resend's `DomainRecords` union we read (the SDK types are wider and change often). */
export interface ResendDnsRecord {
  /** What Resend calls the record: SPF, DKIM, Receiving, Tracking, TrackingCAA … (comment only). */
  record?: string;
  name: string;
  type: string;
  value: string;
  /** Usually "Auto"; a number of seconds is honoured. */
  ttl?: string | number;
  priority?: number;
  status?: string;
}

/**
 * Resend mixes relative names (`send`, `resend._domainkey`), the apex (`@` or empty) and FQDNs, with or
 * without a trailing dot. Cloudflare reads names back as FQDNs, so we always write the FQDN.
 */
export function resendNameToFqdn(name: string, domain: string): string {
  const apex = normalizeName(domain);
  const raw = (name ?? "").trim().toLowerCase();
  if (raw === "" || raw === "@" || raw === ".") return apex;
  if (raw.endsWith(".")) return normalizeName(raw);
  if (raw === apex || raw.endsWith(`.${apex}`)) return raw;
  return `${raw}.${apex}`;
}

/** Resend's value without its own quotes (it quotes some TXT values); odd quoting is kept as it came. */
function unquote(value: string): string {
  try {
    return unquoteTxt(value);
  } catch {
    return value.trim();
  }
}

/** Resend's TXT value (bare, or quoted with Resend's own quotes) in our presentation form. */
export function txtToPresentation(value: string): string {
  return quoteTxt(unquote(value));
}

/** CAA as `flags tag "value"`; accepts Resend's `0 issue "amazon.com"` or a bare `issue amazon.com`. */
function caaToPresentation(value: string): string {
  try {
    return formatCaa(parseCaa(value));
  } catch {
    throw new Error(`Resend returned a CAA record value that is not "flags tag value": ${JSON.stringify(value)}`);
  }
}

function ttlOf(ttl: string | number | undefined): number {
  const n = typeof ttl === "number" ? ttl : Number(String(ttl ?? "").trim());
  // "Auto" (or anything non-numeric) becomes our stable TTL, so refreshes show no diff.
  return Number.isInteger(n) && n >= 60 && n <= 86400 ? n : DEFAULT_TTL;
}

function commentOf(r: ResendDnsRecord): string {
  const kind = r.record ? `${r.record} ` : "";
  return `Resend ${kind}record (${r.type.toUpperCase()}), required to send through Resend`;
}

/**
 * The types taken from Resend: every type we publish but SRV, whose priority and fields would need a value
 * format Resend does not document (the records it returns are MX, TXT, CNAME and CAA).
 */
const RESEND_TYPES: readonly DnsRecordType[] = DNS_RECORD_TYPES.filter((t) => t !== "SRV");

/** Convert every record Resend returns into a DnsRecordSpec (see the module comment). */
export function resendRecordsToDnsSpecs(records: readonly ResendDnsRecord[], domain: string): DnsRecordSpec[] {
  return records.map((r) => {
    const type = String(r.type ?? "")
      .trim()
      .toUpperCase() as DnsRecordType;
    if (!RESEND_TYPES.includes(type)) {
      throw new Error(
        `Resend returned a ${JSON.stringify(r.type)} record for ${r.name}; mailstack can publish ${RESEND_TYPES.join(", ")}`,
      );
    }
    const name = resendNameToFqdn(r.name, domain);
    let content: string;
    switch (type) {
      case "TXT":
        content = txtToPresentation(r.value);
        break;
      case "CAA":
        content = caaToPresentation(r.value);
        break;
      case "CNAME":
      case "MX":
        content = normalizeName(r.value);
        break;
      default:
        content = r.value.trim();
    }
    const spec: DnsRecordSpec = { type, name, content, ttl: ttlOf(r.ttl), comment: commentOf(r) };
    if (type === "MX") spec.priority = typeof r.priority === "number" ? r.priority : 10;
    return spec;
  });
}

export interface ResendDashboardInput {
  domain: string;
  region: string;
  returnPath: string;
  /** The `resend._domainkey` value Resend shows for the domain (`p=…`). */
  dkim: string;
}

/**
 * Resend's records as its dashboard lists them (return-path MX and SPF, `resend._domainkey`), for users who
 * type `resend.dkim` in by hand; with provisioning, the set the API is expected to return.
 */
export function planResendDashboardRecords(r: ResendDashboardInput): DnsRecordSpec[] {
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
