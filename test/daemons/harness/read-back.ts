/**
 * Reads generated files back with the real parsers, many at a time: Postfix's `postmap -s` for the tables,
 * Dovecot's passwd-file through a running auth service, and bash `source` for the environment as
 * docker-mailserver reads it. Used by the config round-trip property test.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, openSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { onCleanup } from "./cleanup";

const run = promisify(execFile);

/**
 * Every key and value of each texthash table, as `postmap -s` reads them (one process per table; `-s` reads only
 * its first table). Postfix waits for a texthash file modified in the last second or two to settle, so the files
 * are dated a minute back.
 */
export function postmapDump(dir: string, tables: string[]): Map<string, string>[] {
  mkdirSync(dir, { recursive: true });
  const past = new Date(Date.now() - 60_000);
  return tables.map((content, i) => {
    const file = join(dir, `table-${i}`);
    writeFileSync(file, content);
    utimesSync(file, past, past);
    const out = execFileSync("/usr/sbin/postmap", ["-s", `texthash:${file}`], { encoding: "utf8" });
    // Each entry is `key<TAB>value` on one line (postmap prints a continued value joined).
    return new Map(
      out
        .split("\n")
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf("\t")), line.slice(line.indexOf("\t") + 1)]),
    );
  });
}

/**
 * What docker-mailserver's scripts see of each container environment: Docker sets each `NAME=value` (split at the
 * first `=`) as a process variable, docker-mailserver writes them as `NAME='value'` into /etc/dms-settings
 * (sorted) and its scripts `source` that file (startup/variables-stack.sh). Returns, per environment, every variable
 * the sourced file defines or changes, so an injected extra variable shows too. One bash for all.
 */
export function sourcedEnvironments(dir: string, envs: string[][]): Map<string, string>[] {
  mkdirSync(dir, { recursive: true });
  for (const [i, env] of envs.entries()) writeFileSync(join(dir, `env-${i}`), env.map((e) => `${e}\0`).join(""));
  const script = `
for ((i = 0; i < $1; i++)); do
  settings="$2/settings-$i"
  : > "$settings"
  while IFS= read -r -d '' entry; do
    printf "%s='%s'\\n" "\${entry%%=*}" "\${entry#*=}" >> "$settings"
  done < "$2/env-$i"
  sort -o "$settings" "$settings"
  env -i /bin/bash --norc --noprofile -c '
    declare -A base
    for n in $(compgen -v); do base[$n]="\${!n}"; done
    source "$1" 2>/dev/null
    for n in $(compgen -v); do
      [[ $n =~ ^(BASH.*|LINENO|RANDOM|SRANDOM|SECONDS|EPOCH.*|_|PIPESTATUS|FUNCNAME|base|n)$ ]] && continue
      [[ -v "base[$n]" && "\${base[$n]}" == "\${!n}" ]] && continue
      printf "%s\\0%s\\0" "$n" "\${!n}"
    done' _ "$settings"
  printf '\\0\\0'
done`;
  const out = execFileSync("/bin/bash", ["-c", script, "_", String(envs.length), dir], { encoding: "utf8" });
  const results: Map<string, string>[] = [];
  let current = new Map<string, string>();
  const parts = out.split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) {
    if (parts[i] === "" && parts[i + 1] === "") {
      results.push(current);
      current = new Map();
    } else current.set(parts[i], parts[i + 1]);
  }
  return results;
}

/**
 * Each Rspamd settings file as Rspamd's UCL parser reads it: all in one `rspamadm configdump` run, each file
 * included into a section of its own (a UCL `.include` inside an object adds to that object).
 */
export function rspamdConfigDump(dir: string, files: string[]): Record<string, unknown>[] {
  if (!files.length) return [];
  mkdirSync(dir, { recursive: true });
  const main = files
    .map((content, i) => {
      const file = join(dir, `file-${i}.conf`);
      writeFileSync(file, content);
      return `c${i} {\n.include "${file}"\n}\n`;
    })
    .join("");
  writeFileSync(join(dir, "all.conf"), main);
  const out = execFileSync("/usr/bin/rspamadm", ["configdump", "-j", "-c", join(dir, "all.conf")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const dump = JSON.parse(out) as Record<string, Record<string, unknown>>;
  return files.map((_, i) => dump[`c${i}`] ?? {});
}

/** A Dovecot with only its auth service, reading a passwd-file as docker-mailserver configures it. */
export class DovecotAuth {
  readonly conf: string;
  readonly users: string;
  private readonly stopNow: () => void;
  private generation = 0;
  private attempts = 0;

  constructor(readonly dir: string) {
    mkdirSync(join(dir, "run"), { recursive: true });
    mkdirSync(join(dir, "state"), { recursive: true });
    // The auth process runs as the dovecot user and must reach the file.
    chmodSync(dir, 0o755);
    this.conf = join(dir, "dovecot.conf");
    this.users = join(dir, "userdb");
    writeFileSync(this.users, "");
    writeFileSync(
      this.conf,
      `# Generated by the config round-trip test: docker-mailserver's passdb/userdb (auth-passwdfile.inc), no mail services.
protocols =
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
instance_name = mailstack-roundtrip-${process.pid}
first_valid_uid = 1
auth_mechanisms = plain login
# A wrong password is answered at once (the default waits 2 s before saying so).
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT username_format=%u ${this.users}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${this.users}
}
`,
    );
    const log = openSync(join(dir, "dovecot.log"), "a");
    try {
      const r = spawnSync("/usr/sbin/dovecot", ["-c", this.conf], { stdio: ["ignore", log, log] });
      if (r.status !== 0) throw new Error(`dovecot -c ${this.conf} exited ${r.status}; see ${dir}/dovecot.log`);
    } finally {
      closeSync(log);
    }
    this.stopNow = onCleanup(() => {
      spawnSync("/usr/bin/doveadm", ["-c", this.conf, "stop"], { stdio: "ignore", timeout: 15_000 });
    });
  }

  /**
   * Replaces the passwd-file. Dovecot reads it again when its modification time changes, but looks at most once a
   * second (db-passwd-file.c `passwd_file_sync`), so this waits a second before the next lookup.
   */
  async setUserdb(content: string): Promise<void> {
    const tmp = `${this.users}.tmp`;
    writeFileSync(tmp, content, { mode: 0o644 });
    const stamp = new Date(Date.now() - 3_600_000 + 1000 * ++this.generation);
    utimesSync(tmp, stamp, stamp);
    renameSync(tmp, this.users);
    await new Promise((resolve) => setTimeout(resolve, 1100));
  }

  /** Every user the userdb lists (`doveadm user '*'`, an iteration of the passwd-file). */
  async listUsers(): Promise<string[]> {
    const { stdout } = await run("/usr/bin/doveadm", ["-c", this.conf, "user", "*"]);
    return stdout.split("\n").filter(Boolean);
  }

  /** The userdb's home for a user. */
  async home(user: string): Promise<string> {
    const { stdout } = await run("/usr/bin/doveadm", ["-c", this.conf, "user", "-f", "home", user]);
    return stdout.trim();
  }

  /**
   * Whether the passdb accepts this password for this user (`doveadm auth test`). Each attempt comes from its own
   * loopback address: Dovecot slows down every later attempt from an address that failed once (auth penalty).
   */
  async authenticates(user: string, password: string): Promise<boolean> {
    const n = ++this.attempts;
    const rip = `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    try {
      await run("/usr/bin/doveadm", ["-c", this.conf, "auth", "test", "-x", `rip=${rip}`, user, password]);
      return true;
    } catch {
      return false;
    }
  }

  stop(): void {
    this.stopNow();
  }
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function inParallel<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
