/**
 * docker-mailserver's changedetector service on the harness's daemons (target/scripts/check-for-changes.sh and
 * helpers/change-detection.sh at v15.1.0): every DMS_CONFIG_POLL (2) seconds it hashes the watched files of
 * the config directory like `sha512sum`, and when a line differs from its checksum file it regenerates what
 * derives from the changed files (userdb, vmailbox, vhost, /etc/postfix/virtual, sasl_passwd), runs
 * `postfix reload` and `dovecot reload`, and only then replaces the checksum file with the new hashes.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CONFIG_DIR } from "../../../lib/render/dms-paths";
import { DMS_CHECKSUMS } from "../../../lib/render/live-apply";
import { reloadDovecot, writeUserdb } from "./dovecot";
import { MailServerFiles, withConfigFiles } from "./from-plan";
import { MailSystem } from "./mail-system";
import { reloadPostfix, writeDerivedMaps } from "./postfix";

/** helpers/change-detection.sh `_monitored_files_checksums`, the config directory's part. */
const WATCHED = [
  "postfix-accounts.cf",
  "postfix-virtual.cf",
  "postfix-regexp.cf",
  "postfix-aliases.cf",
  "postfix-relaymap.cf",
  "postfix-sasl-password.cf",
  "dovecot-quotas.cf",
  "dovecot-masters.cf",
];

export class ChangeDetector {
  /** The checksum file, in the container's /tmp beside the config directory. */
  readonly checksumFile: string;
  private files: MailServerFiles;
  private timer?: NodeJS.Timeout;
  /** When each detected change was applied (the checksum file replaced), for the benchmark. */
  readonly applied: { at: number; files: string[] }[] = [];

  /** `rewrite` is the harness's one change to what the program wrote (relay host → the capture relay). */
  constructor(
    private readonly system: MailSystem,
    private readonly rewrite: (f: MailServerFiles) => MailServerFiles = (f) => f,
    private readonly pollMs = 2000,
  ) {
    this.files = system.files;
    this.checksumFile = join(dirname(system.postfix.dmsConfigDir), basename(DMS_CHECKSUMS));
  }

  /** setup-stack.sh `_setup_post`: the snapshot taken once the start-up is done; then the poll loop. */
  start(): void {
    writeFileSync(this.checksumFile, this.checksums());
    this.timer = setInterval(() => this.check(), this.pollMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private checksums(): string {
    return WATCHED.filter((f) => existsSync(join(this.system.postfix.dmsConfigDir, f)))
      .map((f) => {
        const hash = createHash("sha512")
          .update(readFileSync(join(this.system.postfix.dmsConfigDir, f)))
          .digest("hex");
        return `${hash}  ${CONFIG_DIR}/${f}\n`;
      })
      .join("");
  }

  /** check-for-changes.sh `_check_for_changes`, with `_get_changed_files` and `_handle_changes`. */
  private check(): void {
    const next = this.checksums();
    const current = readFileSync(this.checksumFile, "utf8");
    if (next === current) return;
    const old = new Set(current.split("\n"));
    const changed = next
      .split("\n")
      .filter((l) => l && !old.has(l))
      .map((l) => basename(l.replace(/^\S+\s+/, "")));
    const contents = Object.fromEntries(
      changed.map((f) => [f, readFileSync(join(this.system.postfix.dmsConfigDir, f), "utf8")]),
    );
    this.files = this.rewrite(withConfigFiles(this.files, contents));
    // `_create_accounts` (with the aliases' dummy accounts) runs when either file changed (check-for-changes.sh).
    if (changed.includes("postfix-accounts.cf") || changed.includes("postfix-virtual.cf"))
      writeUserdb(this.system.dovecot, this.files.accountsCf, this.files.virtualCf);
    writeDerivedMaps(this.system.postfix, this.files);
    reloadPostfix(this.system.postfix);
    reloadDovecot(this.system.dovecot);
    writeFileSync(`${this.checksumFile}.new`, next);
    renameSync(`${this.checksumFile}.new`, this.checksumFile);
    this.applied.push({ at: performance.now(), files: changed });
  }
}
