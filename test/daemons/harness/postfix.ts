import { execFileSync } from "node:child_process";
import {
  appendFileSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { MailServerFiles } from "./from-plan";
import {
  DMS_SENDER_LOGIN_MAPS_PCRE,
  mainCf,
  masterCf,
  PostfixPaths,
  PostfixPorts,
  PostfixWiring,
  toScratchPaths,
  vmailboxFromAccounts,
} from "./postfix-config";
import { spawnWithSyslog, syslogPaths } from "./syslog";

export function postfixPaths(root: string): PostfixPaths {
  return {
    configDir: join(root, "postfix"),
    queueDir: join(root, "postfix-queue"),
    dataDir: join(root, "postfix-data"),
    log: join(root, "logs", "postfix.log"),
    syslog: syslogPaths(root),
    // The container's /tmp (test/daemons/harness/docker-stand-in.ts mounts it there): DMS's config directory
    // and its change detector's checksums live in it.
    dmsConfigDir: join(root, "container-tmp", "docker-mailserver"),
    resolvConf: join(root, "postfix", "resolv.conf"),
  };
}

const LOCK = "/tmp/mailstack-postconf.lock";

/** Serialises edits of the default main.cf between parallel test processes (mkdir is atomic). */
function withPostconfLock<T>(fn: () => T): T {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // a lock older than 30 s belongs to a process that died holding it
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 30_000) rmdirSync(LOCK);
      } catch {
        /* gone already */
      }
      if (Date.now() > deadline) throw new Error(`could not take ${LOCK}`);
      execFileSync("sleep", ["0.05"]);
    }
  }
  try {
    return fn();
  } finally {
    rmdirSync(LOCK);
  }
}

function alternateDirs(): string[] {
  const out = execFileSync("/usr/sbin/postconf", ["-h", "alternate_config_directories"], { encoding: "utf8" });
  return out.split(/[\s,]+/).filter(Boolean);
}

function setAlternateDirs(dirs: string[]): void {
  execFileSync("/usr/sbin/postconf", ["-e", `alternate_config_directories = ${dirs.join(" ")}`], { stdio: "ignore" });
}

/** `postfix -c DIR` only works when DIR is listed in the default main.cf's alternate_config_directories. */
export function registerConfigDir(dir: string): void {
  withPostconfLock(() => {
    const dirs = alternateDirs();
    if (!dirs.includes(dir)) setAlternateDirs([...dirs, dir]);
  });
}

export function unregisterConfigDir(dir: string): void {
  withPostconfLock(() => {
    const dirs = alternateDirs();
    if (dirs.includes(dir)) setAlternateDirs(dirs.filter((d) => d !== dir));
  });
}

/** The config volume (and the maps derived from it), there before any daemon starts. */
export function writeConfigVolume(p: PostfixPaths, files: MailServerFiles): void {
  for (const d of [p.configDir, p.dmsConfigDir]) mkdirSync(d, { recursive: true, mode: 0o755 });
  writeDmsConfig(p, files);
}

/** The instance's main.cf, master.cf and tables; the config volume is written first (writeConfigVolume). */
export function writePostfix(p: PostfixPaths, files: MailServerFiles, ports: PostfixPorts, o: PostfixWiring): void {
  for (const d of [p.dataDir, p.queueDir]) mkdirSync(d, { recursive: true, mode: 0o755 });
  chownSync(p.dataDir, Number(execFileSync("id", ["-u", "postfix"], { encoding: "utf8" })), 0);
  writeFileSync(join(p.configDir, "main.cf"), mainCf(files, p, o));
  writeFileSync(join(p.configDir, "master.cf"), masterCf(ports, o));
  if (o.dns) writeFileSync(p.resolvConf, `nameserver ${o.dns.host}\noptions timeout:2 attempts:2\n`);
  // Shipped by the image (target/postfix/sender_login_maps.pcre) and created at start by helpers/aliases.sh.
  writeFileSync(join(p.configDir, "sender_login_maps.pcre"), DMS_SENDER_LOGIN_MAPS_PCRE);
  writeFileSync(join(p.configDir, "regexp"), "");
  writeFileSync(join(p.configDir, "aliases"), `root: ${files.env.POSTMASTER_ADDRESS}\n`);
  execFileSync("/usr/sbin/postalias", [join(p.configDir, "aliases")]);
  applyMainOverride(p, files);
}

