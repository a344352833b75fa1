import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MailServerFiles } from "./from-plan";

/**
 * Rspamd and its Redis, set up the way docker-mailserver 15.1.0 sets them up (Dockerfile: `COPY
 * target/rspamd/local.d/ /etc/rspamd/local.d/`; startup: setup.d/security/rspamd.sh; daemons: supervisor's
 * dms-services.conf `rspamd --no-fork --user=_rspamd --group=_rspamd` and `redis-server /etc/redis/redis.conf`),
 * with the Debian package's own /etc/rspamd as the stock configuration. Only the local.d/override.d directory
 * moves: `--var LOCAL_CONFDIR=` points Rspamd at a scratch copy, as `--var DBDIR/RUNDIR/LOGDIR` do for its state.
 * What differs from the container is listed in `loopbackChanges` (ports, addresses, the DNS server).
 */

/** The image's target/rspamd/local.d at v15.1.0, byte for byte (see dms-v15.1.0/README.md). */
const DMS_LOCAL_D = join(__dirname, "dms-v15.1.0", "rspamd", "local.d");
/** The config volume's Rspamd directory, relative to /tmp/docker-mailserver (helpers/rspamd.sh RSPAMD_DMS_D). */
const DMS_RSPAMD_D = "rspamd";

export interface RspamdPaths {
  dir: string;
  /** LOCAL_CONFDIR: holds local.d/ and override.d/ (the container's /etc/rspamd). */
  localConfDir: string;
  dbDir: string;
  runDir: string;
  /** DMS: /var/log/mail/rspamd.log (supervisor writes Rspamd's console log there). */
  log: string;
  redisConf: string;
  redisDir: string;
  redisLog: string;
}

export function rspamdPaths(root: string): RspamdPaths {
  const dir = join(root, "rspamd");
  return {
    dir,
    localConfDir: join(dir, "etc"),
    dbDir: join(dir, "db"),
    runDir: join(dir, "run"),
    log: join(root, "logs", "rspamd.log"),
    redisConf: join(dir, "redis.conf"),
    redisDir: join(dir, "redis"),
    redisLog: join(root, "logs", "rspamd-redis.log"),
  };
}

export interface RspamdPorts {
  /** The milter (DMS: worker-proxy.inc, 127.0.0.1:11332). */
  rspamdProxy: number;
  /** The controller: web interface, `rspamc learn_*` (DMS: worker-controller.inc, 0.0.0.0:11334). */
  rspamdController: number;
  /** Unused: DMS disables the normal worker (worker-normal.inc, 11333); moved so nothing could clash. */
  rspamdNormal: number;
  /** DMS: 127.0.0.1:6379 (local.d/redis.conf and /etc/redis/redis.conf). */
  redis: number;
}

const flag = (env: Record<string, string>, name: string, dmsDefault: string) => (env[name] ?? dmsDefault) === "1";

/** The module switch rspamd.sh writes (`__rspamd__helper__enable_disable_module`). */
const moduleSwitch = (module: string, enabled: boolean) =>
  `# documentation: https://rspamd.com/doc/modules/${module}.html\n\nenabled = ${enabled};\n\n`;

/**
 * /etc/rspamd/local.d after rspamd.sh's `_setup_rspamd` ran with this env (defaults from
 * startup/variables-stack.sh), starting from the image's files. Each step names the function it follows.
 */
