import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, closeSync, mkdirSync, openSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MailServerFiles } from "./from-container";
import { mainCf, masterCf, PostfixPaths, PostfixPorts, saslPasswd, vmailboxFromAccounts } from "./postfix-config";

export function postfixPaths(root: string): PostfixPaths {
  return {
    configDir: join(root, "postfix"),
    queueDir: join(root, "postfix-queue"),
    dataDir: join(root, "postfix-data"),
    log: join(root, "logs", "postfix.log"),
    dmsConfigDir: join(root, "config"),
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

/** Writes the uploaded DMS config files and the instance's main.cf, master.cf and derived maps. */
export function writePostfix(
  p: PostfixPaths,
  files: MailServerFiles,
  ports: PostfixPorts,
  o: { lmtpSocket: string; authSocket: string; certFile: string; keyFile: string },
): void {
  for (const d of [p.configDir, p.dmsConfigDir, p.dataDir, p.queueDir]) mkdirSync(d, { recursive: true, mode: 0o755 });
  chownSync(p.dataDir, Number(execFileSync("id", ["-u", "postfix"], { encoding: "utf8" })), 0);
  writeDmsConfig(p, files);
  writeFileSync(join(p.configDir, "main.cf"), mainCf(files, p, { ...o, dkimMilter: ports.dkimMilter }));
  writeFileSync(join(p.configDir, "master.cf"), masterCf(ports));
  if (files.relay) writeFileSync(join(p.configDir, "sasl_passwd"), saslPasswd(files.relay), { mode: 0o600 });
}

/** The maps derived from the accounts (DMS regenerates them on change): vhost list and vmailbox. */
export function writeDmsConfig(p: PostfixPaths, files: MailServerFiles): void {
  for (const name of ["postfix-accounts.cf", "postfix-virtual.cf", "postfix-receive-access.cf"]) {
    writeFileSync(join(p.dmsConfigDir, name), files.configFiles[name] ?? "");
  }
  writeFileSync(join(p.configDir, "vhost"), files.domains.map((d) => `${d}\n`).join(""));
  writeFileSync(join(p.configDir, "vmailbox"), vmailboxFromAccounts(files.accountsCf));
}

function postfixCommand(p: PostfixPaths, command: string): { status: number | null } {
  const fd = openSync(p.log, "a");
  try {
    return spawnSync("/usr/sbin/postfix", ["-c", p.configDir, command], { stdio: ["ignore", fd, fd], timeout: 60_000 });
  } finally {
    closeSync(fd);
  }
}

export function startPostfix(p: PostfixPaths): void {
  registerConfigDir(p.configDir);
  for (const command of ["check", "start"]) {
    const r = postfixCommand(p, command);
    if (r.status !== 0) throw new Error(`postfix -c ${p.configDir} ${command} exited ${r.status}; see ${p.log}`);
  }
}

/** texthash maps are read when a process starts: DMS runs `postfix reload` after regenerating them. */
export function reloadPostfix(p: PostfixPaths): void {
  postfixCommand(p, "reload");
}

export function stopPostfix(p: PostfixPaths): void {
  try {
    postfixCommand(p, "stop");
  } finally {
    unregisterConfigDir(p.configDir);
  }
}
