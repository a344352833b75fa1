/**
 * What every client-setup document tells a mail client, in one place: IMAP over implicit TLS on 993, and
 * submission on 465 (implicit TLS) before 587 (STARTTLS) — RFC 8314 §3.3 and §4 prefer implicit TLS, and 587
 * stays for networks that block 465. The login is always the full address (docker-mailserver's logins are).
 */
export type Security = "SSL" | "STARTTLS";

export interface Endpoint {
  host: string;
  port: number;
  /** Thunderbird's `socketType` words: `SSL` is TLS from the first byte, `STARTTLS` an upgrade. */
  security: Security;
}

export interface ClientEndpoints {
  imap: Endpoint;
  /** In order of preference. */
  smtp: Endpoint[];
}

export function clientEndpoints(hostname: string): ClientEndpoints {
  return {
    imap: { host: hostname, port: 993, security: "SSL" },
    smtp: [
      { host: hostname, port: 465, security: "SSL" },
      { host: hostname, port: 587, security: "STARTTLS" },
    ],
  };
}

/**
 * Markers the Worker replaces per request (lib/well-known/worker-handler.mjs): documents for one address are
 * rendered here once, at deploy time, with these in place of the address and of what derives from it.
 */
export const PLACEHOLDER = {
  /** The address, XML-escaped. */
  address: "{{address}}",
  /** Stable per address: a reinstalled profile replaces the earlier one instead of adding a second account. */
  profileUuid: "{{profile-uuid}}",
  mailUuid: "{{mail-uuid}}",
  /** The time of the response (autodiscover errors carry it). */
  time: "{{time}}",
} as const;
