import { RESEND_DKIM } from "../../support/fixtures";

/**
 * The stack config the daemon tests deploy: the production relay (Resend, with its records planned from
 * `resend.dkim`), self-signed TLS, accounts, an alias, a catch-all and a blocked address.
 */
export const LOOPBACK_DOMAIN = "example.org";
export const LOOPBACK_HOSTNAME = "mail.example.org";
export const RELAY_PASSWORD = "re_loopback_relay_secret";

export function loopbackConfig(passwords: Record<string, string>): Record<string, unknown> {
  return {
    domain: LOOPBACK_DOMAIN,
    hostname: LOOPBACK_HOSTNAME,
    serverIp: "203.0.113.25",
    accounts: ["hi", "alice", "bob"],
    passwords,
    catchAll: "hi",
    aliases: { team: ["alice", "bob"] },
    blocked: ["blocked"],
    relay: { provider: "resend" },
    relayPassword: RELAY_PASSWORD,
    resend: { dkim: RESEND_DKIM },
    tls: { mode: "self-signed" },
    dmarc: { policy: "reject" },
    // The suites that prove delivery, relaying and logging run without the spam filter (OpenDKIM signs), as
    // before it existed, so their figures stay comparable; test/daemons/spam.test.ts deploys the default.
    spam: { filter: "none", dnsbl: false },
    "cloudflare:apiToken": "cf-test-token",
  };
}

/** What the tests expect from that config (full addresses). */
export const SCENARIO = {
  domain: LOOPBACK_DOMAIN,
  accounts: { hi: `hi@${LOOPBACK_DOMAIN}`, alice: `alice@${LOOPBACK_DOMAIN}`, bob: `bob@${LOOPBACK_DOMAIN}` },
  alias: { address: `team@${LOOPBACK_DOMAIN}`, targets: [`alice@${LOOPBACK_DOMAIN}`, `bob@${LOOPBACK_DOMAIN}`] },
  catchAllTarget: `hi@${LOOPBACK_DOMAIN}`,
  blocked: `blocked@${LOOPBACK_DOMAIN}`,
  /** Resend's SMTP login is the literal `resend` (lib/relay-presets.ts); the password is `relayPassword`. */
  relay: { host: "[smtp.resend.com]:587", username: "resend", password: RELAY_PASSWORD },
};
