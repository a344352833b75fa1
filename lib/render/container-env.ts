/**
 * The docker-mailserver environment: pure, so the same values are asserted in tests and run in the
 * container. Secrets never appear here: the relay password is read from a file (`RELAY_PASSWORD__FILE`), so
 * `docker inspect` does not show it.
 */

export const CERT_PATH = "/tmp/dms/custom-certs/cert.pem";
export const KEY_PATH = "/tmp/dms/custom-certs/key.pem";
export const RELAY_PASSWORD_PATH = "/tmp/dms/secrets/relay-password";

export interface ContainerEnvInput {
  domain: string;
  accounts: string[];
  relay: { host: string; port: number; username: string };
  /** Extra variables from config, merged last. */
  extra: Record<string, string>;
}

/** Defaults sized for a 1–2 GB server: the memory-hungry scanners are off. */
const SMALL_SERVER_DEFAULTS: Record<string, string> = {
  ENABLE_CLAMAV: "0",
  ENABLE_SPAMASSASSIN: "0",
  ENABLE_AMAVIS: "0",
  ENABLE_RSPAMD: "0",
  ENABLE_FAIL2BAN: "0",
  ENABLE_POSTGREY: "0",
  ENABLE_OPENDKIM: "1",
  ENABLE_OPENDMARC: "1",
  ENABLE_POLICYD_SPF: "1",
  ENABLE_QUOTAS: "1",
  PERMIT_DOCKER: "none",
  LOG_LEVEL: "info",
};

/** `KEY=value` pairs, sorted by key so the list never reorders between runs. */
export function renderContainerEnv(input: ContainerEnvInput): string[] {
  const postmaster = input.accounts.includes(`postmaster@${input.domain}`)
    ? `postmaster@${input.domain}`
    : input.accounts[0];
  const env: Record<string, string> = {
    ...SMALL_SERVER_DEFAULTS,
    ACCOUNT_PROVISIONER: "FILE",
    POSTMASTER_ADDRESS: postmaster,
    SSL_TYPE: "manual",
    SSL_CERT_PATH: CERT_PATH,
    SSL_KEY_PATH: KEY_PATH,
  };
  if (input.relay.host) {
    env.DEFAULT_RELAY_HOST = `[${input.relay.host}]:${input.relay.port}`;
    env.RELAY_USER = input.relay.username;
    env.RELAY_PASSWORD__FILE = RELAY_PASSWORD_PATH;
  }
  Object.assign(env, input.extra);
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
  startPeriod: "90s",
};
