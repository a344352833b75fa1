import { AliasLine } from "./config-types";
import { addressProblem, AddressUse, asciiLower } from "./mail-syntax";
import { Scope, show } from "./config-reader";
import { checkDelivery } from "./config-delivery";

/** The mailbox part of the configuration, validated: who receives mail at the domain, and how. */
export interface Mailboxes {
  accounts: string[];
  passwords: Record<string, string>;
  catchAll?: string;
  aliases: AliasLine[];
  blocked: string[];
  /** Receives postmaster@ and abuse@ unless they are accounts or aliases themselves. */
  postmaster: string;
}

/** The keys this section reads, at the top level (later: in each entry of `domains`). */
export const MAILBOX_KEYS = ["accounts", "passwords", "catchAll", "aliases", "blocked", "postmaster"];

/** Addresses every mail domain must answer (RFC 5321 §4.5.1 for postmaster, RFC 2142 for abuse). */
export const ROLE_ADDRESSES = ["postmaster", "abuse"];

/**
 * Reads `accounts`, `catchAll`, `aliases`, `blocked`, `postmaster` and `passwords` for one domain. Local parts are completed
 * with the domain and everything is lower-cased, as docker-mailserver does. Every address is checked against what
 * the files it lands in give meaning to (lib/mail-syntax.ts), and then the whole as a delivery graph
 * (lib/config-delivery.ts): mail to an alias or the catch-all must end in a mailbox or an outside address.
 */
export function readMailboxes(scope: Scope, domain: string, passwordsHere = true): Mailboxes {
  /** `hi` → `hi@domain`, lower-cased. */
  const full = (s: string) => asciiLower(s.includes("@") ? s : `${s}@${domain}`);
  const atDomain = (address: string) => address.endsWith(`@${domain}`);
  const isRole = (address: string) => ROLE_ADDRESSES.some((role) => address === `${role}@${domain}`);
  /** `has "x", not a valid address: …` or undefined when `address` may be used this way. */
  const invalid = (given: unknown, address: string, use: AddressUse) => {
    const problem = addressProblem(address, use);
    return problem && `${show(given)}, not a valid address: it ${problem}`;
  };

  const accounts = readAccounts(scope, domain, full, invalid);

  const rawTargets = new Map<string, { key: string; targets: unknown[] }>();
  const aliasScope = scope.object("aliases");
  for (const name of aliasScope?.names() ?? []) {
    const address = full(name.trim());
    const bad = invalid(name, address, "mailbox");
    if (bad) aliasScope!.fail(name, `is ${bad}; expected a local part or an address at ${domain}`);
    else if (!atDomain(address))
      aliasScope!.fail(name, `is not at ${domain}; aliases answer for addresses at the domain`);
    else if (accounts.includes(address))
      aliasScope!.fail(
        name,
        `shadows the account ${address}: an alias would take its mail; remove the alias or the account`,
      );
    else if (rawTargets.has(address)) aliasScope!.fail(name, `is listed twice (as ${address})`);
    else {
      const value = aliasScope!.value(name);
      const targets = Array.isArray(value) ? value : [value];
      if (targets.length === 0) aliasScope!.fail(name, "has no targets; expected an address or a list of addresses");
      else rawTargets.set(address, { key: aliasScope!.key(name), targets });
    }
  }

  /** A delivery target: an account or alias (by local part or address), or anyone's address. */
  const target = (key: string, given: unknown): string | undefined => {
    if (typeof given !== "string" || !given.trim())
      return scope.r.fail(key, `has target ${show(given)}; expected an account, an alias or an email address`);
    const v = asciiLower(given.trim());
    const address = full(v);
    if (!v.includes("@") && !accounts.includes(address) && !rawTargets.has(address)) {
      const all = [...accounts, ...rawTargets.keys()].map((a) => a.split("@")[0]);
      const known = all.length > 10 ? [...all.slice(0, 10), "…"] : all;
      return scope.r.fail(
        key,
        `targets ${show(given)}, which is not an account or an alias at ${domain}; ${known.length ? `use one of ${known.join(", ")} or a full address` : "list it in accounts, or give a full address"}`,
      );
    }
    const bad = invalid(given, address, atDomain(address) ? "tagged" : "outside");
    return bad ? scope.r.fail(key, `targets ${bad}`) : address;
  };

  const catchAllRaw = scope.string("catchAll");
  const catchAll = catchAllRaw ? target(scope.key("catchAll"), catchAllRaw) : undefined;

  const aliases: AliasLine[] = [];
  for (const [address, { key, targets }] of rawTargets) {
    const resolved = targets.map((t) => target(key, t));
    if (resolved.every((t): t is string => !!t)) aliases.push({ address, targets: [...new Set(resolved)] });
  }

  const blocked: string[] = [];
  const rawBlocked = scope.value("blocked");
  if (rawBlocked !== undefined && !Array.isArray(rawBlocked))
    scope.fail("blocked", `must be a list of addresses (got ${show(rawBlocked)})`);
  for (const b of Array.isArray(rawBlocked) ? rawBlocked : []) {
    const address = typeof b === "string" ? full(b.trim()) : "";
    const bad = typeof b === "string" ? invalid(b, address, "tagged") : `${show(b)}, not an address`;
    if (bad) scope.fail("blocked", `has ${bad}`);
    else if (!atDomain(address))
      scope.fail("blocked", `has ${show(b)}, which is not at ${domain}; only mail to this domain can be refused here`);
    else if (accounts.includes(address))
      scope.fail(
        "blocked",
        `has ${show(address)}, which is an account; blocking it would refuse all its mail — remove it from accounts or from blocked`,
      );
    else if (rawTargets.has(address))
      scope.fail(
        "blocked",
        `has ${show(address)}, which is an alias; blocking it would refuse all its mail — remove it from aliases or from blocked`,
      );
    else if (isRole(address))
      scope.fail(
        "blocked",
        `has ${show(address)}, which must always accept mail (RFC 5321 requires postmaster@, RFC 2142 abuse@); route it with mailstack:postmaster instead`,
      );
    else if (!blocked.includes(address)) blocked.push(address);
  }

  // postmaster@ and abuse@ reach a person: the configured target, else the catch-all, else the first account.
  const postmasterGiven = scope.string("postmaster");
  const postmasterTarget = postmasterGiven ? target(scope.key("postmaster"), postmasterGiven) : undefined;
  if (postmasterTarget && isRole(postmasterTarget))
    scope.fail(
      "postmaster",
      `is ${show(postmasterGiven)}, one of the addresses it routes; name the account that reads them`,
    );
  const postmaster = postmasterTarget ?? catchAll ?? accounts[0] ?? `postmaster@${domain}`;

  checkDelivery(scope, {
    domain,
    accounts,
    aliases,
    catchAll,
    postmaster: postmasterTarget,
    blocked,
    aliasKeys: rawTargets,
  });

  return {
    accounts,
    passwords: passwordsHere ? readPasswords(scope, accounts, full) : {},
    catchAll,
    aliases,
    blocked,
    postmaster,
  };
}

