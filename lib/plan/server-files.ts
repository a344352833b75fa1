/**
 * Everything mailstack hands the mail server, as data: its host name, its environment and its files, each
 * file with its path and mode. Pure: credentials come in resolved (the component evaluates this inside an
 * `apply`, so the result stays a secret), and whoever runs the server consumes the same plan — the Docker
 * container's uploads today (components/mailserver.ts), the loopback daemons in the tests.
 * Each file has one renderer in lib/render/ named after it; this module only says which files exist, where
 * and with which mode.
 */
import type { MailConfig, SpamConfig } from "../config-types";
import { ROLE_ADDRESSES } from "../config-mailboxes";
import { CERT_PATH, ContainerEnvInput, KEY_PATH, renderContainerEnv } from "../render/container-env";
import { CONFIG_DIR, SENDER_LOGIN_MAPS_PATH } from "../render/dms-paths";
import { dkimKeyPath, renderKeyTable, renderSigningTable, renderTrustedHosts } from "../render/opendkim";
import { renderPostfixAccounts } from "../render/postfix-accounts";
import { renderDovecotLocal } from "../render/dovecot-local";
import { renderPostfixMain } from "../render/postfix-main";
import { renderPostfixReceiveAccess } from "../render/postfix-receive-access";
import { renderPostfixVirtual, routedRoles } from "../render/postfix-virtual";
import {
  renderRspamdDkimSigning,
  renderRspamdDmarc,
  renderRspamdForceActions,
  rspamdDkimKeyPath,
} from "../render/rspamd";
import { renderSenderLoginMaps } from "../render/sender-login-maps";
import { MailDomain, mailDomains } from "./mail-domains";
import { DomainRelay, planRelayRoutes, renderPostfixRelaymap, renderRelayCredentials } from "./relay-routes";

export interface ServerFile {
  /** Absolute path inside the container. */
  path: string;
  content: string;
  /** Octal mode; password files and private keys are 0600. */
  mode: string;
  /**
   * How the running server takes a new version (see LIVE_FILES); absent: read at start only, so the file is
   * part of the container and a change to it replaces the container.
   */
  live?: LiveApply;
}

/**
 * How a running docker-mailserver 15.1 takes a new version of a file (target/scripts/check-for-changes.sh,
 * helpers/change-detection.sh at v15.1.0):
 * - `change-detector`: its changedetector service hashes the file every DMS_CONFIG_POLL (2) seconds and, on a
 *   change, regenerates what derives from it (accounts: Dovecot's userdb and Postfix's vmailbox and vhost;
 *   virtual: /etc/postfix/virtual; sasl-password: the relay maps), then runs `postfix reload` and
 *   `dovecot reload`; once done it stores the new hash in /tmp/docker-mailserver-config-chksum.
 * - `accounts`: the change detector, then the IMAP sessions of every login whose password changed or that was
 *   removed are ended (lib/render/live-apply.ts); every other session stays (lib/render/dovecot-local.ts).
 * - `postfix-reload`: a table Postfix reads directly and the detector does not watch (the receive-access
 *   table, `texthash:` wired at start by setup.d/postfix.sh; our pcre sender login map): `postfix reload`.
 */
export type LiveApply = "change-detector" | "accounts" | "postfix-reload";

/** A file the running server takes without a new container: where, with which mode, and how it is applied. */
export interface LiveFileSpec {
  path: string;
  mode: string;
  live: LiveApply;
}

/** What the server is handed, for any target (a Docker container today). */
export interface ServerPlan {
  hostname: string;
  /** `KEY=value` pairs, sorted (no secrets). */
  env: string[];
  files: ServerFile[];
}

/** What the server plan is made of, besides credentials: known from config. */
export interface ServerInput {
  hostname: string;
  domains: MailDomain[];
  /** Each domain's outbound relay, in domain order; `host` is empty when its mail is sent directly. */
  relays: DomainRelay[];
  fail2ban: boolean;
  /**
   * Where the certificate comes from: uploaded (manual, self-signed: `ServerCredentials.tls`), or the ACME
   * renewer's volume (letsencrypt, lib/render/acme.ts), which no file of the plan carries.
   */
  tls: ContainerEnvInput["tls"];
  /** The spam filter: with Rspamd, it signs outbound mail too (its files replace OpenDKIM's). */
  spam: SpamConfig;
  /** Extra environment variables from config, merged last. */
  env: Record<string, string>;
}

