/**
 * TLS-RPT (RFC 8460): a TXT record `_smtp._tls.<domain>` asks sending servers for daily reports of their TLS
 * connections to the domain's MX (failures included), which is how one learns that MTA-STS could be enforced.
 */

/**
 * A TLS-RPT report URI (RFC 8460 §3): an address becomes `mailto:` with its local part percent-encoded, and
 * with `!` and `,` encoded too, which the record's URI list reserves; an `https:` URL is kept as it is.
 */
export function tlsRptUri(target: string): string {
  if (/^https:\/\//i.test(target)) return target;
  const address = target.replace(/^mailto:/i, "");
  const at = address.lastIndexOf("@");
  const local = encodeURIComponent(address.slice(0, at)).replace(/!/g, "%21");
  return `mailto:${local}@${address.slice(at + 1)}`;
}

/** The `_smtp._tls` TXT value (RFC 8460 §3): `v=TLSRPTv1; rua=<uri>[,<uri>…]`. */
export function tlsRptTxtValue(rua: string[]): string {
  return `v=TLSRPTv1; rua=${rua.join(",")}`;
}