function readAccounts(
  scope: Scope,
  domain: string,
  full: (s: string) => string,
  invalid: (given: unknown, address: string, use: AddressUse) => string | undefined,
): string[] {
  const raw = scope.value("accounts");
  const accounts: string[] = [];
  if (raw === undefined) scope.fail("accounts", "is required: the mailboxes to create, e.g. [postmaster, hi]");
  else if (!Array.isArray(raw) || raw.length === 0)
    scope.fail("accounts", `must be a non-empty list of local parts or addresses at ${domain} (got ${show(raw)})`);
  else {
    for (const a of raw) {
      if (typeof a !== "string") {
        scope.fail("accounts", `has ${show(a)}; expected a local part like "hi" or an address at ${domain}`);
        continue;
      }
      const address = full(a.trim());
      const bad = invalid(a, address, "mailbox");
      if (bad) scope.fail("accounts", `has ${bad}; expected a local part like "hi" or hi@${domain}`);
      else if (!address.endsWith(`@${domain}`))
        scope.fail(
          "accounts",
          `has ${show(a)}, which is not at ${domain}; this server hosts mailboxes for ${domain} only`,
        );
      else if (accounts.includes(address)) scope.fail("accounts", `lists ${show(address)} twice; each mailbox once`);
      else accounts.push(address);
    }
  }
  return accounts;
}

/**
 * `passwords`: account → password. Keys are local parts or addresses of `accounts`; with `domains`
 * (`full` undefined) full addresses only, since a local part may be an account at several domains.
 */
export function readPasswords(scope: Scope, accounts: string[], full?: (s: string) => string): Record<string, string> {
  const passwords: Record<string, string> = {};
  const raw = scope.value("passwords");
  if (raw === undefined) return passwords;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    scope.fail(
      "passwords",
      "must be a secret mapping of account → password, e.g. pulumi config set --secret --path 'passwords.hi' <password>",
    );
    return passwords;
  }
  for (const [name, pw] of Object.entries(raw as Record<string, unknown>)) {
    const address = full ? full(name.trim()) : asciiLower(name.trim());
    const key = `${scope.key("passwords")}.${name}`;
    if (!full && !address.includes("@")) {
      const at = accounts.filter((a) => a.startsWith(`${address}@`));
      scope.r.fail(
        key,
        `is a local part; with mailstack:domains each password is keyed by the account's full address${at.length ? ` (${at.join(" or ")})` : ""}: pulumi config set --secret --path 'passwords["${at[0] ?? `${address}@<domain>`}"]' <password>`,
      );
    } else if (!accounts.includes(address))
      scope.r.fail(
        key,
        `is not an account; list it in ${full ? "mailstack:accounts" : "the accounts of its domain in mailstack:domains"} or remove the password`,
      );
    else if (typeof pw !== "string" || pw.length < 8)
      scope.r.fail(key, "must be a string of at least 8 characters (value not shown)");
    // eslint-disable-next-line no-control-regex
    else if (/[\x00-\x1f\x7f]/.test(pw))
      scope.r.fail(key, "must not contain a line break or control character (value not shown)");
    else passwords[address] = pw;
  }
  return passwords;
}
