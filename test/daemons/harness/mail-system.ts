import { ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { onCleanup } from "./cleanup";
import { assertDaemonsInstalled, assertFilterInstalled } from "./daemons-available";
import {
  dovecotConf,
  dovecotPaths,
  DovecotPaths,
  sieveWiring,
  startDovecot,
  stopDovecot,
  writeDovecot,
  writeUserdb,
} from "./dovecot";
import { MailServerFiles } from "./from-plan";
import { openDkimPaths, OpenDkimPaths, startOpenDkim, writeOpenDkim } from "./opendkim";
import { RspamdPaths, rspamdPaths, startRedis, startRspamd, writeRspamd } from "./rspamd";
import { FakeDnsServer } from "../../support/dns-server";
import { freePorts, waitForPorts } from "./ports";
import { PostfixPaths } from "./postfix-config";
import {
  flushPostfix,
  postfixPaths,
  reloadPostfix,
  startPostfix,
  stopPostfix,
  writeConfigVolume,
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
  /** Rspamd's milter (DMS: 11332), controller (11334), unused normal worker (11333) and Redis (6379). */
  rspamdProxy: number;
  rspamdController: number;
  rspamdNormal: number;
  redis: number;
}

export async function allocateMailPorts(): Promise<MailPorts> {
  const [
    smtp,
    submission,
    submissions,
    imap,
    imaps,
    dkimMilter,
    relay,
    rspamdProxy,
    rspamdController,
    rspamdNormal,
    redis,
  ] = await freePorts(11);
  return {
    smtp,
    submission,
    submissions,
    imap,
    imaps,
    dkimMilter,
    relay,
    rspamdProxy,
    rspamdController,
    rspamdNormal,
    redis,
  };
}

export interface MailSystemOptions {
  /**
   * The test's DNS server, on port 53 of a loopback address (loopback-stack.ts starts one). With it the daemons
   * resolve names through it alone, and what needs DNS is wired as in the container: postscreen (with
   * ENABLE_DNSBL its blocklists), client host names and Rspamd. Rspamd (ENABLE_RSPAMD=1) requires it.
   */
  dns?: FakeDnsServer;
}

/** How long Rspamd may take to listen: it compiles its regular expressions (hyperscan) on a fresh start. */
const RSPAMD_START_MS = 180_000;

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
  readonly rspamd: RspamdPaths;
  readonly certFile: string;
  private stops: (() => void)[] = [];
  private children: ChildProcess[] = [];
  /** Rspamd's main process, when it runs (its workers are its children). */
  rspamdProcess?: ChildProcess;
  redisProcess?: ChildProcess;
  openDkimProcess?: ChildProcess;

  private constructor(
    readonly root: string,
    readonly files: MailServerFiles,
    readonly ports: MailPorts,
    readonly options: MailSystemOptions,
  ) {
    this.postfix = postfixPaths(root);
    this.dovecot = dovecotPaths(root);
    this.openDkim = openDkimPaths(root);
    this.rspamd = rspamdPaths(root);
    this.certFile = join(root, "tls", "cert.pem");
  }

  /** `127.0.0.1:PORT` of Rspamd's controller, where `rspamc` and the learn scripts talk to it. */
  get rspamdController(): string {
    return `127.0.0.1:${this.ports.rspamdController}`;
  }

  static async start(files: MailServerFiles, ports: MailPorts, options: MailSystemOptions = {}): Promise<MailSystem> {
    assertDaemonsInstalled();
    if (files.env.ENABLE_RSPAMD === "1") assertFilterInstalled();
    if (files.env.ENABLE_RSPAMD === "1" && !options.dns)
      throw new Error("Rspamd needs the test's DNS server (MailSystem.start options.dns), or it would ask the host's");
    // mkdtemp makes a 0700 folder: postfix and dovecot's unprivileged processes must traverse it.
    const root = mkdtempSync(join(tmpdir(), "mailstack-daemons-"));
    chmodSync(root, 0o755);
    const system = new MailSystem(root, files, ports, options);
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
    this.track(await startRsyslog(this.postfix.syslog));

    writeConfigVolume(this.postfix, files);
    // DMS's start order (start-mailserver.sh): Dovecot, Redis, Rspamd, OpenDKIM, then Postfix.
    const sieve = sieveWiring(files.env, this.rspamdController);
    writeDovecot(
      this.dovecot,
      // dovecot.cf is DMS's local.conf, which Debian's dovecot.conf includes last.
      dovecotConf(this.dovecot, {
        hostname: files.hostname,
        imapPort: ports.imap,
        imapsPort: ports.imaps,
        certFile: this.certFile,
        keyFile,
        sieve,
      }) + (files.configFiles["dovecot.cf"] ?? ""),
      files.accountsCf,
      files.virtualCf,
      sieve,
    );
    this.stops.push(onCleanup(() => stopDovecot(this.dovecot)));
    startDovecot(this.dovecot);

    const rspamd = files.env.ENABLE_RSPAMD === "1";
    if (rspamd) {
      writeRspamd(this.rspamd, files, {
        ports,
        nameserver: this.options.dns!.address,
        dmsConfigDir: this.postfix.dmsConfigDir,
      });
      if ((files.env.ENABLE_RSPAMD_REDIS ?? files.env.ENABLE_RSPAMD) === "1")
        this.redisProcess = this.track(startRedis(this.rspamd));
      this.rspamdProcess = this.track(startRspamd(this.rspamd));
    }

    if (files.openDkim) {
      writeOpenDkim(this.openDkim, files.openDkim, ports.dkimMilter, this.options.dns?.host);
      this.openDkimProcess = this.track(startOpenDkim(this.openDkim));
    }

    writePostfix(this.postfix, files, ports, {
      lmtpSocket: this.dovecot.lmtpSocket,
      authSocket: this.dovecot.authSocket,
      certFile: this.certFile,
      keyFile,
      dkimMilter: files.openDkim ? `inet:127.0.0.1:${ports.dkimMilter}` : undefined,
      rspamdMilter: rspamd ? `inet:127.0.0.1:${ports.rspamdProxy}` : undefined,
      dns: this.options.dns && { host: this.options.dns.host },
    });
    this.stops.push(onCleanup(() => stopPostfix(this.postfix)));
    startPostfix(this.postfix);

    await waitForPorts(
      [
        ...(files.openDkim ? [ports.dkimMilter] : []),
        ports.imap,
        ports.imaps,
        ports.smtp,
        ports.submission,
        ports.submissions,
      ],
      20_000,
      () => this.logs(),
    );
    // Postfix accepts mail meanwhile (milter_default_action = accept): a test must not send before this.
    if (rspamd)
      await waitForPorts([ports.redis, ports.rspamdProxy, ports.rspamdController], RSPAMD_START_MS, () => this.logs());
  }

  /** A daemon run as our child: stopped by PID with SIGTERM (also by the exit handlers), awaited in stop(). */
  private track(child: ChildProcess): ChildProcess {
    this.children.push(child);
    this.stops.push(
      onCleanup(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      }),
    );
    return child;
  }

  /**
   * Applies a new rendering of the accounts the way DMS's change detection does: regenerate the userdb and
   * Postfix maps, then `postfix reload` (Dovecot's passwd-file re-reads a changed file by itself).
   */
  applyAccounts(next: MailServerFiles): void {
    writeUserdb(this.dovecot, next.accountsCf, next.virtualCf);
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
    return [
      this.postfix.syslog.mailLog,
      this.postfix.log,
      this.dovecot.log,
      ...(this.files.openDkim ? [this.openDkim.log] : []),
      ...(this.rspamdProcess ? [this.rspamd.log, this.rspamd.redisLog] : []),
      this.postfix.syslog.log,
    ]
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
    for (const child of this.children.splice(0))
      if (child.exitCode === null && child.signalCode === null)
        await new Promise((r) => {
          child.once("exit", r);
          setTimeout(r, 10_000);
        });
    if (process.env.MAILSTACK_KEEP_SCRATCH !== "1") rmSync(this.root, { recursive: true, force: true });
  }
}
