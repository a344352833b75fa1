import { ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { onCleanup } from "./cleanup";
import { assertDaemonsInstalled } from "./daemons-available";
import {
  dovecotConf,
  dovecotPaths,
  DovecotPaths,
  startDovecot,
  stopDovecot,
  writeDovecot,
  writeUserdb,
} from "./dovecot";
import { MailServerFiles } from "./from-container";
import { openDkimPaths, OpenDkimPaths, startOpenDkim, writeOpenDkim } from "./opendkim";
import { freePorts, waitForPorts } from "./ports";
import { PostfixPaths } from "./postfix-config";
import {
  flushPostfix,
  postfixPaths,
  reloadPostfix,
  startPostfix,
  stopPostfix,
  writeDmsConfig,
  writePostfix,
} from "./postfix";
import { rotateMailLog, startRsyslog } from "./syslog";

/** Loopback stand-ins for the container's published ports, plus the milter and the capture relay. */
export interface MailPorts {
  /** 25 */
  smtp: number;
  /** 587: STARTTLS required, AUTH only after it */
  submission: number;
  /** 465: implicit TLS */
  submissions: number;
  /** 143 */
  imap: number;
  /** 993 */
  imaps: number;
  /** OpenDKIM's milter (DMS: inet:localhost:8891) */
  dkimMilter: number;
  /** The capture relay standing in for smtp.resend.com:587 */
  relay: number;
}

export async function allocateMailPorts(): Promise<MailPorts> {
  const [smtp, submission, submissions, imap, imaps, dkimMilter, relay] = await freePorts(7);
  return { smtp, submission, submissions, imap, imaps, dkimMilter, relay };
}

function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return `(${file} does not exist)`;
  return `--- ${file}\n${readFileSync(file, "utf8").split("\n").slice(-lines).join("\n")}`;
}

/**
 * Postfix + Dovecot + OpenDKIM on 127.0.0.1, fed by the files the program hands the container and wired the
 * way docker-mailserver wires them. `stop()` (and the process exit handlers) stop everything it started.
 */
export class MailSystem {
  readonly postfix: PostfixPaths;
  readonly dovecot: DovecotPaths;
  readonly openDkim: OpenDkimPaths;
  readonly certFile: string;
  private stops: (() => void)[] = [];
  private dkimProcess?: ChildProcess;
  private rsyslogProcess?: ChildProcess;

  private constructor(
    readonly root: string,
    readonly files: MailServerFiles,
    readonly ports: MailPorts,
  ) {
    this.postfix = postfixPaths(root);
    this.dovecot = dovecotPaths(root);
    this.openDkim = openDkimPaths(root);
    this.certFile = join(root, "tls", "cert.pem");
  }

  static async start(files: MailServerFiles, ports: MailPorts): Promise<MailSystem> {
    assertDaemonsInstalled();
    // mkdtemp makes a 0700 folder: postfix and dovecot's unprivileged processes must traverse it.
    const root = mkdtempSync("/tmp/mailstack-daemons-");
    chmodSync(root, 0o755);
    const system = new MailSystem(root, files, ports);
    try {
      await system.boot();
    } catch (e) {
      await system.stop();
      throw new Error(`${(e as Error).message}\n${system.logs()}`, { cause: e });
    }
    return system;
  }

  private async boot(): Promise<void> {
    const { root, files, ports } = this;
    mkdirSync(join(root, "logs"), { recursive: true });
    mkdirSync(join(root, "tls"), { recursive: true, mode: 0o755 });
    const keyFile = join(root, "tls", "key.pem");
    writeFileSync(this.certFile, files.tls.cert);
    writeFileSync(keyFile, files.tls.key, { mode: 0o600 });

    // First up, last down: rsyslogd must be there for Postfix's first line and until its last.
    const rsyslog = await startRsyslog(this.postfix.syslog);
    this.rsyslogProcess = rsyslog;
    this.stops.push(
      onCleanup(() => {
        if (rsyslog.exitCode === null) rsyslog.kill("SIGTERM");
      }),
    );

    writeOpenDkim(this.openDkim, files.openDkim, ports.dkimMilter);
    const dkim = startOpenDkim(this.openDkim);
    this.dkimProcess = dkim;
    this.stops.push(
      onCleanup(() => {
        if (dkim.exitCode === null) dkim.kill("SIGTERM");
      }),
    );

    writeDovecot(
      this.dovecot,
      dovecotConf(this.dovecot, {
        hostname: files.hostname,
        imapPort: ports.imap,
        imapsPort: ports.imaps,
        certFile: this.certFile,
        keyFile,
      }),
      files.accountsCf,
    );
    this.stops.push(onCleanup(() => stopDovecot(this.dovecot)));
    startDovecot(this.dovecot);

    writePostfix(this.postfix, files, ports, {
      lmtpSocket: this.dovecot.lmtpSocket,
      authSocket: this.dovecot.authSocket,
      certFile: this.certFile,
      keyFile,
    });
    this.stops.push(onCleanup(() => stopPostfix(this.postfix)));
    startPostfix(this.postfix);

    await waitForPorts(
      [ports.dkimMilter, ports.imap, ports.imaps, ports.smtp, ports.submission, ports.submissions],
      20_000,
      () => this.logs(),
    );
  }

  /**
   * Applies a new rendering of the accounts the way DMS's change detection does: regenerate the userdb and
   * Postfix maps, then `postfix reload` (Dovecot's passwd-file re-reads a changed file by itself).
   */
  applyAccounts(next: MailServerFiles): void {
    writeUserdb(this.dovecot, next.accountsCf);
    writeDmsConfig(this.postfix, next);
    reloadPostfix(this.postfix);
  }

  /** Stops Dovecot (LMTP deliveries are then deferred), or starts it again and retries the deferred queue. */
  setDovecotRunning(running: boolean): void {
    if (!running) return stopDovecot(this.dovecot);
    startDovecot(this.dovecot);
    flushPostfix(this.postfix);
  }

  /** DMS's `/var/log/mail/` of this system: mail.log (and its rotations after `rotateMailLog`). */
  get mailLogDir(): string {
    return this.postfix.syslog.mailLogDir;
  }

  /** Rotates mail.log the way the container's logrotate does (mail.log.1, then mail.log.N.gz). */
  rotateMailLog(): void {
    rotateMailLog(this.postfix.syslog);
  }

  /** The tails of every daemon log, for failure messages. */
  logs(): string {
    return [this.postfix.syslog.mailLog, this.postfix.log, this.dovecot.log, this.openDkim.log, this.postfix.syslog.log]
      .map((f) => tail(f))
      .join("\n");
  }

  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) {
      try {
        stop();
      } catch {
        /* keep stopping the rest */
      }
    }
    for (const child of [this.dkimProcess, this.rsyslogProcess])
      if (child && child.exitCode === null)
        await new Promise((r) => {
          child.once("exit", r);
          setTimeout(r, 3000);
        });
    if (process.env.MAILSTACK_KEEP_SCRATCH !== "1") rmSync(this.root, { recursive: true, force: true });
  }
}
