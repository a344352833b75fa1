import { existsSync } from "node:fs";

/**
 * The binaries the harness runs (from the Debian packages postfix, dovecot-*, dovecot-sieve, opendkim, rsyslog,
 * logrotate, restic, pebble, lego, curl).
 */
export const DAEMON_BINARIES = [
  "/usr/sbin/postfix",
  "/usr/sbin/postconf",
  "/usr/sbin/dovecot",
  "/usr/bin/doveadm",
  "/usr/sbin/opendkim",
  "/usr/lib/dovecot/lmtp",
  "/usr/lib/dovecot/imap",
  "/usr/lib/dovecot/modules/lib90_sieve_plugin.so",
  "/usr/bin/sievec",
  "/usr/sbin/rsyslogd",
  "/usr/sbin/logrotate",
  "/usr/bin/restic",
  "/usr/bin/unshare",
  "/usr/bin/pebble",
  "/usr/bin/pebble-challtestsrv",
  "/usr/bin/lego",
  "/usr/bin/curl",
];

/** What the spam filter adds (Debian packages rspamd, redis-server and redis-tools; imapsieve from dovecot-sieve). */
export const FILTER_BINARIES = [
  "/usr/bin/rspamd",
  "/usr/bin/rspamc",
  "/usr/bin/redis-server",
  "/usr/bin/redis-cli",
  "/usr/lib/dovecot/modules/lib95_imap_sieve_plugin.so",
];

const APT =
  "apt-get install postfix dovecot-core dovecot-imapd dovecot-lmtpd dovecot-sieve opendkim opendkim-tools rsyslog logrotate restic pebble lego curl rspamd redis-server redis-tools";

export function missingDaemons(binaries = [...DAEMON_BINARIES, ...FILTER_BINARIES]): string[] {
  const missing = binaries.filter((b) => !existsSync(b));
  if (process.getuid?.() !== 0) missing.push("root (postfix -c, dovecot -c and the logging mount namespace need it)");
  return missing;
}

/** CI sets this so that a machine without the daemons fails the suite instead of skipping it. */
export const REQUIRE_DAEMONS = process.env.MAILSTACK_REQUIRE_DAEMONS === "1";

/**
 * Whether the daemon suites run: true when everything is installed; false (skip) when something is missing,
 * unless MAILSTACK_REQUIRE_DAEMONS=1, in which case the suite runs and its setup fails naming what is missing.
 */
export function daemonsRunnable(): boolean {
  return REQUIRE_DAEMONS || missingDaemons().length === 0;
}

export function assertDaemonsInstalled(): void {
  const missing = missingDaemons(DAEMON_BINARIES);
  if (missing.length) throw new Error(`mail daemons missing: ${missing.join(", ")} (${APT})`);
}

export function assertFilterInstalled(): void {
  const missing = missingDaemons(FILTER_BINARIES);
  if (missing.length) throw new Error(`spam filter missing: ${missing.join(", ")} (${APT})`);
}
