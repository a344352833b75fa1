/**
 * How docker-mailserver 15.1.0 reads `postfix-accounts.cf` (target/scripts/helpers/accounts.sh `_create_accounts`,
 * with helpers/utils.sh `_get_valid_lines_from_file`), restated so the harness derives Dovecot's userdb and
 * Postfix's vmailbox exactly as the container would, hostile lines included:
 * - CRLF becomes LF; empty lines and lines whose first non-blank character is `#` are skipped;
 * - each line is read with `IFS='|' read -r LOGIN PASS USER_ATTRIBUTES`: split at `|`, nothing trimmed, the last
 *   field takes the rest of the line;
 * - USER and DOMAIN are `cut -d @ -f1` and `-f2` of LOGIN (the whole LOGIN for both when it has no `@`);
 * - an identical userdb or vmailbox line is written once;
 * - with ENABLE_QUOTAS=1 (mailstack's setting) an alias gets a login too (`dmsAliasLogins`).
 */
export interface DmsAccount {
  login: string;
  pass: string;
  attributes: string;
  user: string;
  domain: string;
}

export function dmsAccounts(accountsCf: string): DmsAccount[] {
  return accountsCf
    .replace(/\r$/gm, "")
    .split("\n")
    .filter((line) => !/^\s*$|^\s*#/.test(line))
    .map((line) => {
      const [login, pass = "", ...rest] = line.split("|");
      const at = login.split("@");
      return { login, pass, attributes: rest.join("|"), user: at[0], domain: at.length > 1 ? at[1] : login };
    });
}

const once = (lines: string[]) => [...new Set(lines)].map((l) => `${l}\n`).join("");

/**
 * `LOGIN:PASS:5000:5000::<mailRoot>/DOMAIN/USER/home::USER_ATTRIBUTES` for each account (DMS: mailRoot is
 * /var/mail), then the aliases' logins.
 */
export function dmsUserdb(accountsCf: string, virtualCf: string, mailRoot: string, vmailId: number): string {
  const accounts = once(
    dmsAccounts(accountsCf).map(
      (a) => `${a.login}:${a.pass}:${vmailId}:${vmailId}::${mailRoot}/${a.domain}/${a.user}/home::${a.attributes}`,
    ),
  );
  return (
    accounts +
    dmsAliasLogins(accountsCf, virtualCf, accounts, mailRoot, vmailId)
      .map((l) => `${l}\n`)
      .join("")
  );
}

/** `/etc/postfix/vmailbox`: `LOGIN DOMAIN/USER/`. */
export function dmsVmailbox(accountsCf: string): string {
  return once(dmsAccounts(accountsCf).map((a) => `${a.login} ${a.domain}/${a.user}/`));
}

/** `grep PATTERN` for the characters addresses may hold: a basic regular expression where `.` is any character. */
const grepPattern = (pattern: string) => new RegExp(pattern.replace(/[\\^$+?(){}|[\]]/g, "\\$&"));

/**
 * docker-mailserver's alias logins (accounts.sh `_create_dovecot_alias_dummy_accounts`, ENABLE_QUOTAS=1): for each
 * postfix-virtual.cf line `ALIAS REAL_FQUN` (comments and blank lines skipped; `read -r` splits at the first run of
 * whitespace) whose ALIAS holds an `@`, the first postfix-accounts.cf line that `grep REAL_FQUN` finds lends its
 * hash and attributes: `ALIAS:HASH:uid:gid::<mailRoot>/<REAL_FQUN's domain>/<its user>/home::ATTRS`, unless the
 * userdb already has that line (compared case-insensitively).
 */
export function dmsAliasLogins(
  accountsCf: string,
  virtualCf: string,
  userdb: string,
  mailRoot: string,
  vmailId: number,
): string[] {
  const accountLines = accountsCf.split("\n");
  const existing = new Set(userdb.split("\n").map((l) => l.toLowerCase()));
  const lines: string[] = [];
  for (const line of virtualCf.replace(/\r$/gm, "").split("\n")) {
    if (/^\s*$|^\s*#/.test(line)) continue;
    const [alias, ...rest] = line.trim().split(/\s+/);
    const target = rest.join(" ");
    if (!alias.includes("@") || !target) continue;
    const lender = accountLines.find((l) => grepPattern(target).test(l));
    if (!lender) continue;
    const [, pass = "", attributes = ""] = lender.split("|");
    const [user, domain = user] = target.split("@");
    const entry = `${alias}:${pass}:${vmailId}:${vmailId}::${mailRoot}/${domain}/${user}/home::${attributes}`;
    if (!existing.has(entry.toLowerCase())) {
      existing.add(entry.toLowerCase());
      lines.push(entry);
    }
  }
  return lines;
}
