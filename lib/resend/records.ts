/**
 * Pure conversion of the records Resend returns for a domain into our DnsRecordSpec shape.
 *
 * Resend has changed its record set over time (one `resend._domainkey` TXT vs three CNAMEs, SPF on `send` or
 * `bounces`, optional tracking CNAME/CAA and receiving MX), so nothing here is keyed on a record's name or
 * kind: every record becomes a spec, and only the wire formats are normalised.
 */
import { DEFAULT_TTL, DnsRecordSpec, DnsRecordType } from "../dns-record";
import { quoteTxt, unquoteTxt } from "../render/txt";

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

const SUPPORTED: readonly DnsRecordType[] = ["A", "AAAA", "MX", "TXT", "CNAME", "CAA"];

/** Lower-case, no trailing dot. */
function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.+$/, "");
}

/**
 * Resend mixes relative names (`send`, `resend._domainkey`), the apex (`@` or empty) and FQDNs, with or
 * without a trailing dot. Cloudflare reads names back as FQDNs, so we always write the FQDN.
 */
export function resendNameToFqdn(name: string, domain: string): string {
  const apex = normaliseDomain(domain);
  const raw = (name ?? "").trim().toLowerCase();
  if (raw === "" || raw === "@" || raw === ".") return apex;
  if (raw.endsWith(".")) return raw.replace(/\.+$/, "");
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
export function caaToPresentation(value: string): string {
  const m = value.trim().match(/^(?:(\d+)\s+)?([A-Za-z0-9]+)\s+(.+)$/);
  if (!m) throw new Error(`Resend returned a CAA record value that is not "flags tag value": ${JSON.stringify(value)}`);
  const flags = m[1] ?? "0";
  const tag = m[2].toLowerCase();
  const v = unquote(m[3]);
  return `${flags} ${tag} "${v}"`;
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

/** Convert every record Resend returns into a DnsRecordSpec (see the module comment). */
export function resendRecordsToDnsSpecs(records: readonly ResendDnsRecord[], domain: string): DnsRecordSpec[] {
  return records.map((r) => {
    const type = String(r.type ?? "")
      .trim()
      .toUpperCase() as DnsRecordType;
    if (!SUPPORTED.includes(type)) {
      throw new Error(
        `Resend returned a ${JSON.stringify(r.type)} record for ${r.name}; mailstack can publish ${SUPPORTED.join(", ")}`,
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
        content = r.value.trim().toLowerCase().replace(/\.+$/, "");
        break;
      default:
        content = r.value.trim();
    }
    const spec: DnsRecordSpec = { type, name, content, ttl: ttlOf(r.ttl), comment: commentOf(r) };
    if (type === "MX") spec.priority = typeof r.priority === "number" ? r.priority : 10;
    return spec;
  });
}

/**
 * Stable, unique resource-name suffixes for a list of specs (`txt-send.example.com`): derived from type and
 * name so a re-run maps each record to the same Pulumi resource; same type+name pairs (e.g. two MX) get
 * `-2`, `-3` in content order so the mapping does not depend on the order Resend lists them in.
 */
export function dnsSpecKeys(specs: readonly DnsRecordSpec[]): string[] {
  const groups = new Map<string, number[]>();
  specs.forEach((s, i) => {
    const k = `${s.type.toLowerCase()}-${s.name}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  const keys: string[] = new Array(specs.length);
  for (const [k, idx] of groups) {
    const ordered = [...idx].sort((a, b) =>
      specs[a].content < specs[b].content ? -1 : specs[a].content > specs[b].content ? 1 : a - b,
    );
    ordered.forEach((i, n) => (keys[i] = n === 0 ? k : `${k}-${n + 1}`));
  }
  return keys;
}
