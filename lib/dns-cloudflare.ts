/**
 * Pure mapping from a planned DnsRecordSpec to `cloudflare.DnsRecord` arguments (minus zoneId), shared by the
 * main DNS component and the Resend component so both publish records the same way.
 */
import { DnsRecordSpec } from "./dns-record";
import { Caa, parseCaa, parseSrv, Srv } from "./dns-format";

export interface CloudflareRecordArgs {
  name: string;
  type: string;
  /** Absent for CAA and SRV, which Cloudflare takes as structured `data`. */
  content?: string;
  priority?: number;
  ttl: number;
  /** Always false: mail records must not go through Cloudflare's proxy (Resend's docs insist on grey cloud). */
  proxied: false;
  comment: string;
  data?: Caa | (Srv & { priority: number });
}

/** Cloudflare caps comments at 100 characters on the free plan. */
const COMMENT_MAX = 100;

/**
 * Starts the comment of every record mailstack writes, so a later run tells its own records from ones made by
 * hand (lib/dns-adoption.ts); the comment after it may be reworded freely.
 */
export const COMMENT_MARKER = "mailstack: ";

export function dnsSpecToCloudflareArgs(spec: DnsRecordSpec): CloudflareRecordArgs {
  const full = COMMENT_MARKER + spec.comment;
  const comment = full.length > COMMENT_MAX ? `${full.slice(0, COMMENT_MAX - 1)}…` : full;
  const base = { name: spec.name, type: spec.type, ttl: spec.ttl, proxied: false as const, comment };
  if (spec.type === "CAA") return { ...base, data: parseCaa(spec.content) };
  // SRV fields go in `data`, the priority with them (the API answers "priority is a required data field";
  // terraform-provider-cloudflare v5 ignores a top-level one alone, issue #6651). The provider's own SRV
  // acceptance test (v5.22.0 internal/services/dns_record/testdata/record_config_srv.tf) sets the same priority
  // at the top level too and reads `content` back as "weight port target": so do we.
  if (spec.type === "SRV") {
    const priority = spec.priority ?? 0;
    return { ...base, priority, data: { priority, ...parseSrv(spec.content) } };
  }
  const args: CloudflareRecordArgs = { ...base, content: spec.content };
  if (spec.type === "MX") args.priority = spec.priority ?? 10;
  return args;
}
