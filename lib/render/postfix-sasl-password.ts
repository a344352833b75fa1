/**
 * `postfix-sasl-password.cf`: the relay's credentials in the one form every docker-mailserver 15.x reads.
 * `RELAY_PASSWORD__FILE` only exists from 15.1.0 (older 15.x ignore it and relay without credentials), and an
 * environment variable would show in `docker inspect`. docker-mailserver's helpers/relay.sh (identical in
 * v15.0.0 and v15.1.0) copies this file's lines into /etc/postfix/sasl_passwd and, because the file exists,
 * enables `smtp_sasl_auth_enable = yes`, `smtp_sasl_security_options = noanonymous` and
 * `smtp_tls_security_level = encrypt` even without RELAY_USER/RELAY_PASSWORD; its change detector watches the
 * file too. The key must equal the relayhost string (`DEFAULT_RELAY_HOST`) for Postfix to find it.
 */
export interface SaslPasswordInput {
  host: string;
  port: number;
  username: string;
}

/** `[host]:port` — DEFAULT_RELAY_HOST, and the key of the credential line. */
export function relayHostKey(relay: { host: string; port: number }): string {
  return `[${relay.host}]:${relay.port}`;
}

export function renderPostfixSaslPassword(relay: SaslPasswordInput, password: string): string {
  return `${relayHostKey(relay)} ${relay.username}:${password}\n`;
}