export function dmsLocalD(env: Record<string, string>): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(DMS_LOCAL_D)) files[name] = readFileSync(join(DMS_LOCAL_D, name), "utf8");

  // __rspamd__setup_redis (ENABLE_RSPAMD_REDIS defaults to ENABLE_RSPAMD)
  if (flag(env, "ENABLE_RSPAMD_REDIS", env.ENABLE_RSPAMD ?? "0")) {
    files["redis.conf"] = `# documentation: https://rspamd.com/doc/configuration/redis.html

servers = "127.0.0.1:6379";
expand_keys = true;

`;
    files["history_redis.conf"] = `# documentation: https://rspamd.com/doc/modules/history_redis.html

key_prefix = "rs_history{{COMPRESS}}";

`;
  }
  // __rspamd__setup_clamav: the harness runs no ClamAV.
  if (flag(env, "ENABLE_CLAMAV", "0")) throw new Error("the loopback harness runs no ClamAV (ENABLE_CLAMAV=1)");
  // __rspamd__setup_default_modules
  for (const module of ["clickhouse", "elastic", "reputation", "spamassassin", "url_redirector", "metric_exporter"])
    files[`${module}.conf`] = moduleSwitch(module, false);
  // __rspamd__setup_learning changes Dovecot only (see dovecot.ts); __rspamd__setup_greylisting:
  if (flag(env, "RSPAMD_GREYLISTING", "0"))
    files["greylist.conf"] = files["greylist.conf"].replace(/(enabled =).*/g, "$1 true;");
  // __rspamd__setup_hfilter_group
  if (!flag(env, "RSPAMD_HFILTER", "1")) delete files["hfilter_group.conf"];
  else if ((env.RSPAMD_HFILTER_HOSTNAME_UNKNOWN_SCORE ?? "6") !== "6")
    files["hfilter_group.conf"] = files["hfilter_group.conf"].replace(
      /(.*score =).*(# __TAG__HFILTER_HOSTNAME_UNKNOWN)/g,
      `$1 ${env.RSPAMD_HFILTER_HOSTNAME_UNKNOWN_SCORE}; $2`,
    );
  // __rspamd__setup_neural
  if (!flag(env, "RSPAMD_NEURAL", "0")) {
    delete files["neural_group.conf"];
    files["neural.conf"] = moduleSwitch("neural", false);
  }
  // __rspamd__setup_check_authenticated: the sed deletes the block between the two tags.
  if (flag(env, "RSPAMD_CHECK_AUTHENTICATED", "0"))
    files["settings.conf"] = files["settings.conf"].replace(
      /# DMS::SED_TAG::1::START[^]*?# DMS::SED_TAG::1::END\n?/,
      "",
    );
  return files;
}

/**
 * The loopback changes, each a replacement in one file (so a changed upstream file fails loudly here instead
 * of silently running something else):
 * - the workers and Redis move to free ports, and the controller to 127.0.0.1 instead of 0.0.0.0;
 * - `local_networks` 127.0.0.1/8 becomes 127.0.0.1/32: in the container 127/8 is the container itself; here
 *   other 127.x addresses play clients on the internet (mynetworks gets the same change, postfix-config.ts);
 * - Rspamd asks the test's DNS server: in the container it uses resolv.conf's (DMS sets no `dns` option).
 */
function loopbackChanges(files: Record<string, string>, ports: RspamdPorts, nameserver: string): void {
  const replace = (file: string, from: string, to: string) => {
    if (!files[file]?.includes(from)) throw new Error(`rspamd local.d/${file} no longer contains ${from}`);
    files[file] = files[file].replace(from, to);
  };
  replace("worker-proxy.inc", "127.0.0.1:11332", `127.0.0.1:${ports.rspamdProxy}`);
  replace("worker-controller.inc", "0.0.0.0:11334", `127.0.0.1:${ports.rspamdController}`);
  replace("worker-normal.inc", "127.0.0.1:11333", `127.0.0.1:${ports.rspamdNormal}`);
  if (files["redis.conf"]) replace("redis.conf", "127.0.0.1:6379", `127.0.0.1:${ports.redis}`);
  replace("options.inc", "127.0.0.1/8,", "127.0.0.1/32,");
  files["options.inc"] += `
# loopback harness: the test's DNS server stands in for the container's resolv.conf nameserver.
dns {
  nameserver = ["${nameserver}"];
}
`;
}

