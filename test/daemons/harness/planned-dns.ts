import type { DNSResolver } from "mailauth";
import { DnsRecordSpec } from "../../../lib/dns-record";
import { normalizeName, parseCaa, txtStrings } from "../../../lib/dns-format";
import { ZoneRecord } from "../../support/dns-server";

export { txtStrings };

/** mailauth's resolver: TXT as arrays of character-strings, A as strings; MX objects are cast (its type omits them). */
export type PlannedResolver = DNSResolver;

/**
 * Stand-in for amazonses.com's SPF record, which Resend's `send.<domain>` SPF includes. The real one lists
 * Amazon's sending ranges; here the capture relay (127.0.0.1) is the one that "sends", so the stand-in names it.
 */
export const AMAZONSES_SPF_STAND_IN: DnsRecordSpec = {
  type: "TXT",
  name: "amazonses.com",
  content: '"v=spf1 ip4:127.0.0.1 -all"',
  ttl: 3600,
  comment: "STAND-IN for amazonses.com's SPF: the loopback capture relay plays Amazon SES's sending IP",
};

function notFound(name: string, rrtype: string): Error {
  return Object.assign(new Error(`queryTxt ENOTFOUND ${name} (${rrtype}) is not a planned record`), {
    code: "ENOTFOUND",
  });
}

/** A DNS resolver for mailauth that answers only from the planned records (plus explicit stand-ins). */
export function plannedResolver(planned: DnsRecordSpec[], standIns: DnsRecordSpec[] = []): PlannedResolver {
  const records = [...planned, ...standIns];
  return async (name, rrtype) => {
    const wanted = normalizeName(name);
    const matches = records.filter((r) => r.name === wanted && r.type === rrtype.toUpperCase());
    if (!matches.length) throw notFound(wanted, rrtype);
    switch (rrtype.toUpperCase()) {
      case "TXT":
        return matches.map((r) => txtStrings(r.content));
      case "MX":
        return matches.map((r) => ({ exchange: r.content, priority: r.priority ?? 10 })) as unknown as string[];
      default:
        return matches.map((r) => r.content);
    }
  };
}

/** The planned records as a zone the test's DNS server serves (what Cloudflare would publish). */
export function plannedZone(planned: DnsRecordSpec[]): ZoneRecord[] {
  return planned.map((r): ZoneRecord => {
    switch (r.type) {
      case "TXT":
        return { name: r.name, type: "TXT", data: txtStrings(r.content) };
      case "MX":
        return { name: r.name, type: "MX", data: { preference: r.priority ?? 10, exchange: r.content } };
      case "CAA":
        return { name: r.name, type: "CAA", data: parseCaa(r.content) };
      default:
        return { name: r.name, type: r.type, data: r.content };
    }
  });
}
