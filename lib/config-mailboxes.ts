import { AliasLine } from "./config-types";
import { isAddress, Reader, show } from "./config-reader";

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

/** Addresses every mail domain must answer (RFC 5321 §4.5.1 for postmaster, RFC 2142 for abuse). */
export const ROLE_ADDRESSES = ["postmaster", "abuse"];

/**
 * Reads `accounts`, `catchAll`, `aliases`, `blocked`, `postmaster` and `passwords`. Local parts are completed with the
 * domain and everything is lower-cased, as docker-mailserver does; an alias may not shadow an account, a
 * blocked address may not be one, and every target must be an account or a valid address.
 */
export function readMailboxes(r: Reader, validDomain: string): Mailboxes {
  /** `hi` → `hi@domain`; full addresses are lower-cased. */
  const full = (s: string) => (s.includes("@") ? s : `${s}@${validDomain}`).toLowerCase();

  const rawAccounts = r.json("accounts");
  const accounts: string[] = [];
  if (rawAccounts === undefined) r.fail("accounts", "is required: the mailboxes to create, e.g. [postmaster, hi]");
  else if (!Array.isArray(rawAccounts) || rawAccounts.length === 0)
    r.fail(
      "accounts",
      `must be a non-empty list of local parts or addresses at ${validDomain} (got ${show(rawAccounts)})`,
    );
  else {
    for (const a of rawAccounts) {
      if (typeof a !== "string") {
        r.fail("accounts", `has ${show(a)}; expected a local part like "hi" or an address at ${validDomain}`);
        continue;
      }
      const address = full(a.trim());
      if (!isAddress(address))
        r.fail("accounts", `has ${show(a)}, not a valid address; expected a local part like "hi" or hi@${validDomain}`);
      else if (!address.endsWith(`@${validDomain}`))
        r.fail(
          "accounts",
          `has ${show(a)}, which is not at ${validDomain}; this server hosts mailboxes for ${validDomain} only`,
        );
      else if (accounts.includes(address)) r.fail("accounts", `lists ${show(address)} twice; each mailbox once`);
      else accounts.push(address);
    }
  }
  const isAccount = (a: string) => accounts.includes(a);

  /** A delivery target: an account (local part) or any valid address. */
  const target = (key: string, t: unknown): string | undefined => {
    if (typeof t !== "string" || !t.trim())
      return r.fail(key, `has target ${show(t)}; expected an account or an email address`);
    const v = t.trim().toLowerCase();
    if (!v.includes("@") && !isAccount(full(v)))
      return r.fail(
        key,
        `targets ${show(t)}, which is not an account; use one of ${accounts.map((a) => a.split("@")[0]).join(", ")} or a full address`,
      );
    const address = full(v);
    if (!isAddress(address)) return r.fail(key, `targets ${show(t)}, not a valid email address`);
    return address;
  };

  const catchAllRaw = r.string("catchAll");
  const catchAll = catchAllRaw ? target("catchAll", catchAllRaw) : undefined;

  const aliases: AliasLine[] = [];
  const aliasObj = r.object("aliases");
  for (const [name, value] of Object.entries(aliasObj ?? {})) {
    const address = full(name.trim());
    const key = `aliases.${name}`;
    if (!isAddress(address)) {
      r.fail(key, `is not a valid alias address; expected a local part or an address at ${validDomain}`);
      continue;
    }
    if (!address.endsWith(`@${validDomain}`)) {
      r.fail(key, `is not at ${validDomain}; aliases answer for addresses at the domain`);
      continue;
    }
    if (isAccount(address)) {
      r.fail(key, `shadows the account ${address}: an alias would take its mail; remove the alias or the account`);
      continue;
    }
    if (aliases.some((a) => a.address === address)) {
      r.fail(key, `is listed twice (as ${address})`);
      continue;
    }
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) {
      r.fail(key, "has no targets; expected an address or a list of addresses");
      continue;
    }
    const targets = list.map((t) => target(key, t)).filter((t): t is string => !!t);
    if (targets.length === list.length) aliases.push({ address, targets: [...new Set(targets)] });
  }

  const blocked: string[] = [];
  const rawBlocked = r.json("blocked");
  if (rawBlocked !== undefined && !Array.isArray(rawBlocked))
    r.fail("blocked", `must be a list of addresses (got ${show(rawBlocked)})`);
  for (const b of Array.isArray(rawBlocked) ? rawBlocked : []) {
    const address = typeof b === "string" ? full(b.trim()) : "";
    if (!isAddress(address)) r.fail("blocked", `has ${show(b)}, not a valid address`);
    else if (!address.endsWith(`@${validDomain}`))
      r.fail("blocked", `has ${show(b)}, which is not at ${validDomain}; only mail to this domain can be refused here`);
    else if (isAccount(address))
      r.fail(
        "blocked",
        `has ${show(address)}, which is an account; blocking it would refuse all its mail — remove it from accounts or from blocked`,
      );
    else if (ROLE_ADDRESSES.some((role) => address === `${role}@${validDomain}`))
      r.fail(
        "blocked",
        `has ${show(address)}, which must always accept mail (RFC 5321 requires postmaster@, RFC 2142 abuse@); route it with mailstack:postmaster instead`,
      );
    else if (!blocked.includes(address)) blocked.push(address);
  }

  // postmaster@ and abuse@ reach a person: the configured target, else the catch-all, else the first account.
  const postmasterRaw = r.string("postmaster");
  const postmaster =
    (postmasterRaw ? target("postmaster", postmasterRaw) : undefined) ??
    catchAll ??
    accounts[0] ??
    `postmaster@${validDomain}`;
  if (postmasterRaw && ROLE_ADDRESSES.some((role) => postmaster === `${role}@${validDomain}`))
    r.fail("postmaster", `is ${show(postmasterRaw)}, one of the addresses it routes; name the account that reads them`);

  const passwords: Record<string, string> = {};
  const pwObj = r.json("passwords");
  if (pwObj !== undefined && (typeof pwObj !== "object" || pwObj === null || Array.isArray(pwObj)))
    r.fail(
      "passwords",
      "must be a secret object of account → password, e.g. pulumi config set --secret --path 'passwords.hi' <password>",
    );
  else {
    for (const [name, pw] of Object.entries((pwObj as Record<string, unknown>) ?? {})) {
      const address = full(name.trim());
      if (!isAccount(address))
        r.fail(`passwords.${name}`, `is not an account; list it in mailstack:accounts or remove the password`);
      else if (typeof pw !== "string" || pw.length < 8)
        r.fail(`passwords.${name}`, "must be a string of at least 8 characters (value not shown)");
      else if (/[\r\n]/.test(pw)) r.fail(`passwords.${name}`, "must not contain a line break (value not shown)");
      else passwords[address] = pw;
    }
  }

  return { accounts, passwords, catchAll, aliases, blocked, postmaster };
}
