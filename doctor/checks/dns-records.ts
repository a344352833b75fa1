import { DnsRecordSpec } from "../../lib/dns-record";
import { formatCaa, formatSrv, normalizeName, parseCaa, parseSrv, recordKey, unquoteTxt } from "../../lib/dns-format";
import { publishFix } from "../lib/fix";
import { DoctorContext } from "../context";
import { CheckResult, errorText, fail, pass } from "../types";

const GROUP = "DNS records";

/**
 * Every planned record must be published with exactly the planned content, and nothing of the same kind
 * may sit next to it (a second MX pointing elsewhere, a second SPF or DMARC record, a stale A record).
 */
export async function checkPlannedRecords(context: DoctorContext): Promise<CheckResult[]> {
  const groups = new Map<string, DnsRecordSpec[]>();
  for (const record of context.planned.dnsRecords)
    groups.set(recordKey(record), [...(groups.get(recordKey(record)) ?? []), record]);
  return Promise.all([...groups.values()].map((records) => checkRecordSet(context, records)));
}

async function checkRecordSet(context: DoctorContext, planned: DnsRecordSpec[]): Promise<CheckResult> {
  const { type, name } = { type: planned[0].type, name: normalizeName(planned[0].name) };
  const key = `${type} ${name}`;
  const why = planned[0].comment ? ` (${planned[0].comment})` : "";
  let published: string[];
  try {
    published = await publishedValues(context, type, name);
  } catch (error) {
    return fail(
      GROUP,
      key,
      `could not query ${context.dns.description}: ${errorText(error)}`,
      `Check that the resolver answers, or pass --resolver <ip[:port]>.`,
    );
  }
  const wanted = planned.map((record) => ({ record, value: plannedValue(record) }));
  const missing = wanted.filter((w) => !published.includes(w.value));
  // Other TXT records (site verifications…) may share a name; only a record of the same kind conflicts.
  const comparable =
    type === "TXT" ? published.filter((value) => wanted.some((w) => sameTxtKind(value, w.value))) : published;
  const extra = comparable.filter((value) => !wanted.some((w) => w.value === value));

  if (missing.length === 0 && extra.length === 0) {
    return pass(GROUP, key, `${wanted.map((w) => show(type, w.value)).join(", ")}${why}`);
  }
  const problems: string[] = [];
  if (missing.length) problems.push(`missing ${missing.map((m) => show(type, m.value)).join(", ")}`);
  if (extra.length)
    problems.push(
      `${type === "MX" ? "extra MX pointing elsewhere" : "conflicting extra record"}: ${extra.map((e) => show(type, e)).join(", ")}`,
    );
  if (!published.length) problems.push("nothing published");
  const fixes: string[] = [];
  // mailstack never publishes these: they were made elsewhere (mailstack marks its own with "mailstack:").
  if (extra.length)
    fixes.push(
      `Remove the other ${type} record${extra.length > 1 ? "s" : ""} at ${name} (${extra.map((e) => show(type, e)).join(", ")}): mailstack did not make ${extra.length > 1 ? "them" : "it"}.`,
    );
  if (missing.length) {
    const fix = publishFix(missing.map((m) => m.record));
    fixes.push(fix.charAt(0).toUpperCase() + fix.slice(1));
  }
  return fail(GROUP, key, problems.join("; ") + why, fixes.join(" "));
}

/** Live values in the same normal form as `plannedValue`. */
async function publishedValues(context: DoctorContext, type: DnsRecordSpec["type"], name: string): Promise<string[]> {
  const dns = context.dns;
  switch (type) {
    case "A":
      return dns.a(name);
    case "AAAA":
      return (await dns.aaaa(name)).map((ip) => ip.toLowerCase());
    case "MX":
      return (await dns.mx(name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case "TXT":
      return dns.txt(name);
    case "CNAME":
      return dns.cname(name);
    case "CAA":
      return (await dns.caa(name)).map(formatCaa);
    case "SRV":
      return (await dns.srv(name)).map((srv) => `${srv.priority} ${formatSrv(srv)}`);
  }
}

/**
 * A planned record's content in comparable form: TXT strings joined, names lower case without the dot, MX and
 * SRV with their priority first.
 */
export function plannedValue(record: DnsRecordSpec): string {
  switch (record.type) {
    case "TXT":
      return unquoteTxt(record.content);
    case "MX":
      return `${record.priority ?? 10} ${normalizeName(record.content)}`;
    case "CNAME":
      return normalizeName(record.content);
    case "AAAA":
      return record.content.toLowerCase();
    case "CAA":
      return formatCaa(parseCaa(record.content));
    case "SRV":
      return `${record.priority ?? 0} ${formatSrv(parseSrv(record.content))}`;
    default:
      return record.content.trim();
  }
}

/** Two TXT values are of the same kind when they declare the same version tag (v=spf1, v=DKIM1, v=DMARC1, …). */
export function sameTxtKind(a: string, b: string): boolean {
  const kind = (value: string) =>
    /^v=([a-z0-9]+)/i.exec(value.trim())?.[1].toLowerCase() ?? (/^(k=|p=)/i.test(value.trim()) ? "dkim1" : undefined);
  const ka = kind(a);
  return ka !== undefined && ka === kind(b);
}

const show = (type: string, value: string) => (type === "TXT" ? `"${abbreviate(value)}"` : value);

/** Shortens long values (DKIM keys) for a one-line detail. */
function abbreviate(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max - 12)}…${value.slice(-10)} (${value.length} chars)`;
}
