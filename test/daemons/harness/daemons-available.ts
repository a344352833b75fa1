import { existsSync } from "node:fs";

/** The binaries the harness runs (from the Debian packages postfix, dovecot-*, opendkim, rsyslog, logrotate, restic, pebble, lego, curl). */
export const DAEMON_BINARIES = [
  "/usr/sbin/postfix",
  "/usr/sbin/postconf",
  "/usr/sbin/dovecot",
  "/usr/bin/doveadm",
  "/usr/sbin/opendkim",
  "/usr/lib/dovecot/lmtp",
  "/usr/lib/dovecot/imap",
  "/usr/sbin/rsyslogd",
  "/usr/sbin/logrotate",
  "/usr/bin/restic",
  "/usr/bin/unshare",
  "/usr/bin/pebble",
  "/usr/bin/pebble-challtestsrv",
  "/usr/bin/lego",
  "/usr/bin/curl",
];

export function missingDaemons(): string[] {
  const missing = DAEMON_BINARIES.filter((b) => !existsSync(b));
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
  const missing = missingDaemons();
  if (missing.length) {
    throw new Error(
      `mail daemons missing: ${missing.join(", ")} (apt-get install postfix dovecot-core dovecot-imapd dovecot-lmtpd opendkim opendkim-tools rsyslog logrotate restic pebble lego curl)`,
    );
  }
}
