/**
 * Issue 12 under mocks: which config changes reach the running container through its live files' Commands and
 * which replace the container, as `pulumi preview` shows them (test/support/mocks.ts planPreview: update vs
 * replace from the command and docker providers' schemas), and what the Commands are handed.
 */
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPLY_COMMAND } from "../../lib/render/live-apply";
import { SECOND_CONFIG } from "../support/fixtures";
import { liveCommands, newStateDir, ProgramRun, runProgram } from "../support/run-program";

const CONF = "/tmp/docker-mailserver";
const COMMAND = "command:local:Command";
const CONTAINER = "docker:index/container:Container";

describe("config changes on a running server (preview over the state of an up)", () => {
  let stateDir: string;
  let up: ProgramRun;
  beforeAll(async () => {
    stateDir = newStateDir();
    up = await runProgram(SECOND_CONFIG, { stateDir });
  }, 60_000);
  afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  const preview = (config: Record<string, unknown>) => runProgram(config, { stateDir, preview: true });
  /** Every resource the preview does something to, as "op name". */
  const planned = (run: ProgramRun) => run.resources.filter((r) => r.op !== "same").map((r) => `${r.op} ${r.name}`);
  const server = (suffix: string) => `mailstack-server-${suffix}`;

  it("an unchanged config plans nothing and hands every Command the same inputs", async () => {
    const again = await preview(SECOND_CONFIG);
    expect(planned(again)).toEqual([]);
    const inputs = (run: ProgramRun) => run.resources.filter((r) => r.type === COMMAND).map((r) => r.inputs);
    expect(inputs(again)).toEqual(inputs(up));
  });

  it.each([
    [
      "a new alias",
      { aliases: { ...(SECOND_CONFIG.aliases as object), shop: "alice" } },
      ["postfix-virtual", "sender-login-maps"],
    ],
    [
      "a newly blocked address",
      { blocked: [...(SECOND_CONFIG.blocked as string[]), "leaked-news@example.org"] },
      ["postfix-receive-access", "sender-login-maps"],
    ],
    ["a changed password", { passwords: { alice: "alice-password-2" } }, ["postfix-accounts"]],
    ["new relay credentials", { relayPassword: "ses-smtp-password-rotated" }, ["postfix-sasl-password"]],
  ])("%s updates only the Commands of the files it changes; the container stays", async (_what, change, files) => {
    const next = await preview({ ...SECOND_CONFIG, ...change });
    expect(planned(next)).toEqual(files.map((f) => `update ${server(f)}`));
  });

  it.each([
    ["a new image", { docker: { ...(SECOND_CONFIG.docker as object), image: "mailserver/docker-mailserver:15.0.2" } }],
    ["an environment change", { env: { TZ: "Europe/Paris" } }],
    ["a TLS mode change", { tls: { mode: "manual" }, tlsCertificate: "x", tlsPrivateKey: "y" }],
  ])("%s replaces the container, and every live file is written into the new one", async (_what, change) => {
    if ("tlsCertificate" in change) {
      const { selfSignedCertificate } = await import("../support/certificates");
      const cert = selfSignedCertificate({ hostname: String(SECOND_CONFIG.hostname), days: 90 });
      Object.assign(change, { tlsCertificate: cert.certPem, tlsPrivateKey: cert.keyPem });
    }
    const next = await preview({ ...SECOND_CONFIG, ...change });
    const container = next.resources.find((r) => r.type === CONTAINER && r.name === server("container"))!;
    expect(container.op).toBe("replace");
    const commands = next.resources.filter((r) => r.type === COMMAND);
    expect(commands.map((c) => `${c.op} ${c.name}`)).toEqual(
      [...liveCommands(up).values()].map((c) => `replace ${c.name}`),
    );
  });

  it("hands the content on stdin only, secret where it holds credentials, and runs the same fixed command", () => {
    const commands = liveCommands(up);
    expect([...commands.keys()]).toEqual([
      `${CONF}/postfix-accounts.cf`,
      `${CONF}/postfix-virtual.cf`,
      `${CONF}/postfix-receive-access.cf`,
      `${CONF}/mailstack/sender-login-maps.pcre`,
      `${CONF}/postfix-sasl-password.cf`,
    ]);
    const secrets = [String(SECOND_CONFIG.relayPassword), (SECOND_CONFIG.passwords as Record<string, string>).alice];
    for (const [path, c] of commands) {
      expect(c.inputs.create).toBe(APPLY_COMMAND);
      expect(c.inputs.update).toBeUndefined();
      expect(c.inputs.addPreviousOutputInEnv).toBe(false);
      // The engine of config (docker.host), the container and the file: nothing secret.
      expect(c.inputs.environment).toMatchObject({
        DOCKER_HOST: "ssh://deploy@203.0.113.25",
        MAILSTACK_CONTAINER: "mail",
        MAILSTACK_FILE: path,
      });
      const visible = JSON.stringify({ ...c.inputs, stdin: undefined });
      for (const s of secrets) expect(visible).not.toContain(s);
      expect(c.secretInputs.includes("stdin"), path).toBe(/accounts|sasl/.test(path));
      // A new container gets every file: the container's ID is the trigger.
      expect(c.inputs.triggers).toEqual(["mailstack-server-container-id"]);
      expect(c.options?.dependsOn).toContain("mailstack-server-container");
    }
    expect(commands.get(`${CONF}/postfix-sasl-password.cf`)!.inputs.stdin).toContain(
      String(SECOND_CONFIG.relayPassword),
    );
  });
});
