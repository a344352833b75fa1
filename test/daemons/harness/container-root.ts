/**
 * Runs a command the way a container would see its filesystem, without Docker: in a private mount
 * namespace, chrooted into a scratch root holding the host's /usr (sh and restic: Debian's rather than
 * Alpine's), the container's uploads at their paths with their modes, and each volume bind-mounted at its
 * container path, read-only where the spec says so. The mounts exist only inside the namespace; the scratch
 * root is removed afterwards.
 */
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";

export interface ContainerUpload {
  file: string;
  content: string;
  permissions: string;
}

export interface ContainerMount {
  /** Host directory (or file) standing for the volume or bind source. */
  source: string;
  /** Path inside the container. */
  target: string;
  readOnly: boolean;
}

export interface ContainerRoot {
  uploads: ContainerUpload[];
  mounts: ContainerMount[];
  /** The container's environment (`KEY=value`), added to the image's PATH and HOME. */
  envs?: string[];
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

const IMAGE_ENV = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"];

/**
 * A scratch root for the spec, and the shell script that enters it: run as `unshare --mount --propagation
 * private /bin/sh -c SETUP sh ARGV…`, it binds the mounts (in the spec's order: a mount inside another's
 * target needs its mount point in that mount's source) and execs ARGV chrooted, with the container's
 * environment. `remove()` deletes the scratch root once no namespace uses it.
 */
export function makeContainerRoot(spec: ContainerRoot): { root: string; setup: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), "mailstack-container-"));
  chmodSync(root, 0o755);
  for (const dir of ["usr", "etc", "dev", "proc", "root", "var/cache", "tmp"])
    mkdirSync(join(root, dir), { recursive: true });
  chmodSync(join(root, "tmp"), 0o1777);
  // Debian 12 has merged /usr: the top-level directories are links into it.
  for (const link of ["bin", "sbin", "lib", "lib64"]) symlinkSync(`usr/${link}`, join(root, link));
  for (const u of spec.uploads) {
    mkdirSync(join(root, dirname(u.file)), { recursive: true });
    writeFileSync(join(root, u.file), u.content, { mode: parseInt(u.permissions, 8) });
    chmodSync(join(root, u.file), parseInt(u.permissions, 8));
  }
  const binds: [string, string, boolean][] = [
    ["/usr", "/usr", true],
    ["/etc", "/etc", true],
    ["/dev", "/dev", false],
    ...spec.mounts.map((m): [string, string, boolean] => [m.source, m.target, m.readOnly]),
  ];
  for (const [source, target] of binds) {
    // A file (e.g. /etc/resolv.conf, a binary) is bound onto a file: an empty one stands for the mount point.
    if (statSync(source).isFile()) {
      mkdirSync(dirname(join(root, target)), { recursive: true });
      if (!existsSync(join(root, target))) writeFileSync(join(root, target), "");
    } else mkdirSync(join(root, target), { recursive: true });
  }
  const setup = [
    "set -e",
    ...binds.flatMap(([source, target, readOnly]) => [
      `mount --bind '${source}' '${root}${target}'`,
      ...(readOnly ? [`mount -o remount,bind,ro '${root}${target}'`] : []),
    ]),
    `mount -t proc proc '${root}/proc'`,
    `exec chroot '${root}' /usr/bin/env -i ${[...IMAGE_ENV, ...(spec.envs ?? [])].map((e) => `'${e}'`).join(" ")} "$@"`,
  ].join("\n");
  const remove = () => {
    // The binds lived in the namespace only; never recurse into a directory that is still a mount point.
    const mounted = readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .some((l) => l.split(" ")[4]?.startsWith(root));
    if (!mounted) rmSync(root, { recursive: true, force: true });
    else process.stderr.write(`${root} still has mounts in the test's namespace; left in place\n`);
  };
  return { root, setup, remove };
}

/** `sh -c command` inside the container root, with `stdin` fed to it. */
export async function runInContainerRoot(
  spec: ContainerRoot,
  command: string,
  options: { stdin?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const { setup, remove } = makeContainerRoot(spec);
  try {
    return await new Promise<CommandResult>((resolve, reject) => {
      const child = spawn(
        "unshare",
        ["--mount", "--propagation", "private", "/bin/sh", "-c", setup, "sh", "/bin/sh", "-c", command],
        { env: { PATH: process.env.PATH }, stdio: ["pipe", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(options.stdin ?? "");
    });
  } finally {
    remove();
  }
}
