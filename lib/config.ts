import { MailConfig } from "./config-types";
import { Problems, RawConfig, Scope } from "./config-reader";
import { checkSecrets, SECRET_KEYS } from "./config-secrets";
import { DnsSettings, readDns, readDomain, readServerNames, SERVER_KEYS } from "./config-server";
import { DOMAINS_KEYS, HostedDomains, isSet, readDomainList, usesDomainList } from "./config-domains";
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
    ...DOMAINS_KEYS,
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
  const managedDns = dns.provider === "cloudflare";
  const hosted = usesDomainList(top) ? readDomainList(top, managedDns) : readOneDomain(top, dns);
  const first = hosted.domains[0];
  const domain = first?.domain ?? "invalid.invalid";
  const names = hosted.domains.map((d) => d.domain);
  const server = readServerNames(top, hostnameDomain(top, names) ?? domain, dns);
  const relatedSenders = readRelatedSenders(top, names);
  const tls = readTls(top, raw, { hostname: server.hostname, domain, managedDns });
  const clientSetup = readClientSetup(top, {
    domain,
    hostname: server.hostname,
    managedDns,
    untrustedCertificate: untrustedCertificate(tls),
  });
  const docker = readDocker(top, raw);
  const fail2ban = readFail2ban(top);
  const spam = readSpam(top);
  const env = readEnv(top, spam);
  const backup = readBackup(top);

  if (r.problems.length) throw new ConfigError(r.problems);
  const { domain: _, zoneId, ...perDomain } = first;
  return {
    domain,
    domains: hosted.domains,
    ...server,
    ...perDomain,
    // Every domain's accounts have their passwords here, by address.
    passwords: hosted.passwords,
    relatedSenders,
    tls,
    dns: { ...dns, zoneId },
    clientSetup,
    docker,
    fail2ban,
    spam,
    env,
    backup,
    warnings: r.warnings,
  };
}

/**
 * A single-domain stack: its one domain from the top-level keys, read in the order they always were. The keys
 * only `domains` gives meaning to are refused.
 */
function readOneDomain(top: Scope, dns: DnsSettings): HostedDomains {
  for (const key of ["relayPasswords", "dkimPrivateKeys"])
    if (isSet(top, key))
      top.fail(
        key,
        `is keyed by the domains of mailstack:domains, which is not set; use ${key === "relayPasswords" ? "relayPassword" : "dkimPrivateKey"} for the one domain`,
      );
  const domain = readDomain(top);
  const mailboxes = readMailboxes(top, domain);
  const { relay, resend } = readRelay(top, dns.provider === "cloudflare");
  checkForwarding(top, domain, relay.provider, mailboxes);
  const { passwords, ...rest } = mailboxes;
  const dkim = readDkim(top, relay.provider);
  const dmarc = readDmarc(top, domain);
  return { domains: [{ domain, ...rest, relay, resend, dkim, dmarc, zoneId: dns.zoneId }], passwords };
}

/** The hosted domain the host name is in (the longest match), whose zone gets its address records. */
function hostnameDomain(top: Scope, domains: string[]): string | undefined {
  const given = top.value("hostname");
  if (typeof given !== "string") return undefined;
  const hostname = given.trim().toLowerCase().replace(/\.$/, "");
  return domains.filter((d) => hostname === d || hostname.endsWith(`.${d}`)).sort((a, b) => b.length - a.length)[0];
}
