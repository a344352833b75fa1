/**
 * A stand-in for the docker CLI, first on PATH, for the live files' Commands (lib/render/live-apply.ts): it
 * implements what APPLY_COMMAND uses, `docker exec -i CONTAINER ARGV…` with stdin passed through, by running
 * ARGV in a container root (./container-root.ts) over the harness's files: the container's /tmp is the
 * harness's (DMS's config directory and its change detector's checksum file), and `postfix` and `doveadm` in it
 * control the harness's Postfix and Dovecot. It refuses any other engine than the one the program's docker provider uses
 * and any other container, and logs every argv it was given (to prove no secret was on one).
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { tmpdir } from "node:os";
import type { RegisteredResource } from "../../support/run-program";
import { makeContainerRoot } from "./container-root";
import { MailSystem } from "./mail-system";

export interface DockerStandIn {
  /** Put first on PATH. */
  binDir: string;
  /** Every argv the stand-in was run with, one per line. */
  argvLog(): string;
  remove(): void;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function installDockerStandIn(system: MailSystem, o: { container: string; dockerHost: string }): DockerStandIn {
  const root = system.postfix.dmsConfigDir.replace(/\/container-tmp\/docker-mailserver$/, "");
  const containerTmp = dirname(system.postfix.dmsConfigDir);
  const containerRun = join(root, "container-run");
  const shims = join(root, "container-sbin");
  // The harness's root at its own path inside the container, so the shim's `postfix -c` finds its instance. Under
  // /tmp (the run's TMPDIR is a folder there) its mount point must be in what is bound onto the container's /tmp.
  const rootMountPoint = root.startsWith("/tmp/") ? [join(containerTmp, relative("/tmp", root))] : [];
  for (const d of [...rootMountPoint, containerRun, shims]) mkdirSync(d, { recursive: true });
  // The container's postfix and doveadm are the harness's instances.
  writeFileSync(join(shims, "postfix"), `#!/bin/sh\nexec /usr/sbin/postfix -c ${q(system.postfix.configDir)} "$@"\n`, {
    mode: 0o755,
  });
  writeFileSync(join(shims, "doveadm"), `#!/bin/sh\nexec /usr/bin/doveadm -c ${q(system.dovecot.conf)} "$@"\n`, {
    mode: 0o755,
  });
  const container = makeContainerRoot({
    uploads: [],
    mounts: [
      { source: containerTmp, target: "/tmp", readOnly: false },
      { source: root, target: root, readOnly: false },
      { source: containerRun, target: "/run", readOnly: false },
      { source: shims, target: "/usr/local/sbin", readOnly: true },
    ],
    envs: Object.entries(system.files.env).map(([k, v]) => `${k}=${v}`),
  });
  const binDir = mkdtempSync(join(tmpdir(), "mailstack-docker-cli-"));
  chmodSync(binDir, 0o755);
  const log = join(binDir, "argv.log");
  writeFileSync(join(binDir, "enter.sh"), container.setup);
  writeFileSync(
    join(binDir, "docker"),
    `#!/bin/sh
# Stand-in for the docker CLI (test/daemons/harness/docker-stand-in.ts).
set -eu
printf '%s\\n' "$*" >>${q(log)}
if [ "\${DOCKER_HOST:-}" != ${q(o.dockerHost)} ]; then
  echo "stand-in docker: DOCKER_HOST is '\${DOCKER_HOST:-}', not the program's engine ${o.dockerHost}" >&2
  exit 1
fi
if [ "$#" -lt 4 ] || [ "$1" != exec ] || [ "$2" != -i ]; then
  echo "stand-in docker: only 'exec -i CONTAINER ARGV' is implemented; got: $*" >&2
  exit 1
fi
if [ "$3" != ${q(o.container)} ]; then
  echo "Error response from daemon: No such container: $3" >&2
  exit 1
fi
shift 3
exec unshare --mount --propagation private /bin/sh ${q(join(binDir, "enter.sh"))} "$@"
`,
    { mode: 0o755 },
  );
  return {
    binDir,
    argvLog: () => readFileSync(log, "utf8"),
    remove: () => {
      rmSync(binDir, { recursive: true, force: true });
      container.remove();
    },
  };
}

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs a registered command:local:Command's `create` as pulumi-command v1.2.1 does
 * (provider/pkg/provider/local/commandOutputs.go `run`): `/bin/sh -c CREATE`, the environment of the process
 * plus the resource's `environment`, its `stdin` piped in when not empty. PATH starts with the stand-in.
 */
export function runLikeCommandProvider(command: RegisteredResource, standIn: DockerStandIn): Promise<CommandRun> {
  const start = performance.now();
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  delete env.DOCKER_HOST;
  Object.assign(env, command.inputs.environment, { PATH: `${standIn.binDir}:${process.env.PATH}` });
  const stdin: string = command.inputs.stdin ?? "";
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command.inputs.create], {
      env,
      stdio: [stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - start });
    });
    if (stdin) child.stdin!.end(stdin);
  });
}