/** What the server plan needs that is secret or made by a resource, resolved. */
export interface ServerCredentials {
  /** `{SHA512-CRYPT}…` of each account of every domain, by address (lib/sha512-crypt.ts). */
  passwordHashes: Record<string, string>;
  /** The PEM private key each domain's mail is signed with, by domain. */
  dkimPrivateKeys: Record<string, string>;
  /** The certificate (chain) the server presents, and its private key; absent when the ACME renewer's are used. */
  tls?: { certificatePem: string; privateKeyPem: string };
  /** Each relaying domain's SMTP password, by domain (the same one for domains that share a credential). */
  relayPasswords: Record<string, string>;
}

/** The server's part of a validated config. */
export function serverInput(cfg: MailConfig): ServerInput {
  return {
    hostname: cfg.hostname,
    domains: mailDomains(cfg),
    relays: cfg.domains.map((d) => ({
      domain: d.domain,
      host: d.relay.host,
      port: d.relay.port,
      username: d.relay.username,
    })),
    fail2ban: cfg.fail2ban,
    tls: cfg.tls.mode === "acme" ? { type: "letsencrypt", domain: cfg.hostname } : { type: "manual" },
    spam: cfg.spam,
    env: cfg.env,
  };
}

/**
 * docker-mailserver's environment (lib/render/container-env.ts); postmaster@ of the first domain, and its relay
 * as the default relay host (lib/plan/relay-routes.ts).
 */
export function planServerEnv(input: ServerInput): string[] {
  const [first] = input.relays;
  return renderContainerEnv({
    domain: input.domains[0].name,
    relay: { host: first?.host ?? "", port: first?.port ?? 0 },
    fail2ban: input.fail2ban,
    tls: input.tls,
    spam: input.spam,
    extra: input.env,
  });
}

const conf = (file: string) => `${CONFIG_DIR}/${file}`;

/**
 * The files a config change rewrites in the running container (accounts and passwords, aliases and catch-all,
 * blocked addresses, the sender login map derived from all three, the relay credentials), in plan order. All
 * of them exist from the first start, empty tables included: setup.d/postfix.sh wires the receive-access table
 * only when the file exists at start, so a first blocked address added later would otherwise never be
 * checked. The relay credentials exist when mail goes through a relay (`relayCredentials`).
 */
export function liveFileSpecs(relayCredentials: boolean, relayMap = false): LiveFileSpec[] {
  return [
    { path: conf("postfix-accounts.cf"), mode: "0600", live: "accounts" as const },
    { path: conf("postfix-virtual.cf"), mode: "0644", live: "change-detector" as const },
    { path: conf("postfix-receive-access.cf"), mode: "0644", live: "postfix-reload" as const },
    { path: SENDER_LOGIN_MAPS_PATH, mode: "0644", live: "postfix-reload" as const },
    ...(relayCredentials
      ? [{ path: conf("postfix-sasl-password.cf"), mode: "0600", live: "change-detector" as const }]
      : []),
    // Several domains that relay: which relay each sender domain's mail leaves through (lib/plan/relay-routes.ts),
    // watched by the change detector like the credentials (check-for-changes.sh, `_process_relayhost_configs`).
    ...(relayMap ? [{ path: conf("postfix-relaymap.cf"), mode: "0644", live: "change-detector" as const }] : []),
  ];
}

/**
 * Whether the server has relay credentials and a relay map, from config (the credentials themselves may be
 * made later, by Resend): the live files `liveFileSpecs` plans.
 */
export function relayFiles(input: ServerInput): { credentials: boolean; map: boolean } {
  return {
    credentials: input.relays.some((r) => r.host),
    // The routes are config: only a domain relayed through another host than the first's needs the map.
    map: renderPostfixRelaymap(planRelayRoutes(input.relays)) !== "",
  };
}

