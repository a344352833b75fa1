/**
 * Maps the server plan (lib/plan/server-files.ts: host name, environment, files) to the files the loopback
 * harness feeds the daemons. Nothing is rendered here: every byte the daemons read comes from the plan, which
 * is what the program hands the container (test/components/mailserver.test.ts proves it, upload for upload).
 */
import type { ServerPlan } from "../../../lib/plan/server-files";
import { CONFIG_DIR } from "../../../lib/render/dms-paths";
import { dmsAccounts } from "./dms-accounts";

export interface MailServerFiles {
  hostname: string;
  /** Mail domains, derived like docker-mailserver's `/etc/postfix/vhost`: account domains plus alias-key domains. */
  domains: string[];
  env: Record<string, string>;
  /** Every planned file below `/tmp/docker-mailserver/`, keyed by its path relative to that directory. */
  configFiles: Record<string, string>;
  accountsCf: string;
  virtualCf: string;
  /** OpenDKIM's tables and keys; absent when ENABLE_OPENDKIM=0 (Rspamd signs instead). */
  openDkim?: { keyTable: string; signingTable: string; trustedHosts: string; keys: Record<string, string> };
  tls: { cert: string; key: string };
  /** The relay as docker-mailserver's helpers/relay.sh configures it from the env and the config files. */
  relay?: RelayWiring;
}

/**
 * What helpers/relay.sh (identical in v15.0.0 and v15.1.0) makes of DEFAULT_RELAY_HOST, RELAY_USER,
 * RELAY_PASSWORD and postfix-sasl-password.cf. `saslPasswd` is /etc/postfix/sasl_passwd, undefined when
 * relay.sh finds no credential source and returns before enabling SASL (`_relayhost_sasl`'s first check).
 * When it is defined, relay.sh also sets smtp_sasl_auth_enable, noanonymous and
 * `smtp_tls_security_level = encrypt`, and `smtp_sender_dependent_authentication = yes` if the file exists.
 */
export interface RelayWiring {
  /** `relayhost`; undefined when only sender-dependent relays are configured. */
  relayhost?: string;
  /**
   * /etc/postfix/relayhost_map (`sender_dependent_relayhost_maps`): relay.sh `_multiple_relayhosts` copies the
   * lines of postfix-relaymap.cf that name a relay; undefined without that file (RELAY_HOST is never set, so
   * `_legacy_support` adds nothing).
   */
  relayhostMap?: string;
  saslPasswd?: string;
  senderDependentAuthentication: boolean;
}

function envMap(envs: string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of envs) {
    const i = e.indexOf("=");
    if (i > 0) env[e.slice(0, i)] = e.slice(i + 1);
  }
  return env;
}

function required(files: Map<string, string>, path: string, why: string): string {
  const content = files.get(path);
  if (content === undefined) throw new Error(`the plan has no file at ${path} (${why})`);
  return content;
}

/** docker-mailserver's vhost: the domain of every account and of every `user@domain`/`@domain` alias key. */
function mailDomains(accountsCf: string, virtualCf: string): string[] {
  const domains = new Set<string>();
  for (const a of dmsAccounts(accountsCf)) if (a.login.includes("@")) domains.add(a.domain.toLowerCase());
  for (const line of virtualCf.split("\n")) {
    const key = line.trim().split(/\s+/)[0] ?? "";
    if (!key.startsWith("#") && key.includes("@")) domains.add(key.split("@")[1].toLowerCase());
  }
  return [...domains];
}

