export interface AccountLine {
  /** Full, lower-case address. */
  address: string;
  /** `{SHA512-CRYPT}$6$…`, see `dovecotPasswordHash`. */
  passwordHash: string;
}

/**
 * `postfix-accounts.cf` (the FILE provisioner's accounts): `address|{SHA512-CRYPT}$6$…`, one per line. The
 * container reads it at first start, so no account has to be created by hand within the 120-second window.
 */
export function renderPostfixAccounts(accounts: AccountLine[]): string {
  return accounts.map((a) => `${a.address}|${a.passwordHash}\n`).join("");
}
