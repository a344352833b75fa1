import { assertSafe, isAddress } from "../mail-syntax";

export interface AccountLine {
  /** Full, lower-case address. */
  address: string;
  /** `{SHA512-CRYPT}$6$…`, see `dovecotPasswordHash`. */
  passwordHash: string;
}

/**
 * Orders addresses so that none is preceded by another that matches it as a `grep` pattern: shorter first, and
 * among equals "." (grep's any-character) first. docker-mailserver gives an alias that points at one account a
 * login of its own, with the hash of the first line of postfix-accounts.cf that `grep <target>` finds
 * (helpers/accounts.sh `_create_dovecot_alias_dummy_accounts`, with ENABLE_QUOTAS=1): in config order, an alias
 * of `hi@` could log in with the password of `chi@` listed before it. Any other line that matches an address
 * contains a match as long as the address, so it is longer, or as long and with a letter where the address has
 * a ".".
 */
export function grepSafeOrder(addresses: string[]): string[] {
  const dotFirst = (s: string) => s.replace(/\./g, "\u0000");
  return [...addresses].sort((a, b) =>
    a.length !== b.length ? a.length - b.length : dotFirst(a) < dotFirst(b) ? -1 : dotFirst(a) > dotFirst(b) ? 1 : 0,
  );
}

/**
 * `postfix-accounts.cf` (the FILE provisioner's accounts): `address|{SHA512-CRYPT}$6$…`, one per line, in
 * `grepSafeOrder`. The container reads it at first start, so no account has to be created by hand within the
 * 120-second window. Every value is asserted against what the file gives meaning to (lib/mail-syntax.ts): config
 * validation refuses such values first, so an assertion failing here is a bug, never a user's mistake.
 */
export function renderPostfixAccounts(accounts: AccountLine[]): string {
  for (const a of accounts) {
    assertSafe(a.address, isAddress(a.address, "mailbox"), "postfix-accounts.cf");
    const hash = /^\{SHA512-CRYPT\}\$6\$[./0-9A-Za-z]+\$[./0-9A-Za-z]+$/.test(a.passwordHash);
    assertSafe("(a password hash)", hash, "postfix-accounts.cf");
  }
  const byAddress = new Map(accounts.map((a) => [a.address, a]));
  return grepSafeOrder([...byAddress.keys()])
    .map((address) => `${address}|${byAddress.get(address)!.passwordHash}\n`)
    .join("");
}
