/**
 * The stack the README starts with (Pulumi.local.yaml: no DNS, self-signed, no relay, two mailboxes), read
 * from its file the way `npm run plan` reads it, through the real program into real Postfix, Dovecot and
 * Rspamd: what Thunderbird does on localhost — IMAP on 993 and SMTP on 465 with the generated passwords,
 * trusting the self-signed certificate — and mail from one mailbox reaching the other.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readStackFile } from "../../preview/stack-file";
import { newStateDir, ProgramRun, runProgram } from "../support/run-program";
import { serverPlanOf } from "../support/server-plan";
import { daemonsRunnable } from "./harness/daemons-available";
import { filesFromPlan } from "./harness/from-plan";
import { needsDns, startLoopbackDns } from "./harness/loopback-stack";
import { allocateMailPorts, MailSystem } from "./harness/mail-system";
import { marker, openImap, sendMail, waitForInbox } from "./harness/mail-clients";
import type { FakeDnsServer } from "../support/dns-server";
import { rmSync } from "node:fs";

const ROOT = path.resolve(__dirname, "../..");

describe.skipIf(!daemonsRunnable())("the local stack (Pulumi.local.yaml) on real daemons", () => {
  const local = readStackFile(ROOT, "local");
  const stateDir = newStateDir();
  let run: ProgramRun;
  let system: MailSystem | undefined;
  let dns: FakeDnsServer | undefined;

  beforeAll(async () => {
    run = await runProgram(local.config, { stateDir, secretKeys: local.secretKeys });
    // The server's plan, which test/components proves is what the container gets.
    const files = filesFromPlan(serverPlanOf(run, local.config));
    if (needsDns(files)) dns = await startLoopbackDns(run.outputs.dnsRecords);
    system = await MailSystem.start(files, await allocateMailPorts(), { dns });
  });
  afterAll(async () => {
    await system?.stop();
    await dns?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("is the stack the README describes: no relay, the spam filter on, two mailboxes", () => {
    expect(system!.files.relay).toBeUndefined();
    expect(system!.files.env.ENABLE_RSPAMD).toBe("1");
    expect(Object.keys(run.outputs.passwords).sort()).toEqual(["alice@example.test", "bob@example.test"]);
  });

  it("logs in over IMAPS with a generated password and delivers mail from alice to bob over 465", async () => {
    const alice = "alice@example.test";
    const bob = "bob@example.test";
    const imap = await openImap(system!, alice, run.outputs.passwords[alice]);
    await imap.logout();
    const id = marker("local");
    await sendMail(
      system!,
      "submissions",
      { from: alice, to: bob, subject: id, text: "hello from the local stack" },
      { user: alice, pass: run.outputs.passwords[alice] },
    );
    const [message] = await waitForInbox(system!, bob, run.outputs.passwords[bob], id);
    expect(message).toContain(`From: ${alice}`);
    expect(message).toMatch(/DKIM-Signature: .*d=example\.test/s);
  });
});
