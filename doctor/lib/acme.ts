/**
 * Judgements about an automatically renewed certificate, pure: the CAA records that govern the mail host,
 * the renewer's last result, and whether the server presents the certificate the renewer published last.
 */
import { X509Certificate } from "node:crypto";
import { Caa, formatCaa } from "../../lib/dns-format";
import { EXPIRY_WARNING_DAYS } from "../../lib/tls-check";

import type { Verdict } from "../types";

/** The CAA RRset that governs `name` (RFC 8659 §3): the first non-empty one from the name up to the apex. */
export async function relevantCaa(
  name: string,
  lookup: (name: string) => Promise<Caa[]>,
): Promise<{ at: string; records: Caa[] } | undefined> {
  const labels = name.split(".");
  for (let i = 0; i < labels.length - 1; i++) {
    const at = labels.slice(i).join(".");
    const records = await lookup(at);
    if (records.length) return { at, records };
  }
  return undefined;
}

/** Does the governing CAA set let the renewer's CA (and account) issue for `hostname`, and only it? */
export function judgeCaa(
  hostname: string,
  expectedIssue: string,
  found: { at: string; records: Caa[] } | undefined,
): Verdict {
  const expected = formatCaa({ flags: 0, tag: "issue", value: expectedIssue });
  const fix = `Publish ${hostname} CAA ${expected} (pulumi up publishes it with managed DNS).`;
  if (!found) return { status: "warn", detail: "no CAA record governs the name: any CA may issue for it", fix };
  const issue = found.records.filter((r) => r.tag.toLowerCase() === "issue");
  const shown = found.records.map(formatCaa).join(", ");
  const ours = issue.some((r) => normalizeIssue(r.value) === normalizeIssue(expectedIssue));
  const issuer = expectedIssue.split(";")[0].trim().toLowerCase();
  const ourCa = issue.some((r) => r.value.split(";")[0].trim().toLowerCase() === issuer);
  if (!ours && !ourCa)
    return {
      status: "fail",
      detail: `the CAA records at ${found.at} (${shown}) do not allow ${issuer}: renewals will be refused`,
      fix,
    };
  if (found.at !== hostname || !ours)
    return { status: "warn", detail: `${hostname} is governed by the CAA records at ${found.at}: ${shown}`, fix };
  const others = issue.filter((r) => normalizeIssue(r.value) !== normalizeIssue(expectedIssue));
  if (others.length)
    return {
      status: "warn",
      detail: `besides the renewer's account, ${others.map(formatCaa).join(", ")} may issue for ${hostname}`,
      fix: `Remove the other issue records at ${hostname} unless you mean them.`,
    };
  return { status: "pass", detail: `${expected}: only the renewer's account may issue, over DNS-01` };
}

/** Parameters compared without regard to spacing or order. */
function normalizeIssue(value: string): string {
  const [issuer, ...params] = value.split(";").map((p) => p.trim());
  return [issuer.toLowerCase(), ...params.filter(Boolean).sort()].join(";");
}

/** The renewer's status file (`key=value` lines). */
export interface RenewerStatus {
  checked?: string;
  result?: string;
  detail?: string;
  published?: string;
}

export function parseStatus(text: string): RenewerStatus {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

const DAY_MS = 86_400_000;
/** docker-mailserver polls every 2 s and reloads; past this, a certificate not yet served is a fault. */
export const RELOAD_GRACE_MS = 10 * 60_000;

/** The certificate the renewer published last, its age, and the renewer's last result. */
export function judgeRenewal(latest: X509Certificate, status: RenewerStatus, checkHours: number, now: Date): Verdict {
  const expires = new Date(latest.validTo);
  const days = Math.floor((expires.getTime() - now.getTime()) / DAY_MS);
  const issuer = latest.issuer.split("\n").join(", ");
  const summary = `latest certificate: issued by ${issuer}, expires ${expires.toISOString().slice(0, 10)} (${days} days)`;
  const lastCheck = status.checked
    ? `last check ${status.checked}: ${status.result} (${status.detail})`
    : "no check recorded";
  const logs =
    "See the renewer's log (docker logs <renewer container>) and run a check now: docker exec <renewer container> /bin/sh /run/mailstack/renew.sh check";
  if (expires.getTime() <= now.getTime())
    return { status: "fail", detail: `${summary} — EXPIRED; ${lastCheck}`, fix: logs };
  const stale = status.checked && now.getTime() - Date.parse(status.checked) > 2 * (checkHours + 1) * 3_600_000;
  if (days < EXPIRY_WARNING_DAYS || status.result !== "ok" || stale)
    return {
      status: "warn",
      detail: `${summary}; ${lastCheck}${stale ? " — no check for two periods: is the renewer running?" : ""}`,
      fix: logs,
    };
  return { status: "pass", detail: `${summary}; ${lastCheck}` };
}

/** Is the presented certificate the latest published one? */
export function judgeServed(
  served: X509Certificate,
  latest: X509Certificate,
  status: RenewerStatus,
  mailContainer: string,
  now: Date,
): Verdict {
  if (served.fingerprint256 === latest.fingerprint256)
    return { status: "pass", detail: `the server presents the latest certificate (serial ${latest.serialNumber})` };
  const published = status.published ? Date.parse(status.published) : NaN;
  const detail = `the server presents serial ${served.serialNumber} (expires ${new Date(served.validTo).toISOString().slice(0, 10)}), the renewer published serial ${latest.serialNumber}${status.published ? ` at ${status.published}` : ""}`;
  if (!Number.isNaN(published) && now.getTime() - published < RELOAD_GRACE_MS)
    return {
      status: "warn",
      detail: `${detail}; docker-mailserver reloads within seconds, check again shortly`,
      fix: "Run the doctor again in a minute.",
    };
  return {
    status: "fail",
    detail: `${detail}: docker-mailserver did not reload`,
    fix: `Restart the mail server so it loads the new certificate: docker restart ${mailContainer}`,
  };
}
