import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/** A log that cannot be read: reported on stderr with exit status 2. */
export class LogError extends Error {}

/** One file of the log, opened lazily so only one is open (and streamed) at a time. */
export interface LogFile {
  /** As shown to the user: a path, or `container:/var/log/mail/mail.log.2.gz`. */
  name: string;
  open(): Readable;
  /** Resolves when the stream ended, rejects with a LogError if its producer failed (e.g. `docker exec`). */
  done?: () => Promise<void>;
}

/** docker-mailserver's mail log directory in the container. */
export const CONTAINER_LOG_DIR = "/var/log/mail";

/**
 * mail.log and its rotations as logrotate names them: docker-mailserver's /etc/logrotate.d/maillog rotates
 * with compress + delaycompress (target/scripts/startup/setup.d/log.sh), so `mail.log`, `mail.log.1`,
 * `mail.log.2.gz` … `mail.log.N.gz`; `mail.log-YYYYMMDD[.gz]` when `dateext` is set.
 */
const ROTATED = /^mail\.log(?:\.(\d+)|-(\d{8,10}))?(\.gz)?$/;

export const isMailLogName = (name: string) => ROTATED.test(name);

/** Oldest first: dated ones by date, then numbered ones from the highest number, then mail.log itself. */
export function rotationOrder<T>(items: T[], nameOf: (item: T) => string): T[] {
  const key = (item: T): [number, number] => {
    const m = ROTATED.exec(basename(nameOf(item)));
    if (!m) return [3, 0];
    if (m[2]) return [0, Number(m[2])];
    if (m[1]) return [1, -Number(m[1])];
    return [2, 0];
  };
  return items
    .map((item, index) => ({ item, index, key: key(item) }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.index - b.index)
    .map((x) => x.item);
}

/** `--log` paths: a file is read as given; a directory contributes mail.log and its rotations. */
export async function localLogFiles(paths: string[]): Promise<LogFile[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new LogError(`cannot read --log ${path}: ${(error as Error).message}`);
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const names = (await readdir(path)).filter(isMailLogName);
    if (names.length === 0)
      throw new LogError(`--log ${path} holds no mail.log (docker-mailserver's log directory is /var/log/mail)`);
    files.push(...names.map((name) => join(path, name)));
  }
  return rotationOrder(files, (f) => f).map((file) => ({ name: file, open: () => createReadStream(file) }));
}

/** How to reach the container: the stack's Docker connection (`docker.host`) and container name. */
export interface ContainerTarget {
  /** `ssh://user@host`, `tcp://…`, `unix://…`; undefined for the local engine (or DOCKER_HOST). */
  host?: string;
  container: string;
  env: Record<string, string | undefined>;
}

function dockerArgs(target: ContainerTarget, command: string[]): string[] {
  return [...(target.host ? ["--host", target.host] : []), "exec", target.container, ...command];
}

const dockerMissing = (error: NodeJS.ErrnoException) =>
  new LogError(
    error.code === "ENOENT"
      ? "the docker CLI is not installed (or not on PATH): install it, or copy the log and pass it with --log"
      : `cannot run docker: ${error.message}`,
  );

/** Runs `docker exec` and collects its (small) output. */
export function dockerOutput(target: ContainerTarget, command: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", dockerArgs(target, command), { stdio: ["ignore", "pipe", "pipe"], env: target.env });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", (error) => reject(dockerMissing(error)));
    child.on("close", (code) =>
      code === 0
        ? resolve(out)
        : reject(new LogError(`docker ${dockerArgs(target, command).join(" ")} failed (exit ${code}): ${err.trim()}`)),
    );
  });
}

/**
 * The mail log inside the running container, over the stack's Docker connection: `docker exec <container>
 * ls -1 /var/log/mail` to list it, `docker exec <container> cat <file>` to stream each file (gzip files are
 * decompressed here, so they travel compressed).
 */
export async function containerLogFiles(target: ContainerTarget): Promise<LogFile[]> {
  const listing = await dockerOutput(target, ["ls", "-1", CONTAINER_LOG_DIR]);
  const names = listing
    .split("\n")
    .map((n) => n.trim())
    .filter(isMailLogName);
  if (names.length === 0)
    throw new LogError(`${target.container}:${CONTAINER_LOG_DIR} holds no mail.log; is this docker-mailserver?`);
  return rotationOrder(names, (n) => n).map((name) => {
    const path = `${CONTAINER_LOG_DIR}/${name}`;
    let done: Promise<void> = Promise.resolve();
    return {
      name: `${target.container}:${path}`,
      open: () => {
        const child = spawn("docker", dockerArgs(target, ["cat", path]), {
          stdio: ["ignore", "pipe", "pipe"],
          env: target.env,
        });
        let err = "";
        child.stderr.on("data", (chunk) => (err += chunk));
        done = new Promise((resolve, reject) => {
          child.on("error", (error) => reject(dockerMissing(error)));
          child.on("close", (code) =>
            code === 0
              ? resolve()
              : reject(new LogError(`docker exec … cat ${path} failed (exit ${code}): ${err.trim()}`)),
          );
        });
        return child.stdout;
      },
      done: () => done,
    };
  });
}

/**
 * Calls `onLine` for every line of the file, gunzipped when it starts with gzip's magic bytes (whatever its
 * name). Lines are handed over synchronously from readline's events: the stream flows as fast as they are
 * counted, and only its buffers are in memory.
 */
export async function readLines(file: LogFile, onLine: (line: string) => void): Promise<void> {
  const raw = file.open();
  const failed = (error: Error) =>
    error instanceof LogError ? error : new LogError(`cannot read ${file.name}: ${error.message}`);
  try {
    const input = await decoded(raw).catch((error: Error) => Promise.reject(failed(error)));
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input, crlfDelay: Infinity });
      // readline re-emits its input's errors on itself (and would throw them without a listener).
      const stop = (error: Error) => {
        reject(failed(error));
        lines.close();
      };
      input.once("error", stop);
      lines.once("error", stop);
      lines.on("line", (line) => {
        try {
          onLine(line);
        } catch (error) {
          reject(error);
          lines.close();
          input.destroy();
        }
      });
      lines.once("close", resolve);
    });
  } finally {
    raw.destroy();
  }
  await file.done?.();
}

/**
 * The stream, gunzipped when its first two bytes are gzip's magic (a pipe may deliver a single byte first, so
 * chunks are read until two are known, then handed on with the rest).
 */
async function decoded(input: Readable): Promise<Readable> {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  let ended = false;
  while (head.length < 2 && !ended) {
    const next = await chunks.next();
    if (next.done) ended = true;
    else head = Buffer.concat([head, next.value]);
  }
  const rest = Readable.from(
    (async function* () {
      if (head.length) yield head;
      if (ended) return;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    })(),
    { objectMode: false },
  );
  if (head[0] !== 0x1f || head[1] !== 0x8b) return rest;
  const gunzip = createGunzip();
  rest.once("error", (error) => gunzip.destroy(error));
  return rest.pipe(gunzip);
}
