/**
 * OpenDKIM's files, one renderer each, in the layout docker-mailserver's `setup config dkim` writes: the
 * KeyTable and SigningTable have one line per domain, the key of each domain is a file of its own.
 */
import { OPENDKIM_DIR } from "./dms-paths";
import { assertSafe, isDomainName, LABEL } from "../mail-syntax";

export interface DkimSigner {
  domain: string;
  selector: string;
}

/** Path of the domain's private key inside the config directory (relative), as `setup config dkim` lays it out. */
export function dkimKeyPath({ domain, selector }: DkimSigner): string {
  return `opendkim/keys/${domain}/${selector}.private`;
}

/** `opendkim/KeyTable`: which key signs as which record. */
export function renderKeyTable(signers: DkimSigner[]): string {
  // `name domain:selector:path`, so neither may hold ":", "/" or whitespace.
  for (const { domain, selector } of signers) {
    assertSafe(domain, isDomainName(domain), "OpenDKIM's KeyTable");
    assertSafe(
      selector,
      selector.split(".").every((l) => LABEL.test(l)),
      "OpenDKIM's KeyTable",
    );
  }
  return signers
    .map(({ domain, selector }) => {
      const record = `${selector}._domainkey.${domain}`;
      return `${record} ${domain}:${selector}:${OPENDKIM_DIR}/keys/${domain}/${selector}.private\n`;
    })
    .join("");
}

/** `opendkim/SigningTable`: every sender at the domain is signed with its key. */
export function renderSigningTable(signers: DkimSigner[]): string {
  return signers.map(({ domain, selector }) => `*@${domain} ${selector}._domainkey.${domain}\n`).join("");
}

/** `opendkim/TrustedHosts`: mail from these is signed rather than verified. */
export function renderTrustedHosts(): string {
  return "127.0.0.1\nlocalhost\n";
}
