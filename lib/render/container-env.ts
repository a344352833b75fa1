import { relayHostKey } from "./postfix-sasl-password";
import { SpamConfig } from "../config-types";
import { assertSafe } from "../mail-syntax";

/**
 * The docker-mailserver environment: pure, so the same values are asserted in tests and run in the
 * container. Secrets never appear here: the relay credentials are in `postfix-sasl-password.cf`
 * (lib/render/postfix-sasl-password.ts), so `docker inspect` does not show them.
 */

export const CERT_PATH = "/tmp/dms/custom-certs/cert.pem";
export const KEY_PATH = "/tmp/dms/custom-certs/key.pem";

export interface ContainerEnvInput {
  domain: string;
  relay: { host: string; port: number };
  fail2ban: boolean;
  /**
   * manual: the uploaded certificate (CERT_PATH, KEY_PATH). letsencrypt: the renewer's, at
   * /etc/letsencrypt/live/<domain>/ (docker-mailserver finds the folder by SSL_DOMAIN first:
   * target/scripts/helpers/ssl.sh `_find_letsencrypt_domain`, and its change detector watches it).
   */
  tls: { type: "manual" } | { type: "letsencrypt"; domain: string };
  spam: SpamConfig;
  /** Extra variables from config, merged last. */
  extra: Record<string, string>;
}

/** Defaults sized for a 1–2 GB server: ClamAV (about 1 GB of signatures) is off unless `env` turns it on. */
const SMALL_SERVER_DEFAULTS: Record<string, string> = {
  ENABLE_CLAMAV: "0",
  ENABLE_QUOTAS: "1",
  PERMIT_DOCKER: "none",
  LOG_LEVEL: "info",
};

/**
 * The spam filter's variables (docker-mailserver 15.1.0, startup/variables-stack.sh and setup.d/security/).
 * With Rspamd, it also signs outbound mail and checks SPF, DKIM and DMARC, so OpenDKIM, OpenDMARC and
 * policyd-spf are off, as docker-mailserver's Rspamd page says to do (docs/content/config/security/rspamd.md,
 * "Switch to Rspamd"); without it they do those jobs. Amavis/SpamAssassin (two Perl scanners, several hundred
 * MB) and Postgrey stay off either way: Rspamd replaces both, and running them beside it is what that page
 * warns against.
 */
function spamFilterEnv(spam: SpamConfig): Record<string, string> {
  const rspamd = spam.filter === "rspamd";
  const flag = (on: boolean) => (on ? "1" : "0");
  return {
    ENABLE_RSPAMD: flag(rspamd),
    // Rspamd's Bayes statistics, greylisting and history live in this Redis (ENABLE_RSPAMD_REDIS follows
    // ENABLE_RSPAMD by default; set here so that the rendering says it).
    ENABLE_RSPAMD_REDIS: flag(rspamd),
    RSPAMD_LEARN: flag(rspamd && spam.learning),
    RSPAMD_GREYLISTING: flag(rspamd && spam.greylisting),
    ENABLE_OPENDKIM: flag(!rspamd),
    ENABLE_OPENDMARC: flag(!rspamd),
    ENABLE_POLICYD_SPF: flag(!rspamd),
    ENABLE_AMAVIS: "0",
    ENABLE_SPAMASSASSIN: "0",
    ENABLE_POSTGREY: "0",
    // postscreen's DNS blocklists (zen.spamhaus.org and others, target/postfix/main.cf) at connection time.
    ENABLE_DNSBL: flag(spam.dnsbl),
    // A global Sieve script files mail Rspamd marked (`X-Spam: Yes`) into Junk (setup.d/security/misc.sh).
    MOVE_SPAM_TO_JUNK: "1",
  };
}

/**
 * `KEY=value` pairs, sorted by key so the list never reorders between runs. docker-mailserver writes each as
 * `KEY='value'` into /etc/dms-settings, which its scripts source (startup/variables-stack.sh), so a value may not
 * hold `'` or a line break (config validation refuses them first; lib/config-env.ts).
 */
export function renderContainerEnv(input: ContainerEnvInput): string[] {
  const env: Record<string, string> = {
    ...SMALL_SERVER_DEFAULTS,
    ...spamFilterEnv(input.spam),
    ACCOUNT_PROVISIONER: "FILE",
    // Routed to a person in postfix-virtual.cf whatever the accounts are (lib/render/postfix-virtual.ts).
    POSTMASTER_ADDRESS: `postmaster@${input.domain}`,
    // Senders are limited to what each login receives (lib/render/sender-login-maps.ts).
    SPOOF_PROTECTION: "1",
    // Fits the 1–2 GB budget (one Python process); needs NET_ADMIN, which MailServer adds with it.
    ENABLE_FAIL2BAN: input.fail2ban ? "1" : "0",
    ...(input.tls.type === "manual"
      ? { SSL_TYPE: "manual", SSL_CERT_PATH: CERT_PATH, SSL_KEY_PATH: KEY_PATH }
      : { SSL_TYPE: "letsencrypt", SSL_DOMAIN: input.tls.domain }),
  };
  // The credentials are in postfix-sasl-password.cf, keyed by this same string.
  if (input.relay.host) env.DEFAULT_RELAY_HOST = relayHostKey(input.relay);
  Object.assign(env, input.extra);
  for (const [k, v] of Object.entries(env)) {
    assertSafe(k, /^[A-Z_][A-Z0-9_]*$/.test(k), "the container environment");
    // eslint-disable-next-line no-control-regex
    assertSafe(v, !/['\x00-\x1f\x7f]/.test(v), "the container environment");
  }
  return Object.keys(env)
    .sort()
    .map((k) => `${k}=${env[k]}`);
}

/** The ports docker-mailserver's compose file publishes: SMTP, IMAP, submissions, submission, IMAPS. */
export const MAIL_PORTS = [25, 143, 465, 587, 993];

/** The official compose healthcheck for 15.1 (the image has no HEALTHCHECK of its own before v16). */
export const HEALTHCHECK = {
  tests: ["CMD-SHELL", "ss --listening --ipv4 --tcp | grep --silent ':smtp' || exit 1"],
  interval: "30s",
  timeout: "3s",
  retries: 3,
  // Written as Go prints it: the provider reads durations back with time.Duration.String() and does not
  // suppress "90s" vs "1m30s", so "90s" would replace the container on every `up` (replaceOnChanges).
  startPeriod: "1m30s",
};
