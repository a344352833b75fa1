/**
 * Which suites `npm test` runs and which `npm run test:daemons` runs (vitest.config.ts,
 * vitest.daemons.config.ts), the notice `npm test` ends with, and the check that no test leaves state in
 * the temporary directory.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Suites that run the real mail daemons: they need root and Debian's packages (README, "Tests"). */
export const DAEMON_SUITES = ["test/daemons/**/*.test.ts", "test/addresses/real-log.test.ts"];

/** What both configurations share. */
export const COMMON = {
  globalSetup: ["./test/support/suites.ts"],
  // Pulumi's mock runtime is process-global: each test file gets its own process.
  pool: "forks" as const,
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

/** `MAILSTACK_REQUIRE_DAEMONS=1 npm test` runs everything, as before the split (CI runs both commands). */
export const daemonsIncluded = () => process.env.MAILSTACK_REQUIRE_DAEMONS === "1";

const APT =
  "postfix postfix-pcre dovecot-core dovecot-imapd dovecot-lmtpd dovecot-sieve opendkim opendkim-tools rspamd " +
  "redis-server redis-tools rsyslog logrotate restic pebble lego curl";

/** A reporter that ends `npm test` with what it did not run and how to run it. */
export class DaemonSuitesNotice {
  onFinished(): void {
    if (daemonsIncluded()) return;
    process.stdout.write(
      [
        "",
        " NOTE  The real-daemon suites were skipped (not run by `npm test`): test/daemons/ and",
        "       test/addresses/real-log.test.ts run Postfix, Dovecot, OpenDKIM, Rspamd, restic and Pebble, and",
        "       need root. Run them with:  sudo npm run test:daemons",
        `       (Debian 12: apt-get install ${APT})`,
        "",
      ].join("\n"),
    );
  }
}

const CACHES = /^(tsx-|node-compile-cache$|v8-compile-cache)/;

/**
 * Global setup: every test process gets its own temporary directory (TMPDIR, which os.tmpdir() reads), and
 * the run fails when something is left in it — a test or fixture that does not clean up after itself.
 */
export default function isolateTmp(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-tests-"));
  // The daemons' unprivileged processes (postfix, dovecot) must be able to traverse into a test's folders.
  fs.chmodSync(dir, 0o755);
  process.env.TMPDIR = dir;
  return () => {
    // Compile caches (tsx's, Node's, v8-compile-cache's) live in the temporary directory: not a test's state.
    const left = fs.readdirSync(dir).filter((name) => !CACHES.test(name));
    fs.rmSync(dir, { recursive: true, force: true });
    if (left.length)
      throw new Error(`tests left state in the temporary directory (removed now): ${left.sort().join(", ")}`);
  };
}
