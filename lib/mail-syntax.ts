/**
 * What the files docker-mailserver reads give meaning to, in one place. Config validation refuses values that
 * contain any of it (naming the key and why), and the renderers assert the same rules, so an unsafe value cannot
 * reach a file even through a path validation missed ("safe by construction").
 *
 * The files and what their formats give meaning to (docker-mailserver 15.1.0, shared/reference/docker-mailserver.md):
 * - postfix-accounts.cf `address|hash[|extra]`: `|` separates fields; DMS turns each line into a Dovecot
 *   passwd-file line `address:hash:5000:5000::/var/mail/<domain>/<user>/home::extra` (`:` separates fields, `/`
 *   separates path parts) and keeps lines starting with `#` out as comments (helpers/accounts.sh, utils.sh).
 * - postfix-virtual.cf and postfix-receive-access.cf, Postfix texthash tables: whitespace separates key and
 *   value, a line starting with whitespace continues the previous one, `#` at the start is a comment, `,`
 *   separates alias targets, keys are case-folded (postmap(1), virtual(5), access(5)).
 * - sasl_passwd `[host]:port user:password`: the SMTP client splits the value at the first `:`.
 * - The container environment: DMS writes each variable as `NAME='value'` into /etc/dms-settings and
 *   /root/.bashrc, which its scripts `source` (startup/variables-stack.sh), so `'` ends the value and a line break
 *   starts a new shell line.
 * - Postfix itself rewrites `user%domain` and `host!user` (allow_percent_hack, swap_bangpath) and treats `+` as the
 *   recipient delimiter; Dovecot's LMTP strips `+detail` before it looks up the mailbox.
 */
import { domainToASCII } from "node:url";

/**
 * Lower case for names and addresses: ASCII letters only. `toLowerCase` would turn look-alikes into ASCII (the
 * Kelvin sign into "k", "İ" into "i̇"), so a value checked after it would not be the value the user wrote.
 */
export const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (c) => c.toLowerCase());

export const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A lower-case ASCII host or domain name with at least two labels and a real top-level label. */
export function isDomainName(s: string): boolean {
  const labels = s.split(".");
  return (
    s.length <= 253 &&
    labels.length >= 2 &&
    labels.every((l) => LABEL.test(l)) &&
    /^[a-z]{2,63}$|^xn--/.test(labels[labels.length - 1])
  );
}

/**
 * What `s` is when it is not a domain name because of its characters (a phrase to follow `is "<given>", `), with
 * the punycode form to use for an internationalised name; undefined otherwise.
 */
export function domainProblem(s: string): string | undefined {
  if (isDomainName(s)) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(s)) {
    const ascii = domainToASCII(s);
    return ascii && isDomainName(ascii)
      ? `an internationalised name; DNS and the mail server need its ASCII (punycode) form: ${ascii}`
      : "a name with characters a domain name cannot have";
  }
  return undefined;
}

/** Characters with a meaning in a file or daemon, and that meaning, checked in this order. */
const MEANINGS: [RegExp, string][] = [
  // eslint-disable-next-line no-control-regex
  [/[\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/, "a line break or control character ends the line in every file it lands in"],
  [/\s/, "whitespace separates key and value in Postfix tables (and starts a continuation line)"],
  [/\|/, '"|" separates the fields of postfix-accounts.cf'],
  [/:/, '":" separates the fields of Dovecot\'s passwd-file (and user from password)'],
  [/,/, '"," separates the targets of an alias in postfix-virtual.cf'],
  [/#/, '"#" starts a comment in Postfix tables and Dovecot\'s passwd-file'],
  [/\//, '"/" separates path parts: the mailbox lives in /var/mail/<domain>/<user>'],
  [/%/, '"%" is rewritten by Postfix (user%domain becomes user@domain) and expanded by Dovecot'],
  [/!/, '"!" is rewritten by Postfix (host!user becomes user@host)'],
  [/["`$\\]/, 'quotes, "$" and "\\" are shell syntax in docker-mailserver\'s scripts'],
  [/[<>()[\];]/, 'brackets, ";" and "<>" are address syntax Postfix parses in alias targets'],
];

/** Where an address is used decides which characters its local part may have. */
export type AddressUse =
  /** An account or alias name: a mailbox path, a passwd-file login and a table key. */
  | "mailbox"
  /** An address at the domain that may carry a `+tag` (a blocked address, an alias target). */
  | "tagged"
  /** Someone else's address (an outside alias target, a report address). */
  | "outside";

const ALLOWED: Record<AddressUse, { chars: RegExp; say: string }> = {
  mailbox: { chars: /^[a-z0-9._-]+$/, say: 'letters, digits, ".", "-" and "_"' },
  tagged: { chars: /^[a-z0-9._+-]+$/, say: 'letters, digits, ".", "-", "_" and "+"' },
  outside: { chars: /^[a-z0-9._+='&~-]+$/, say: "letters, digits and . _ + - = ' & ~" },
};

/** Why a lower-case local part cannot be used this way, or undefined when it can. */
export function localPartProblem(local: string, use: AddressUse): string | undefined {
  if (!local) return "has an empty local part";
  if (local.length > 64) return "has a local part longer than 64 characters";
  for (const [chars, meaning] of MEANINGS) {
    const found = chars.exec(local);
    if (found) return `contains ${JSON.stringify(found[0])}: ${meaning}`;
  }
  if (use === "mailbox" && local.includes("+"))
    return `contains "+", the recipient delimiter: mail to ${local.split("+")[0]}+anything already reaches ${local.split("+")[0]}, and Dovecot would never deliver to this name`;
  if (!ALLOWED[use].chars.test(local)) return `may only use ${ALLOWED[use].say}`;
  if (local.startsWith("-")) return 'starts with "-", which docker-mailserver\'s scripts would read as an option';
  if (/^\.|\.\.|\.$/.test(local)) return 'has a "." at the start, at the end or twice in a row';
  return undefined;
}

/** Why a lower-case address cannot be used this way, or undefined when it can. */
export function addressProblem(address: string, use: AddressUse): string | undefined {
  const at = address.lastIndexOf("@");
  if (at < 0) return "is not an address (no @)";
  const domain = address.slice(at + 1);
  const domainIs = domainProblem(domain);
  return (
    localPartProblem(address.slice(0, at), use) ??
    (domainIs ? `has a domain that is ${domainIs}` : isDomainName(domain) ? undefined : "does not end in a domain name")
  );
}

export const isAddress = (address: string, use: AddressUse = "outside") => !addressProblem(address, use);

/** For renderers: throws when a value would change the structure of the file it is written to. */
export function assertSafe(value: string, ok: boolean, file: string): void {
  if (!ok)
    throw new Error(`refusing to write ${JSON.stringify(value)} into ${file}: it would change the file's structure`);
}
