import type { AliasLine } from "../config-types";

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
 * Empty when there is nothing to say (docker-mailserver then has an empty /etc/postfix/virtual, as without it).
 */
export function renderPostfixVirtual(domains: VirtualInput[]): string {
  return domains.map(domainLines).join("");
}

/** One domain's lines of `postfix-virtual.cf`. */
function domainLines(input: VirtualInput): string {
  const lines = input.aliases.map((a) => `${a.address} ${a.targets.join(",")}`);
  for (const role of routedRoles(input)) lines.push(`${role} ${input.postmaster}`);
  if (input.catchAll) {
    const aliased = new Set(input.aliases.map((a) => a.address));
    for (const account of input.accounts) if (!aliased.has(account)) lines.push(`${account} ${account}`);
    lines.push(`@${input.domain} ${input.catchAll}`);
  }
  return lines.map((l) => `${l}\n`).join("");
}