/**
 * The files, in a fixed order: the live ones first (`liveFileSpecs`), then those read at start only. A table
 * read at start only and empty is left out (the docker provider refuses an upload without content).
 */
export function planServerFiles(input: ServerInput, credentials: ServerCredentials): ServerFile[] {
  const { domains } = input;
  const file = (path: string, content: string, mode = "0644"): ServerFile => ({ path, content, mode });
  const routes = planRelayRoutes(input.relays);
  const mailboxes = domains.map((d) => ({
    domain: d.name,
    accounts: d.accounts,
    aliases: d.aliases,
    catchAll: d.catchAll,
    postmaster: d.postmaster,
    roles: ROLE_ADDRESSES,
  }));
  const signers = domains.map((d) => ({ domain: d.name, selector: d.dkim.selector }));
  const given = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`planServerFiles: no ${what}`);
    return value;
  };
  const hashOf = (address: string) => given(credentials.passwordHashes[address], `password hash for ${address}`);
  const certificate = () => given(credentials.tls, "certificate to upload");
  const keyOf = (domain: string) => given(credentials.dkimPrivateKeys[domain], `DKIM key for ${domain}`);
  // One key, selector and DNS record per domain whoever signs: Rspamd when it filters (docker-mailserver then
  // turns OpenDKIM off), else OpenDKIM. Only the signer's files are planned; docker-mailserver ignores the other's.
  const signingFiles: ServerFile[] =
    input.spam.filter === "rspamd"
      ? [
          ...signers.map((s) => file(conf(rspamdDkimKeyPath(s)), keyOf(s.domain), "0600")),
          file(conf("rspamd/override.d/dkim_signing.conf"), renderRspamdDkimSigning(signers)),
          file(conf("rspamd/override.d/dmarc.conf"), renderRspamdDmarc()),
          file(conf("rspamd/override.d/force_actions.conf"), renderRspamdForceActions()),
        ]
      : [
          file(conf("opendkim/KeyTable"), renderKeyTable(signers)),
          file(conf("opendkim/SigningTable"), renderSigningTable(signers)),
          file(conf("opendkim/TrustedHosts"), renderTrustedHosts()),
          ...signers.map((s) => file(conf(dkimKeyPath(s)), keyOf(s.domain), "0600")),
        ];
  const liveContent: Record<string, () => string> = {
    [conf("postfix-accounts.cf")]: () =>
      renderPostfixAccounts(
        domains.flatMap((d) => d.accounts.map((address) => ({ address, passwordHash: hashOf(address) }))),
      ),
    [conf("postfix-virtual.cf")]: () => renderPostfixVirtual(mailboxes),
    [conf("postfix-receive-access.cf")]: () => renderPostfixReceiveAccess(domains.flatMap((d) => d.blocked)),
    [SENDER_LOGIN_MAPS_PATH]: () =>
      renderSenderLoginMaps(
        domains.map((d, i) => ({ ...mailboxes[i], roles: routedRoles(mailboxes[i]), blocked: d.blocked })),
      ),
    // Which relay each domain's mail leaves through, with which credential, in the files docker-mailserver
    // 15.x reads (lib/plan/relay-routes.ts).
    [conf("postfix-sasl-password.cf")]: () => renderRelayCredentials(routes, credentials.relayPasswords),
    [conf("postfix-relaymap.cf")]: () => renderPostfixRelaymap(routes),
  };
  return [
    ...liveFileSpecs(relayFiles(input).credentials, relayFiles(input).map).map((spec) => ({
      ...spec,
      content: liveContent[spec.path](),
    })),
    file(conf("postfix-main.cf"), renderPostfixMain()),
    file(conf("dovecot.cf"), renderDovecotLocal()),
    ...signingFiles,
    ...(input.tls.type === "manual"
      ? [file(CERT_PATH, certificate().certificatePem), file(KEY_PATH, certificate().privateKeyPem, "0600")]
      : []),
  ];
}

/** The whole plan for one set of credentials: what the tests' daemons run, and what the container gets. */
export function planServer(input: ServerInput, credentials: ServerCredentials): ServerPlan {
  return { hostname: input.hostname, env: planServerEnv(input), files: planServerFiles(input, credentials) };
}
