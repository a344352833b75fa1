import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  containerLogFiles,
  LogFile,
  localLogFiles,
  LogError,
  readLines,
  rotationOrder,
} from "../../../addresses/log/sources";
import { pathWithStandIns } from "../fixtures/run-addresses";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mailstack-sources-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function allLines(files: LogFile[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) await readLines(f, (line) => out.push(line));
  return out;
}

describe("rotationOrder", () => {
  it("puts logrotate's names oldest first: dated, then the highest number down to .1, then mail.log", () => {
    const names = [
      "mail.log",
      "mail.log.1",
      "mail.log.10.gz",
      "mail.log.2.gz",
      "mail.log-20250301.gz",
      "mail.log-20250208",
    ];
    expect(rotationOrder(names, (n) => n)).toEqual([
      "mail.log-20250208",
      "mail.log-20250301.gz",
      "mail.log.10.gz",
      "mail.log.2.gz",
      "mail.log.1",
      "mail.log",
    ]);
  });
});

describe("local log files", () => {
  it("a directory gives mail.log and its rotations in order, gzip detected by content, other files ignored", async () => {
    const logs = join(dir, "mail");
    mkdirSync(logs);
    writeFileSync(join(logs, "mail.log"), "line 5\nline 6\n");
    writeFileSync(join(logs, "mail.log.1"), "line 3\r\nline 4\r\n");
    writeFileSync(join(logs, "mail.log.2.gz"), gzipSync("line 1\nline 2\n"));
    writeFileSync(join(logs, "fail2ban.log"), "not mail\n");
    const files = await localLogFiles([logs]);
    expect(files.map((f) => f.name.split("/").pop())).toEqual(["mail.log.2.gz", "mail.log.1", "mail.log"]);
    expect(await allLines(files)).toEqual(["line 1", "line 2", "line 3", "line 4", "line 5", "line 6"]);
    // A gzip file under any name is still read as gzip; files given one by one are ordered by rotation too.
    writeFileSync(join(dir, "copied"), gzipSync("zipped\n"));
    expect(await allLines(await localLogFiles([join(logs, "mail.log"), join(dir, "copied")]))).toEqual([
      "line 5",
      "line 6",
      "zipped",
    ]);
  });

  it("says what is wrong with a path, a directory without mail.log, a truncated gzip", async () => {
    await expect(localLogFiles([join(dir, "absent")])).rejects.toThrow(/cannot read --log .*absent: ENOENT/);
    const empty = join(dir, "empty");
    mkdirSync(empty);
    await expect(localLogFiles([empty])).rejects.toThrow(/holds no mail\.log/);
    writeFileSync(join(dir, "broken.gz"), gzipSync("a\n".repeat(10_000)).subarray(0, 40));
    await expect(allLines(await localLogFiles([join(dir, "broken.gz")]))).rejects.toThrow(
      new LogError(`cannot read ${join(dir, "broken.gz")}: unexpected end of file`),
    );
  });
});

describe("the container's log over docker exec (stand-in docker CLI)", () => {
  const env = (extra: Record<string, string> = {}) => ({
    PATH: pathWithStandIns(),
    STANDIN_DOCKER_ROOT: join(dir, "engine"),
    ...extra,
  });
  beforeAll(() => {
    const logs = join(dir, "engine", "mail-1", "var", "log", "mail");
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, "mail.log"), "new\n");
    writeFileSync(join(logs, "mail.log.1"), gzipSync("old\n")); // compressed despite its name: detected by content
    writeFileSync(join(logs, "clamav.log"), "x\n");
  });

  it("lists /var/log/mail and streams each file, through the stack's docker.host when set", async () => {
    const files = await containerLogFiles({
      host: "ssh://deploy@mail.example.org",
      container: "mail-1",
      env: env({ STANDIN_DOCKER_HOST: "ssh://deploy@mail.example.org" }),
    });
    expect(files.map((f) => f.name)).toEqual(["mail-1:/var/log/mail/mail.log.1", "mail-1:/var/log/mail/mail.log"]);
    expect(await allLines(files)).toEqual(["old", "new"]);
  });

  it("reports the Docker CLI's own error: no such container, an unreachable host, no docker at all", async () => {
    await expect(containerLogFiles({ container: "absent", env: env() })).rejects.toThrow(
      /docker exec absent ls -1 \/var\/log\/mail failed \(exit 1\): Error response from daemon: No such container: absent/,
    );
    await expect(
      containerLogFiles({ container: "mail-1", env: env({ STANDIN_DOCKER_HOST: "ssh://deploy@mail.example.org" }) }),
    ).rejects.toThrow(/Cannot connect to the Docker daemon/);
    await expect(containerLogFiles({ container: "mail-1", env: { PATH: join(dir, "no-bin") } })).rejects.toThrow(
      /the docker CLI is not installed .* pass it with --log/,
    );
  });

  it("a file that disappears between listing and reading fails with docker's message", async () => {
    const files = await containerLogFiles({ container: "mail-1", env: env() });
    rmSync(join(dir, "engine", "mail-1", "var", "log", "mail", "mail.log"));
    await expect(allLines(files)).rejects.toThrow(
      /cat \/var\/log\/mail\/mail\.log failed \(exit 1\): cat: .*No such file/,
    );
  });
});
