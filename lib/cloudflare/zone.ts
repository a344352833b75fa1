/**
 * The zone the records go to and what it already holds, read before anything is planned. mailstack looks the
 * zone up itself rather than through the provider's `cloudflare.getZone` data source: with no match that
 * fails first with "failed to find exactly one result", and the message that says which key to fix was never
 * seen.
 */
import { CloudflareConnection, CloudflareRecord, findZones, listDnsRecords } from "./api";

export interface ZoneContents {
  id: string;
  name: string;
  /** Every record in the zone now. */
  records: CloudflareRecord[];
  /** Worth saying, not worth stopping for. */
  warnings: string[];
}

const covers = (zone: string, domain: string) => domain === zone || domain.endsWith(`.${zone}`);

export async function readZone(conn: CloudflareConnection, domain: string, zoneId?: string): Promise<ZoneContents> {
  if (zoneId) {
    // Only DNS permissions are needed here: the records list names its zone (zone_name).
    const records = await listDnsRecords(conn, zoneId);
    const zoneName = records.find((r) => r.zone_name)?.zone_name;
    if (zoneName && !covers(zoneName, domain))
      throw new Error(
        `mailstack:cloudflareZoneId ${zoneId} is the zone of ${zoneName}, not of ${domain}; set the ID shown on ${domain}'s Overview page in the Cloudflare dashboard, or remove mailstack:cloudflareZoneId to look the zone up by name`,
      );
    return { id: zoneId, name: zoneName ?? domain, records, warnings: [] };
  }
  // A domain hosted below another (lists.example.com) lives in the zone of the nearest parent Cloudflare holds.
  let zones = await findZones(conn, domain);
  for (const parent of parentNames(domain)) {
    if (zones.length > 0) break;
    zones = await findZones(conn, parent);
  }
  if (zones.length === 0)
    throw new Error(
      `mailstack:domain: no Cloudflare zone named ${domain}${parentNames(domain).length ? " or a parent of it" : ""} is visible to cloudflare:apiToken; add the domain to Cloudflare (or give the token access to its zone), or set mailstack:cloudflareZoneId`,
    );
  if (zones.length > 1)
    throw new Error(
      `mailstack:domain: cloudflare:apiToken sees ${zones.length} zones named ${zones[0].name} (${zones.map((z) => `${z.id} in ${z.account?.name ?? "an account"}, ${z.status}`).join("; ")}); set mailstack:cloudflareZoneId to the one to use`,
    );
  const zone = zones[0];
  const warnings =
    zone.status === "active"
      ? []
      : [
          `The Cloudflare zone ${domain} is ${zone.status}: its records are published, but the internet sees them only once the registrar points ${domain} at Cloudflare's nameservers.`,
        ];
  return { id: zone.id, name: zone.name, records: await listDnsRecords(conn, zone.id), warnings };
}

/** `a.b.example.com` → `b.example.com`, `example.com`: the names a zone holding it may have (not the TLD). */
function parentNames(domain: string): string[] {
  const labels = domain.split(".");
  return labels.slice(1, -1).map((_, i) => labels.slice(i + 1).join("."));
}
