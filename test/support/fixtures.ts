/**
 * Shared stack configurations for tests (keys without the `mailstack:` prefix, objects as objects).
 * PROD_CONFIG mirrors Pulumi.prod.yaml (the seed's setup) with test secrets and a test certificate.
 */
import { selfSignedCertificate } from "./certificates";

export const PROD_CERT = selfSignedCertificate({ hostname: "mail.qladgk.com", days: 90 });

/** A Resend-style 1024-bit DKIM value, as Resend's dashboard shows it. */
export const RESEND_DKIM =
  "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDSo6Lw1KpsUwC3tUOdw5wmVdT5ZyOzH6MHfH1eIYTh9ubUNmDCX4l7XHlUYgmkeVZx6kp7vWd2Cnaj9FqXB6jFyTzUAcf0JAqbhWkv6PHpYxqnBw1Zbv3m5jOT0JwHnLbAHC53tp7l21F0JkQIDAQAB";

export const PROD_CONFIG: Record<string, unknown> = {
  domain: "qladgk.com",
  hostname: "mail.qladgk.com",
  serverIp: "11.22.33.44",
  accounts: ["postmaster", "hi", "info"],
  catchAll: "info",
  relay: { provider: "resend" },
  relayPassword: "re_test_relay_key_123456",
  resend: { dkim: RESEND_DKIM },
  tls: { mode: "manual" },
  tlsCertificate: PROD_CERT.certPem,
  tlsPrivateKey: PROD_CERT.keyPem,
  "cloudflare:apiToken": "cf-test-token",
};
export const PROD_SECRETS = ["relayPassword", "tlsPrivateKey", "cloudflare:apiToken"];

/**
 * A different domain, exercising the other branches: aliases (one of them abuse@), blocked, IPv6, DMARC
 * reject, self-signed TLS, SES, Fail2ban off. SES only sends for verified senders, so no alias forwards outside.
 */
export const SECOND_CONFIG: Record<string, unknown> = {
  domain: "example.org",
  hostname: "mx1.example.org",
  serverIp: "203.0.113.25",
  serverIpv6: "2001:db8::25",
  accounts: ["alice", "bob@example.org"],
  passwords: { alice: "alice-password-1" },
  catchAll: "bob",
  aliases: { sales: ["alice", "bob"], abuse: "bob" },
  blocked: ["leaked-shop@example.org"],
  relay: { provider: "ses", region: "eu-west-1", username: "AKIAEXAMPLE" },
  relayPassword: "ses-smtp-password",
  tls: { mode: "self-signed" },
  dkim: { selector: "s2026", bits: 1024 },
  dmarc: { policy: "reject", rua: "dmarc@example.org" },
  cloudflareZoneId: "0123456789abcdef0123456789abcdef",
  docker: { host: "ssh://deploy@203.0.113.25", containerName: "mail" },
  fail2ban: false,
  // Without the spam filter: OpenDKIM signs, OpenDMARC and policyd-spf check, postscreen asks no blocklist.
  spam: { filter: "none", dnsbl: false },
  env: { POSTFIX_MESSAGE_SIZE_LIMIT: 25_000_000, TZ: "Europe/Berlin", ENABLE_UPDATE_CHECK: false },
  "cloudflare:apiToken": "cf-test-token",
};
export const SECOND_SECRETS = ["passwords", "relayPassword", "cloudflare:apiToken"];

/**
 * A new stack on Cloudflare without a certificate of its own: tls.mode defaults to acme (Let's Encrypt over
 * DNS-01, renewed by the renewer container).
 */
export const ACME_CONFIG: Record<string, unknown> = {
  domain: "example.net",
  serverIp: "198.51.100.7",
  accounts: ["me"],
  relay: { provider: "none" },
  tls: { acme: { email: "admin@example.net" } },
  "cloudflare:apiToken": "cf-test-token",
};
export const ACME_SECRETS = ["cloudflare:apiToken"];

/**
 * Three mail domains on one server, in two Cloudflare zones (`lists.example.com` lives in example.com's zone):
 * one Resend relay for all, a scoped key of its own for family.example, the shared relayPassword for the others;
 * the same local part (`hi`) at two domains; an alias across domains.
 */
export const MULTI_CONFIG: Record<string, unknown> = {
  hostname: "mail.example.com",
  serverIp: "11.22.33.44",
  domains: [
    { domain: "example.com", accounts: ["hi", "me"], catchAll: "hi", resend: { dkim: RESEND_DKIM } },
    {
      domain: "family.example",
      accounts: ["hi", "mom"],
      catchAll: "mom",
      aliases: { kids: ["mom", "me@example.com"] },
      dkim: { selector: "fam" },
      dmarc: { policy: "quarantine", rua: "dmarc@example.com" },
      resend: { dkim: RESEND_DKIM },
    },
    { domain: "lists.example.com", accounts: ["news"], resend: { dkim: RESEND_DKIM } },
  ],
  relay: { provider: "resend" },
  relayPassword: "re_shared_relay_key_123456",
  relayPasswords: { "family.example": "re_family_scoped_key_1234" },
  passwords: { "hi@family.example": "family-hi-password" },
  tls: { mode: "self-signed" },
  "cloudflare:apiToken": "cf-test-token",
};
export const MULTI_SECRETS = ["relayPassword", "relayPasswords", "passwords", "cloudflare:apiToken"];
