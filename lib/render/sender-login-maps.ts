import type { AliasLine } from "../config-types";

/**
 * Who may send as an address (SPOOF_PROTECTION=1): whoever receives its mail. docker-mailserver's own sender
 * login maps (setup.d/security/spoofing.sh at v15.1.0) are `unionmap:{ texthash:/etc/postfix/virtual,
 * hash:/etc/aliases, pcre:/etc/postfix/maps/sender_login_maps.pcre, pcre:/etc/postfix/regexp }`: an account
 * owns itself, an alias belongs to its targets, and the pcre (`/^(.*)$/ ${1}`) makes every other address
 * owned only by a login of that name — nobody. So the catch-all's owner cannot reply from a per-site address
 * (`bilibili@`), and `hi+shop@` cannot be used by hi. mailstack adds one table to the union, rendered here,
 * that gives each address the accounts its mail reaches: account tags to the account, alias tags to the
 * alias's accounts, postmaster@/abuse@ to their reader, and every unclaimed address to the catch-all's
 * accounts. Blocked addresses reach no one and stay unowned. Mail delivery does not read this table.
 */

export interface SenderLoginInput {
  domain: string;
  accounts: string[];
  aliases: AliasLine[];
  catchAll?: string;
  /** Receives postmaster@ and abuse@ where they are neither accounts nor aliases. */
  postmaster: string;
  /** postmaster@, abuse@… routed to `postmaster`. */
  roles: string[];
  blocked: string[];
}

const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
/** pcre_table(5) expands `$n` in results; a literal `$` is written `$$`. */
const escapeResult = (s: string) => s.replace(/\$/g, "$$$$");

/**
 * The accounts that receive mail sent to an address, following aliases, the role routing and the catch-all, across
 * every domain of the server: an alias at one domain may deliver to an account at another.
 */
function recipientsResolver(all: SenderLoginInput[]): (address: string) => string[] {
  const accounts = new Set(all.flatMap((d) => d.accounts));
  const aliases = new Map(all.flatMap((d) => d.aliases.map((a) => [a.address, a.targets] as const)));
  const domainOf = (address: string) => all.find((d) => address.slice(address.lastIndexOf("@") + 1) === d.domain);
  const resolve = (address: string, seen: Set<string>): string[] => {
    if (seen.has(address)) return [];
    seen.add(address);
    if (accounts.has(address)) return [address];
    const targets = aliases.get(address);
    if (targets) return targets.flatMap((t) => resolve(t, seen));
    const input = domainOf(address);
    if (!input) return [];
    if (input.roles.includes(address)) return resolve(input.postmaster, seen);
    if (input.blocked.includes(address) || !input.catchAll) return [];
    return resolve(input.catchAll, seen);
  };
  return (address) => resolve(address, new Set());
}

/** `mailstack/sender-login-maps.pcre`, one block of lines per domain. */
export function renderSenderLoginMaps(domains: SenderLoginInput[]): string {
  return [
    `# mailstack: the accounts that receive an address's mail may send as it (SPOOF_PROTECTION=1).\n`,
    `# Read with docker-mailserver's own sender login maps (postfix-main.cf); first match wins.\n`,
    ...domains.flatMap((d) => domainLines(d, recipientsResolver(domains))),
  ].join("");
}

/** One domain's lines: each claimed address and its +tags, then the catch-all's. */
function domainLines(input: SenderLoginInput, localRecipients: (address: string) => string[]): string[] {
  const domain = escapeRegex(input.domain);
  const line = (pattern: string, owners: string[]) => `/${pattern}/\t${escapeResult([...new Set(owners)].join(","))}\n`;
  // An address and its +tags; the first matching line wins, so these come before the catch-all line.
  const claimed = [...input.accounts, ...input.aliases.map((a) => a.address), ...input.roles, ...input.blocked];
  const lines = [...new Set(claimed)].map((address) => {
    const owners = localRecipients(address);
    // A line needs a result: an address nobody receives is "owned" by itself, a login that does not exist.
    return line(`^${escapeRegex(address.split("@")[0])}(\\+[^@]*)?@${domain}$`, owners.length ? owners : [address]);
  });
  const catchAllOwners = input.catchAll ? localRecipients(input.catchAll) : [];
  if (catchAllOwners.length) lines.push(line(`@${domain}$`, catchAllOwners));
  return lines;
}
