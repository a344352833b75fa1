/**
 * `postfix-sasl-password.cf`: the relay's credentials in the one form every docker-mailserver 15.x reads.
 * `RELAY_PASSWORD__FILE` only exists from 15.1.0 (older 15.x ignore it and relay without credentials), and an
 * environment variable would show in `docker inspect`. docker-mailserver's helpers/relay.sh (identical in
 * v15.0.0 and v15.1.0) copies this file's lines into /etc/postfix/sasl_passwd and, because the file exists,
 * enables `smtp_sasl_auth_enable = yes`, `smtp_sasl_security_options = noanonymous` and
 * `smtp_tls_security_level = encrypt` even without RELAY_USER/RELAY_PASSWORD; its change detector watches the
 * file too. The key must equal the relayhost string (`DEFAULT_RELAY_HOST`) for Postfix to find it.
 */
import { assertSafe, isDomainName } from "../mail-syntax";

export interface SaslPasswordInput {
  host: string;
  port: number;
  username: string;
}

/** `[host]:port` — DEFAULT_RELAY_HOST, and the key of the credential line. */
export function relayHostKey(relay: { host: string; port: number }): string {
  assertSafe(relay.host, isDomainName(relay.host), "the relay host");
  assertSafe(
    String(relay.port),
    Number.isInteger(relay.port) && relay.port > 0 && relay.port < 65536,
    "the relay host",
  );
  return `[${relay.host}]:${relay.port}`;
}

/**
 * `[host]:port user:password`. Postfix's table ends the line at a line break and trims the value; its SMTP client
 * splits the value at the first `:`. So the username holds no whitespace or `:` and the password no line break
 * and no whitespace at either end (config validation refuses them first; lib/config-relay.ts).
 */
export function renderPostfixSaslPassword(relay: SaslPasswordInput, password: string): string {
  return renderSaslLine(relayHostKey(relay), relay.username, password);
}

/**
 * One line: `key user:password`, keyed by the relay host (`[host]:port`) or by sender domain (`@domain`, read
 * with `smtp_sender_dependent_authentication`, lib/plan/relay-routes.ts).
 */
export function renderSaslLine(key: string, username: string, password: string): string {
  // eslint-disable-next-line no-control-regex
  assertSafe(username, !/[\s\x00-\x1f\x7f:'"`$\\]/.test(username), "postfix-sasl-password.cf");
  assertSafe(
    "(the relay password)",
    // eslint-disable-next-line no-control-regex
    !/[\x00-\x1f\x7f]/.test(password) && password.trim() === password,
    "postfix-sasl-password.cf",
  );
  return `${key} ${username}:${password}\n`;
}
