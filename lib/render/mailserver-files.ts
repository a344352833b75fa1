/**
 * docker-mailserver's configuration files (the FILE provisioner), rendered from typed values. The container
 * reads them from its config directory at first start, so no account has to be created by hand within the
 * 120-second window. Formats: shared/reference/docker-mailserver.md §2 and §3.
 */

/** Where docker-mailserver reads its configuration inside the container. */
export const CONFIG_DIR = "/tmp/docker-mailserver";
/** Where OpenDKIM's files end up after docker-mailserver copies `opendkim/` at start. */
export const OPENDKIM_DIR = "/etc/opendkim";

export interface AccountLine {
  /** Full, lower-case address. */
  address: string;
  /** `{SHA512-CRYPT}$6$…`, see `dovecotPasswordHash`. */
  passwordHash: string;
}

export interface AliasLine {
  /** Full address the alias answers to. */
  address: string;
  /** Full addresses (local or external) it delivers to. */
  targets: string[];
}

/** `postfix-accounts.cf`: `address|{SHA512-CRYPT}$6$…`, one per line. */
export function renderAccounts(accounts: AccountLine[]): string {
  return accounts.map((a) => `${a.address}|${a.passwordHash}\n`).join("");
}

export interface VirtualInput {
  domain: string;
  /** Every mailbox address at the domain. */
  accounts: string[];
  aliases: AliasLine[];
  /** Address that receives mail for unknown addresses at the domain. */
  catchAll?: string;
  /** Receives the role addresses (postmaster@, abuse@) that are neither accounts nor aliases. */
  postmaster: string;
  /** Local parts that must reach a person (lib/config-mailboxes.ts ROLE_ADDRESSES). */
  roles: string[];
}

/** The role addresses at the domain that `postmaster` receives: those that are neither accounts nor aliases. */
export function routedRoles(input: Pick<VirtualInput, "domain" | "accounts" | "aliases" | "roles">): string[] {
  return input.roles
    .map((role) => `${role}@${input.domain}`)
    .filter((a) => !input.accounts.includes(a) && !input.aliases.some((alias) => alias.address === a));
}

/**
 * `postfix-virtual.cf`. Postfix gives virtual aliases precedence over mailboxes, so a bare `@domain` line
 * would swallow mail to real accounts (docker-mailserver issues #53, #1454, #3022). The documented fix is a
 * self-alias for every account above the wildcard; Postfix then also resolves `hi+tag@` to `hi@` through the
 * self-alias before the wildcard is tried.
 * postmaster@ and abuse@ get a line of their own: docker-mailserver's POSTMASTER_ADDRESS only feeds
 * /etc/aliases (helpers/aliases.sh), which answers for local system domains, not for the mail domain.
 * Empty when there is nothing to say: the file is then not uploaded (docker-mailserver does without it).
 */
export function renderVirtual(input: VirtualInput): string {
  const lines = input.aliases.map((a) => `${a.address} ${a.targets.join(",")}`);
  for (const role of routedRoles(input)) lines.push(`${role} ${input.postmaster}`);
  if (input.catchAll) {
    const aliased = new Set(input.aliases.map((a) => a.address));
    for (const account of input.accounts) if (!aliased.has(account)) lines.push(`${account} ${account}`);
    lines.push(`@${input.domain} ${input.catchAll}`);
  }
  return lines.map((l) => `${l}\n`).join("");
}

/**
 * `postfix-receive-access.cf`: an access(5) table docker-mailserver applies at RCPT time. Empty when nothing
 * is blocked: the file is then not uploaded, and docker-mailserver only wires the table when it exists.
 */
export function renderReceiveAccess(blocked: string[]): string {
  return blocked.map((b) => `${b} REJECT\n`).join("");
}

export interface OpenDkimInput {
  domain: string;
  selector: string;
}

/** Path of the private key inside the config directory (relative) — the same layout `setup config dkim` writes. */
export function dkimKeyPath({ domain, selector }: OpenDkimInput): string {
  return `opendkim/keys/${domain}/${selector}.private`;
}

/** OpenDKIM's KeyTable, SigningTable and TrustedHosts, as docker-mailserver's `setup config dkim` writes them. */
export function renderOpenDkim(input: OpenDkimInput): { keyTable: string; signingTable: string; trustedHosts: string } {
  const { domain, selector } = input;
  const record = `${selector}._domainkey.${domain}`;
  return {
    keyTable: `${record} ${domain}:${selector}:${OPENDKIM_DIR}/keys/${domain}/${selector}.private\n`,
    signingTable: `*@${domain} ${record}\n`,
    trustedHosts: "127.0.0.1\nlocalhost\n",
  };
}