/** utils.sh `_get_valid_lines_from_file`: CRLF to LF, without blank lines and `#` comments. */
function validLines(text: string): string {
  return text
    .replace(/\r/g, "")
    .split("\n")
    .filter((l) => !/^\s*$|^\s*#/.test(l))
    .map((l) => `${l}\n`)
    .join("");
}

/**
 * relay.sh `_process_relayhost_configs`: runs when postfix-relaymap.cf exists or DEFAULT_RELAY_HOST (or RELAY_HOST)
 * is set; `_relayhost_sasl` then `_populate_relayhost_map`.
 */
function relayWiring(
  env: Record<string, string>,
  saslPasswordCf: string | undefined,
  relaymapCf: string | undefined,
): RelayWiring | undefined {
  const relayhost = env.DEFAULT_RELAY_HOST || undefined;
  if (relaymapCf === undefined && !relayhost) return undefined;
  // `_multiple_relayhosts`: sed -n -r "/^\s*[^#[:space:]]\S*\s+\S/p" (a key and a relay on the line).
  const relayhostMap =
    relaymapCf === undefined
      ? undefined
      : relaymapCf
          .split("\n")
          .filter((l) => /^\s*[^#\s]\S*\s+\S/.test(l))
          .map((l) => `${l}\n`)
          .join("");
  const envCredentials = !!env.RELAY_USER && !!env.RELAY_PASSWORD;
  if (saslPasswordCf === undefined && !envCredentials)
    return { relayhost, relayhostMap, senderDependentAuthentication: false };
  let saslPasswd = saslPasswordCf === undefined ? "" : validLines(saslPasswordCf);
  if (envCredentials) saslPasswd += `${relayhost}    ${env.RELAY_USER}:${env.RELAY_PASSWORD}\n`;
  return { relayhost, relayhostMap, saslPasswd, senderDependentAuthentication: saslPasswordCf !== undefined };
}

export function filesFromPlan(plan: ServerPlan): MailServerFiles {
  const env = envMap(plan.env);
  const uploads = new Map(plan.files.map((f) => [f.path, f.content]));
  const prefix = `${CONFIG_DIR}/`;
  const configFiles: Record<string, string> = {};
  for (const [path, content] of uploads) if (path.startsWith(prefix)) configFiles[path.slice(prefix.length)] = content;

  const accountsCf = required(uploads, `${prefix}postfix-accounts.cf`, "accounts");
  const virtualCf = uploads.get(`${prefix}postfix-virtual.cf`) ?? "";
  const keys: Record<string, string> = {};
  for (const [rel, content] of Object.entries(configFiles))
    if (rel.startsWith("opendkim/keys/")) keys[rel.slice("opendkim/".length)] = content;

  const certPath = env.SSL_CERT_PATH;
  const keyPath = env.SSL_KEY_PATH;
  if (!certPath || !keyPath) throw new Error("the plan's environment has no SSL_CERT_PATH/SSL_KEY_PATH");

  const relay = relayWiring(env, configFiles["postfix-sasl-password.cf"], configFiles["postfix-relaymap.cf"]);

  const hostname = plan.hostname || env.OVERRIDE_HOSTNAME;
  if (!hostname) throw new Error("the plan has neither a hostname nor OVERRIDE_HOSTNAME");

  return {
    hostname,
    domains: mailDomains(accountsCf, virtualCf),
    env,
    configFiles,
    accountsCf,
    virtualCf,
    // variables-stack.sh: ENABLE_OPENDKIM defaults to 1.
    openDkim:
      env.ENABLE_OPENDKIM === "0"
        ? undefined
        : {
            keyTable: required(uploads, `${prefix}opendkim/KeyTable`, "OpenDKIM KeyTable"),
            signingTable: required(uploads, `${prefix}opendkim/SigningTable`, "OpenDKIM SigningTable"),
            trustedHosts: uploads.get(`${prefix}opendkim/TrustedHosts`) ?? "127.0.0.1\nlocalhost\n",
            keys,
          },
    tls: { cert: required(uploads, certPath, "SSL_CERT_PATH"), key: required(uploads, keyPath, "SSL_KEY_PATH") },
    relay,
  };
}

/**
 * The same server after the config directory changed: `changed` holds new contents by path relative to it,
 * and what derives from them (accounts, virtual, mail domains, relay credentials) follows.
 */
export function withConfigFiles(files: MailServerFiles, changed: Record<string, string>): MailServerFiles {
  const configFiles = { ...files.configFiles, ...changed };
  const accountsCf = configFiles["postfix-accounts.cf"] ?? "";
  const virtualCf = configFiles["postfix-virtual.cf"] ?? "";
  return {
    ...files,
    configFiles,
    accountsCf,
    virtualCf,
    domains: mailDomains(accountsCf, virtualCf),
    relay: relayWiring(files.env, configFiles["postfix-sasl-password.cf"], configFiles["postfix-relaymap.cf"]),
  };
}