/**
 * setup.d/postfix.sh `__postfix__setup_override_configuration`: postfix-main.cf is appended to main.cf and
 * `postconf -n` rewrites it, so the later entries win. Its container paths are moved into the scratch folder.
 */
function applyMainOverride(p: PostfixPaths, files: MailServerFiles): void {
  const override = files.configFiles["postfix-main.cf"];
  if (override === undefined) return;
  appendFileSync(join(p.configDir, "main.cf"), toScratchPaths(override, p));
  // DMS filters postconf's "overriding earlier entry" warnings out of its log, as is done here.
  const merged = execFileSync("/usr/sbin/postconf", ["-c", p.configDir, "-n"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  writeFileSync(join(p.configDir, "main.cf"), merged);
}

/** The config directory as the container holds it, and what docker-mailserver derives from it at start. */
export function writeDmsConfig(p: PostfixPaths, files: MailServerFiles): void {
  for (const [name, content] of Object.entries(files.configFiles)) {
    mkdirSync(dirname(join(p.dmsConfigDir, name)), { recursive: true, mode: 0o755 });
    writeFileSync(join(p.dmsConfigDir, name), content);
  }
  writeDerivedMaps(p, files);
}

/**
 * What docker-mailserver derives from the config directory at start and on a detected change: the vhost list,
 * vmailbox, /etc/postfix/virtual (a copy of postfix-virtual.cf, empty without it) and, with relay credentials,
 * sasl_passwd and relayhost_map (helpers/relay.sh).
 */
export function writeDerivedMaps(p: PostfixPaths, files: MailServerFiles): void {
  writeFileSync(join(p.configDir, "virtual"), files.configFiles["postfix-virtual.cf"] ?? "");
  writeFileSync(join(p.configDir, "vhost"), files.domains.map((d) => `${d}\n`).join(""));
  writeFileSync(join(p.configDir, "vmailbox"), vmailboxFromAccounts(files.accountsCf));
  if (files.relay?.saslPasswd !== undefined)
    writeFileSync(join(p.configDir, "sasl_passwd"), files.relay.saslPasswd, { mode: 0o600 });
  if (files.relay?.relayhostMap !== undefined)
    writeFileSync(join(p.configDir, "relayhost_map"), files.relay.relayhostMap, { mode: 0o600 });
}

/** Every `postfix` command runs in the logging namespace, so the daemons it starts log to the harness's rsyslogd. */
function postfixCommand(p: PostfixPaths, command: string): { status: number | null } {
  const fd = openSync(p.log, "a");
  try {
    return spawnWithSyslog(
      p.syslog,
      ["/usr/sbin/postfix", "-c", p.configDir, command],
      { stdio: ["ignore", fd, fd], timeout: 60_000 },
      existsSync(p.resolvConf) ? p.resolvConf : "",
    );
  } finally {
    closeSync(fd);
  }
}

export function startPostfix(p: PostfixPaths): void {
  registerConfigDir(p.configDir);
  for (const command of ["check", "start"]) {
    const r = postfixCommand(p, command);
    if (r.status !== 0)
      throw new Error(`postfix -c ${p.configDir} ${command} exited ${r.status}; see ${p.log} and ${p.syslog.mailLog}`);
  }
}

/** texthash maps are read when a process starts: DMS runs `postfix reload` after regenerating them. */
export function reloadPostfix(p: PostfixPaths): void {
  postfixCommand(p, "reload");
}

/** `postfix flush`: retry the deferred queue now (after a daemon it delivers to is back). */
export function flushPostfix(p: PostfixPaths): void {
  postfixCommand(p, "flush");
}

export function stopPostfix(p: PostfixPaths): void {
  try {
    postfixCommand(p, "stop");
  } finally {
    unregisterConfigDir(p.configDir);
  }
}
