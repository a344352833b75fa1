/**
 * `dovecot.cf`, which docker-mailserver copies to /etc/dovecot/local.conf at start (setup.d/dovecot.sh at
 * v15.1.0), included last by Debian's dovecot.conf (`!include_try local.conf`).
 *
 * Dovecot's default `shutdown_clients = yes` ends every IMAP session when Dovecot is reloaded (doc.dovecot.org
 * 2.3, General Backend Settings), and docker-mailserver's change detector runs `dovecot reload` after every
 * change to the accounts or aliases (check-for-changes.sh `_handle_changes`): each new alias would log every
 * mail client out. With `no`, sessions under way keep running; nothing a reload changes here affects them
 * (storage settings never change without a new container), and the sessions of an account whose password
 * changed are ended one by one (lib/render/live-apply.ts, `accounts`).
 */
export function renderDovecotLocal(): string {
  return [
    "# mailstack: a reload (docker-mailserver's change detector) leaves IMAP sessions under way alone.\n",
    "shutdown_clients = no\n",
  ].join("");
}
