/**
 * The one shape every planned DNS record takes, whoever planned it (our own records, or the ones Resend
 * returns): rendered by pure functions, turned into Cloudflare records by components, exported as a table
 * and as zone-file text, and checked against live DNS by `mailstack doctor`. The schema is part of the
 * program↔doctor contract (lib/planned.ts); the type is derived from it.
 */
import { isIPv4, isIPv6 } from "node:net";
import { z } from "zod";
import { isDnsName, parseCaa, parseSrv, txtStrings } from "./dns-format";

export const DNS_RECORD_TYPES = ["A", "AAAA", "MX", "TXT", "CNAME", "CAA", "SRV"] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

const dnsName = z.string().refine(isDnsName, "is not a DNS name in lower case without the trailing dot");

export const dnsRecordSchema = z
  .object({
    /** Record type. */
    type: z.enum(DNS_RECORD_TYPES),
    /** Fully qualified name, lower case, no trailing dot (Cloudflare reads names back as FQDNs). */
    name: dnsName,
    /**
     * Record content. TXT content is in presentation form: one or more quoted character-strings of at most
     * 255 bytes each, separated by one space (`"v=DKIM1; …" "…"`). MX/CNAME targets have no trailing dot.
     * CAA content is `<flags> <tag> "<value>"`. SRV content is `<weight> <port> <target>` (the target without the
     * trailing dot, or `.` for a service not offered), its priority in `priority`.
     */
    content: z.string(),
    /** MX or SRV priority (required for SRV). */
    priority: z.number().int().min(0).max(65535).optional(),
    /** TTL in seconds. */
    ttl: z.number().int().positive(),
    /** Why the record exists (shown in the Cloudflare dashboard and in the zone file). */
    comment: z.string(),
  })
  .superRefine((record, ctx) => {
    const problem = contentProblem(record.type, record.content);
    if (problem) ctx.addIssue({ code: "custom", path: ["content"], message: problem });
    if (record.type === "SRV" && record.priority === undefined)
      ctx.addIssue({ code: "custom", path: ["priority"], message: "is required for an SRV record" });
  });

export type DnsRecordSpec = z.infer<typeof dnsRecordSchema>;

/** Why `content` cannot be the content of a `type` record, or undefined when it can. */
function contentProblem(type: DnsRecordType, content: string): string | undefined {
  switch (type) {
    case "A":
      return isIPv4(content) ? undefined : "is not an IPv4 address";
    case "AAAA":
      return isIPv6(content) ? undefined : "is not an IPv6 address";
    case "MX":
    case "CNAME":
      return isDnsName(content) ? undefined : "is not a host name in lower case without the trailing dot";
    case "TXT":
      if (!content.trim().startsWith('"')) return 'is not quoted character-strings ("…" "…")';
      try {
        const long = txtStrings(content).find((s) => Buffer.byteLength(s) > 255);
        return long === undefined ? undefined : "has a character-string longer than 255 bytes";
      } catch (error) {
        return (error as Error).message;
      }
    case "CAA":
    case "SRV":
      try {
        (type === "CAA" ? parseCaa : parseSrv)(content);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
  }
}

/** TTL used for every record we publish: stable (never "auto") so re-runs and refreshes show no diff. */
export const DEFAULT_TTL = 3600;
