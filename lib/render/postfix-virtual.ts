import type { AliasLine } from "../config-types";
import { assertSafe, isAddress, isDomainName } from "../mail-syntax";

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
 *
 * An alias that targets another alias is written with that alias's own targets (Postfix would expand it the same
 * way), the role and catch-all lines too: docker-mailserver looks a single target up in postfix-accounts.cf with
 * `grep`, and a target that is no account (`team@`) would find one that merely contains it (`myteam@`) and lend
 * its password to the alias's login (lib/render/postfix-accounts.ts `grepSafeOrder`). Config refuses loops, so
 * this ends.
 */
export function renderPostfixVirtual(domains: VirtualInput[]): string {
  return domains.map(domainLines).join("");
}

/** One domain's lines of `postfix-virtual.cf`. */
function domainLines(input: VirtualInput): string {
  const anyAddress = (t: string) => isAddress(t, "tagged") || isAddress(t, "outside");
  for (const a of input.aliases) {
    assertSafe(a.address, isAddress(a.address, "mailbox"), "postfix-virtual.cf");
    for (const t of a.targets) assertSafe(t, anyAddress(t), "postfix-virtual.cf");
  }
  assertSafe(input.domain, isDomainName(input.domain), "postfix-virtual.cf");
  assertSafe(input.postmaster, anyAddress(input.postmaster), "postfix-virtual.cf");
  if (input.catchAll) assertSafe(input.catchAll, anyAddress(input.catchAll), "postfix-virtual.cf");

  const aliases = new Map(input.aliases.map((a) => [a.address, a.targets]));
  const expand = (targets: string[], seen: string[]): string =>
    [
      ...new Set(
        targets.flatMap((t) => {
          if (!aliases.has(t)) return [t];
          if (seen.includes(t)) throw new Error(`aliases loop through ${t}`);
          return expand(aliases.get(t)!, [...seen, t]).split(",");
        }),
      ),
    ].join(",");
  const lines = input.aliases.map((a) => `${a.address} ${expand(a.targets, [a.address])}`);
  for (const role of routedRoles(input)) lines.push(`${role} ${expand([input.postmaster], [])}`);
  if (input.catchAll) {
    for (const account of input.accounts) if (!aliases.has(account)) lines.push(`${account} ${account}`);
    lines.push(`@${input.domain} ${expand([input.catchAll], [])}`);
  }
  return lines.map((l) => `${l}\n`).join("");
}
