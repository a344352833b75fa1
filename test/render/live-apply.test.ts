/**
 * The scripts of lib/render/live-apply.ts run for real in a container root (test/daemons/harness/container-root.ts):
 * the write before docker-mailserver's first start, and the start gate. The running-server paths are proven on
 * the daemons (test/daemons/live-config.test.ts).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gatedStartCommand, IN_CONTAINER_SCRIPT, STARTED_MARKER } from "../../lib/render/live-apply";
import { shellQuote } from "../../lib/shell-quote";
import { daemonsRunnable } from "../daemons/harness/daemons-available";
import { runInContainerRoot } from "../daemons/harness/container-root";

const ACCOUNTS = "a@example.org|{SHA512-CRYPT}$6$x\n";
const scratch = mkdtempSync(join(tmpdir(), "mailstack-live-apply-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(!daemonsRunnable())("the live-file scripts in a container", () => {
  it("before the first start: writes the file whole with its mode and leaves no temporary file", async () => {
    const r = await runInContainerRoot(
      { uploads: [], mounts: [] },
      `sh -c ${shellQuote(IN_CONTAINER_SCRIPT)} mailstack-apply /tmp/docker-mailserver/postfix-accounts.cf 0600 accounts && stat -c '%a %s' /tmp/docker-mailserver/postfix-accounts.cf && ls -A /tmp/docker-mailserver`,
      { stdin: ACCOUNTS },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      `mailstack: /tmp/docker-mailserver/postfix-accounts.cf written; docker-mailserver starts with it\n600 ${ACCOUNTS.length}\npostfix-accounts.cf\n`,
    );
  });

  it("the start gate waits for every live file, then marks the start and runs the image's command", async () => {
    // A stand-in supervisord that shows it was started, and how.
    const bin = join(scratch, "sbin");
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    writeFileSync(join(bin, "supervisord"), '#!/bin/sh\necho "supervisord $*"\n');
    chmodSync(join(bin, "supervisord"), 0o755);
    const [sh, c, gate, ...args] = gatedStartCommand(["/tmp/a.cf", "/tmp/b.cf"]);
    const start = `${sh} ${c} ${shellQuote(gate)} ${args.map(shellQuote).join(" ")}`;
    const r = await runInContainerRoot(
      { uploads: [], mounts: [{ source: bin, target: "/usr/local/sbin", readOnly: true }] },
      // The gate in the background; the files arrive a second apart; then it must have started "supervisord".
      `mkdir -p /run; (${start}) >/tmp/out 2>&1 & sleep 1; test ! -e ${STARTED_MARKER} && echo waiting; : >/tmp/a.cf; sleep 1; test ! -e ${STARTED_MARKER} && echo still-waiting; : >/tmp/b.cf; wait; cat /tmp/out; test -e ${STARTED_MARKER} && echo started`,
    );
    expect(r.stdout).toBe(
      [
        "waiting",
        "still-waiting",
        "mailstack: waiting for /tmp/a.cf (pulumi up writes it with docker exec)",
        "mailstack: waiting for /tmp/b.cf (pulumi up writes it with docker exec)",
        "supervisord -c /etc/supervisor/supervisord.conf",
        "started",
        "",
      ].join("\n"),
    );
  });
});
