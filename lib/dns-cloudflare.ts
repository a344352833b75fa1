/**
 * Pure mapping from a planned DnsRecordSpec to `cloudflare.DnsRecord` arguments (minus zoneId), shared by the
 * main DNS component and the Resend component so both publish records the same way.
 */
import { DnsRecordSpec } from "./dns-record";
import { Caa, parseCaa } from "./dns-format";

export interface CloudflareRecordArgs {
  name: string;
  type: string;
  /** Absent for CAA, which Cloudflare takes as structured `data`. */
  content?: string;
  priority?: number;
  ttl: number;
  /** Always false: mail records must not go through Cloudflare's proxy (Resend's docs insist on grey cloud). */
  proxied: false;
  comment: string;
  data?: Caa;
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
  const args: CloudflareRecordArgs = { ...base, content: spec.content };
  if (spec.type === "MX") args.priority = spec.priority ?? 10;
  return args;
}
