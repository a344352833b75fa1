import { createHash } from "node:crypto";

/**
 * MTA-STS (RFC 8461): a policy served over HTTPS at `https://mta-sts.<domain>/.well-known/mta-sts.txt` tells
 * sending servers that mail for the domain must travel over TLS to a named MX with a valid certificate; a TXT
 * record `_mta-sts.<domain>` announces it and names its version (`id`), which senders use to notice a change.
 */

export const MTA_STS_MODES = ["testing", "enforce", "none"] as const;
export type MtaStsMode = (typeof MTA_STS_MODES)[number];

/** RFC 8461 §3.2: "max_age … maximum value of 31557600" (one year). */
export const MTA_STS_MAX_AGE_LIMIT = 31_557_600;
/** One week, as Mail-in-a-Box publishes; RFC 8461 expects "weeks or greater" once the policy is trusted. */
export const MTA_STS_DEFAULT_MAX_AGE = 604_800;

export interface MtaStsPolicy {
  mode: MtaStsMode;
  /** MX host names the policy allows (exact names; RFC 8461 also allows `*.` wildcards, which we never need). */
  mx: string[];
  maxAge: number;
}

/**
 * The policy file. RFC 8461 §3.2 describes "CRLF-separated key/value pairs" (its ABNF accepts LF too): we
 * write CRLF and end with one, fields in the RFC's order, so the text (and with it the id) only changes when a
 * value does.
 */
export function renderMtaStsPolicy(policy: MtaStsPolicy): string {
  const lines = [
    "version: STSv1",
    `mode: ${policy.mode}`,
    ...policy.mx.map((mx) => `mx: ${mx}`),
    `max_age: ${policy.maxAge}`,
  ];
  return lines.map((line) => `${line}\r\n`).join("");
}

/**
 * The policy's id: RFC 8461 §3.1 allows 1–32 letters and digits, and senders refetch the policy when it
 * changes. The first 32 hex digits (128 bits) of the policy's SHA-256 change exactly when the policy text does.
 */
export function mtaStsPolicyId(policyText: string): string {
  return createHash("sha256").update(policyText, "utf8").digest("hex").slice(0, 32);
}

/** The `_mta-sts` TXT value (RFC 8461 §3.1). */
export function mtaStsTxtValue(id: string): string {
  return `v=STSv1; id=${id}`;
}

/** Where senders fetch the policy (RFC 8461 §3.3). */
export function mtaStsPolicyHost(domain: string): string {
  return `mta-sts.${domain}`;
}

export const MTA_STS_PATH = "/.well-known/mta-sts.txt";
