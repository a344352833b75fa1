import { DnsRecordSpec } from "../dns-record";

const fqdn = (name: string) => `${name}.`;

/** BIND zone-file text of the planned records, for users whose DNS host is not managed by the program. */
export function renderZoneFile(domain: string, records: DnsRecordSpec[]): string {
  const width = Math.max(...records.map((r) => fqdn(r.name).length), 1);
  const lines = records.map((r) => {
    const rdata =
      r.type === "MX" ? `${r.priority ?? 10} ${fqdn(r.content)}` : r.type === "CNAME" ? fqdn(r.content) : r.content;
    return `${fqdn(r.name).padEnd(width)} ${r.ttl} IN ${r.type.padEnd(5)} ${rdata} ; ${r.comment}`;
  });
  return [`; mailstack records for ${domain}`, `$ORIGIN ${fqdn(domain)}`, ...lines, ""].join("\n");
}
