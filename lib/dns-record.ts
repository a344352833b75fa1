/**
 * The one shape every planned DNS record takes, whoever planned it (our own records, or the ones Resend
 * returns): rendered by pure functions, turned into Cloudflare records by components, exported as a table
 * and as zone-file text, and checked against live DNS by `mailstack doctor`.
 */
export type DnsRecordType = "A" | "AAAA" | "MX" | "TXT" | "CNAME" | "CAA";

export interface DnsRecordSpec {
  /** Record type. */
  type: DnsRecordType;
  /** Fully qualified name, lower case, no trailing dot (Cloudflare reads names back as FQDNs). */
  name: string;
  /**
   * Record content. TXT content is in presentation form: one or more quoted character-strings of at most
   * 255 bytes each, separated by one space (`"v=DKIM1; …" "…"`). MX/CNAME targets have no trailing dot.
   * CAA content is `<flags> <tag> "<value>"`.
   */
  content: string;
  /** MX priority. */
  priority?: number;
  /** TTL in seconds. */
  ttl: number;
  /** Why the record exists (shown in the Cloudflare dashboard and in the zone file). */
  comment: string;
}

/** TTL used for every record we publish: stable (never "auto") so re-runs and refreshes show no diff. */
export const DEFAULT_TTL = 3600;