/** `/etc/redis/redis.conf` after rspamd.sh's sed (`__rspamd__setup_redis`), then moved to the scratch folder. */
export function dmsRedisConf(debianConf: string, p: RspamdPaths, port: number): string {
  const set = (text: string, key: string, value: string) => {
    const re = new RegExp(`^(${key})\\b.*$`, "gm");
    if (!re.test(text)) throw new Error(`/etc/redis/redis.conf has no ${key} line`);
    return text.replace(re, `$1 ${value}`);
  };
  let conf = debianConf;
  // DMS's values: bind 127.0.0.1, daemonize no, port 6379, loglevel warning, logfile "", dir /var/lib/redis,
  // dbfilename dms-dump.rdb. The port, dir and pidfile (Debian's /run/redis/…) move for the loopback run.
  conf = set(conf, "bind", "127.0.0.1");
  conf = set(conf, "daemonize", "no");
  conf = set(conf, "port", String(port));
  conf = set(conf, "loglevel", "warning");
  conf = set(conf, "logfile", '""');
  conf = set(conf, "dir", p.redisDir);
  conf = set(conf, "dbfilename", "dms-dump.rdb");
  conf = set(conf, "pidfile", join(p.redisDir, "redis-server.pid"));
  return conf;
}

/**
 * Writes LOCAL_CONFDIR (local.d from dmsLocalD plus the loopback changes; override.d copied from the config
 * volume's rspamd/override.d as `__rspamd__run_early_setup_and_checks` does) and the Redis config. The config
 * volume's rspamd/dkim belongs to _rspamd (setup-stack.sh `_setup_directory_and_file_permissions`).
 */
export function writeRspamd(
  p: RspamdPaths,
  files: MailServerFiles,
  o: { ports: RspamdPorts; nameserver: string; dmsConfigDir: string },
): void {
  const localD = dmsLocalD(files.env);
  loopbackChanges(localD, o.ports, o.nameserver);
  for (const d of ["local.d", "override.d"]) mkdirSync(join(p.localConfDir, d), { recursive: true, mode: 0o755 });
  for (const [name, content] of Object.entries(localD)) writeFileSync(join(p.localConfDir, "local.d", name), content);
  const overridePrefix = `${DMS_RSPAMD_D}/override.d/`;
  for (const [rel, content] of Object.entries(files.configFiles))
    if (rel.startsWith(overridePrefix))
      writeFileSync(
        join(p.localConfDir, "override.d", rel.slice(overridePrefix.length)),
        content.replaceAll("/tmp/docker-mailserver/", `${o.dmsConfigDir}/`),
      );
  for (const d of [p.dbDir, p.runDir, p.redisDir]) mkdirSync(d, { recursive: true, mode: 0o755 });
  execFileSync("chown", ["-R", "_rspamd:_rspamd", p.dbDir, p.runDir]);
  const dkimDir = join(o.dmsConfigDir, DMS_RSPAMD_D, "dkim");
  if (Object.keys(files.configFiles).some((rel) => rel.startsWith(`${DMS_RSPAMD_D}/dkim/`)))
    execFileSync("chown", ["-R", "_rspamd:_rspamd", dkimDir]);
  writeFileSync(p.redisConf, dmsRedisConf(readFileSync("/etc/redis/redis.conf", "utf8"), p, o.ports.redis));
}

function spawnLogged(command: string, args: string[], log: string): ChildProcess {
  const fd = openSync(log, "a");
  try {
    return spawn(command, args, { stdio: ["ignore", fd, fd] });
  } finally {
    closeSync(fd);
  }
}

/** supervisor's `rspamd-redis` program: in the foreground (daemonize no), as root. */
export function startRedis(p: RspamdPaths): ChildProcess {
  return spawnLogged("/usr/bin/redis-server", [p.redisConf], p.redisLog);
}

/** supervisor's `rspamd` program: `rspamd --no-fork --user=_rspamd --group=_rspamd`, the stock rspamd.conf. */
export function startRspamd(p: RspamdPaths): ChildProcess {
  return spawnLogged(
    "/usr/bin/rspamd",
    [
      "--no-fork",
      "--user=_rspamd",
      "--group=_rspamd",
      "--config=/etc/rspamd/rspamd.conf",
      `--var=LOCAL_CONFDIR=${p.localConfDir}`,
      `--var=DBDIR=${p.dbDir}`,
      `--var=RUNDIR=${p.runDir}`,
      `--var=LOGDIR=${p.dir}`,
    ],
    p.log,
  );
}
