import { MailConfig } from "./config-types";
import { Problems, RawConfig, Scope } from "./config-reader";
import { checkSecrets, SECRET_KEYS } from "./config-secrets";
import { readDns, readDomain, readServerNames, SERVER_KEYS } from "./config-server";
import { MAILBOX_KEYS, readMailboxes } from "./config-mailboxes";
import { readRelay, RELAY_KEYS } from "./config-relay";
import { readTls, TLS_KEYS, untrustedCertificate } from "./config-tls";
import { DKIM_KEYS, readDkim } from "./config-dkim";
import { DMARC_KEYS, readDmarc } from "./config-dmarc";
import { DOCKER_KEYS, readDocker, readFail2ban } from "./config-docker";
import { readEnv } from "./config-env";
import { readRelatedSenders, RELATED_SENDERS_KEYS } from "./config-related-senders";
import { checkForwarding } from "./config-forwarding";
import { BACKUP_KEYS, readBackup } from "./config-backup";
import { CLIENT_SETUP_KEYS, readClientSetup } from "./config-client-setup";
import { readSpam, SPAM_KEYS } from "./config-spam";

export type { RawConfig } from "./config-reader";
export { DEFAULT_IMAGE } from "./config-image";

/**
 * Parsing and validation of the whole `mailstack:` configuration. Runs before any resource is registered; every
 * problem is collected and reported at once, each naming the key, the bad value (never a secret's value) and what
 * is expected. Each section has its own reader (lib/config-<section>.ts) that takes a `Scope`, so the per-domain
 * sections (mailboxes, DKIM, DMARC, relay) can later be read for each entry of a `domains` list.
 */

/** Every top-level key, from the sections that read them. */
export const CONFIG_KEYS = [
  ...new Set([
    ...SERVER_KEYS,
    ...MAILBOX_KEYS,
    ...RELATED_SENDERS_KEYS,
    ...RELAY_KEYS,
    ...TLS_KEYS,
    ...CLIENT_SETUP_KEYS,
    ...DKIM_KEYS,
    ...DMARC_KEYS,
    ...DOCKER_KEYS,
    ...SPAM_KEYS,
    ...SECRET_KEYS,
    ...BACKUP_KEYS,
    "env",
  ]),
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`mailstack: invalid configuration, nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseConfig(raw: RawConfig): MailConfig {
  const r = new Problems();
  const top = Scope.top(r, raw);
  top.only(CONFIG_KEYS, "README.md lists every setting under Configuration reference");
  checkSecrets(top, raw);

  const dns = readDns(top, raw);
  const domain = readDomain(top);
  const server = readServerNames(top, domain, dns);
  const mailboxes = readMailboxes(top, domain);
  const relatedSenders = readRelatedSenders(top, domain);
  const managedDns = dns.provider === "cloudflare";
  const { relay, resend } = readRelay(top, managedDns);
  checkForwarding(top, domain, relay.provider, mailboxes);
  const tls = readTls(top, raw, { hostname: server.hostname, domain, managedDns });
  const clientSetup = readClientSetup(top, {
    domain,
    hostname: server.hostname,
    managedDns,
    untrustedCertificate: untrustedCertificate(tls),
  });
  const dkim = readDkim(top, relay.provider);
  const dmarc = readDmarc(top, domain);
  const docker = readDocker(top, raw);
  const fail2ban = readFail2ban(top);
  const spam = readSpam(top);
  const env = readEnv(top, spam);
  const backup = readBackup(top);

  if (r.problems.length) throw new ConfigError(r.problems);
  return {
    domain,
    ...server,
    ...mailboxes,
    relatedSenders,
    relay,
    resend,
    tls,
    dkim,
    dmarc,
    dns,
    clientSetup,
    docker,
    fail2ban,
    spam,
    env,
    backup,
    warnings: r.warnings,
  };
}
