import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  containerFiles,
  newStateDir,
  ProgramRun,
  PROD_CONFIG,
  runProgram,
  SECOND_CONFIG,
  mailContainer,
} from "../support/run-program";

const ROOT = path.resolve(__dirname, "../..");

/** State directories the tests below make, removed after each test. */
const stateDirs: string[] = [];
const stateDir = () => {
  const dir = newStateDir();
  stateDirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of stateDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("idempotency", () => {
  it.each([
    ["prod", PROD_CONFIG],
    ["second", SECOND_CONFIG],
  ])(
    "registers identical resources and inputs when %s is evaluated twice with the same state",
    async (_name, config) => {
      const state = stateDir();
      const first = await runProgram(config, { stateDir: state });
      const second = await runProgram(config, { stateDir: state });
      const view = (run: ProgramRun) =>
        run.resources
          .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, options: r.options }))
          .sort((a, b) => `${a.type}${a.name}`.localeCompare(`${b.type}${b.name}`));
      expect(view(second)).toEqual(view(first));
      expect(second.outputs).toEqual(first.outputs);
    },
  );
});

describe("secrets", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram({ ...SECOND_CONFIG, relayPassword: "relay-secret-xyz" });
  });

  it("exports passwords and the backup key only as secret outputs", () => {
    expect(run.secretOutputs).toEqual(["backupKey", "passwords"]);
  });

  it("hands every password hash, private key and the relay key to the container as secret input", () => {
    const c = mailContainer(run);
    expect(c.secretInputs).toContain("uploads");
    const files = containerFiles(run);
    expect(files.get("/tmp/docker-mailserver/postfix-sasl-password.cf")).toBe(
      "[email-smtp.eu-west-1.amazonaws.com]:587 AKIAEXAMPLE:relay-secret-xyz\n",
    );
    expect(files.get("/tmp/docker-mailserver/opendkim/keys/example.org/s2026.private")).toMatch(/PRIVATE KEY/);
    expect(files.get("/tmp/dms/custom-certs/key.pem")).toMatch(/PRIVATE KEY/);
  });

  it("keeps generated keys and passwords secret at their source", () => {
    for (const r of run.resources.filter((x) => x.type === "tls:index/privateKey:PrivateKey"))
      expect(r.options?.additionalSecretOutputs).toContain("privateKeyPem");
    for (const r of run.resources.filter((x) => x.type === "random:index/randomPassword:RandomPassword"))
      expect(r.options?.additionalSecretOutputs).toContain("result");
  });

  it("never puts a secret value into a plain input of any resource", () => {
    const secretValues = ["relay-secret-xyz", "alice-password-1", run.outputs.passwords["bob@example.org"]];
    for (const r of run.resources) {
      const plain = JSON.parse(JSON.stringify(r.inputs));
      for (const path of r.secretInputs) delete plain[path.split(/[.[]/)[0]];
      const text = JSON.stringify(plain);
      for (const s of secretValues) expect(text, `${r.type} ${r.name}`).not.toContain(s);
    }
  });

  it("marks an imported DKIM key and the Cloudflare token secret", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const pem = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString();
    const imported = await runProgram({ ...PROD_CONFIG, dkimPrivateKey: pem });
    expect(mailContainer(imported).secretInputs).toContain("uploads");
    expect(containerFiles(imported).get("/tmp/docker-mailserver/rspamd/dkim/rsa-mail-qladgk.com.private.txt")).toBe(
      pem,
    );
    expect(
      imported.resources.filter((r) => r.type === "tls:index/privateKey:PrivateKey" && r.name.includes("dkim")),
    ).toEqual([]);
  });
});

describe("password changes", () => {
  it("change only the changed account's hash", async () => {
    const state = stateDir();
    const lines = async (pw: string) =>
      containerFiles(await runProgram({ ...PROD_CONFIG, passwords: { hi: pw } }, { stateDir: state }))
        .get("/tmp/docker-mailserver/postfix-accounts.cf")!
        .trim()
        .split("\n");
    const line = (all: string[], address: string) => all.find((l) => l.startsWith(`${address}|`));
    const before = await lines("first-password-1");
    const after = await lines("second-password-2");
    expect(line(after, "hi@qladgk.com")).not.toBe(line(before, "hi@qladgk.com"));
    for (const other of ["postmaster@qladgk.com", "info@qladgk.com"])
      expect(line(after, other)).toBe(line(before, other));
  });
});

describe("config changes", () => {
  it("reach the running server through its live files while the container and the mail volumes stay as they are", async () => {
    const state = stateDir();
    const before = await runProgram(PROD_CONFIG, { stateDir: state });
    const after = await runProgram(
      { ...PROD_CONFIG, aliases: { shop: "hi" }, blocked: ["leaked@qladgk.com"] },
      { stateDir: state },
    );
    const files = (run: ProgramRun) => containerFiles(run);
    expect(files(after).get("/tmp/docker-mailserver/postfix-virtual.cf")).toContain("shop@qladgk.com hi@qladgk.com\n");
    expect(files(after).get("/tmp/docker-mailserver/postfix-receive-access.cf")).toBe("leaked@qladgk.com REJECT\n");
    // The container's inputs are untouched (test/components/live-files.test.ts: the preview is an update of
    // the live files' Commands), and so are the volumes': no mail moves.
    expect(mailContainer(after).inputs).toEqual(mailContainer(before).inputs);
    const volumes = (run: ProgramRun) =>
      run.resources.filter((r) => r.type === "docker:index/volume:Volume").map((r) => [r.name, r.inputs]);
    expect(volumes(after)).toEqual(volumes(before));
    // Keys and passwords are not touched by an unrelated change.
    expect(files(after).get("/tmp/docker-mailserver/postfix-accounts.cf")).toBe(
      files(before).get("/tmp/docker-mailserver/postfix-accounts.cf"),
    );
    expect(after.outputs.dkim).toEqual(before.outputs.dkim);
  });
});

describe("messages", () => {
  it("name only stack outputs the program exports", async () => {
    const run = await runProgram({ ...PROD_CONFIG, relayPassword: undefined, resendApiKey: "re_full_access_key" });
    const exported = new Set([...Object.keys(run.outputs), ...run.secretOutputs]);
    const named = new Set<string>();
    const sources = execFileSync("git", ["ls-files", "components", "lib", "index.ts"], { cwd: ROOT })
      .toString()
      .split("\n")
      .filter((f) => f.endsWith(".ts"));
    for (const file of sources) {
      // Code only: a comment may speak of a resource's outputs.
      const text = fs
        .readFileSync(path.join(ROOT, file), "utf8")
        .split("\n")
        .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
        .join("\n");
      for (const m of text.matchAll(/\\?`(\w+)\\?` output|stack output (\w+)/g)) named.add(m[1] ?? m[2]);
    }
    expect(named.size).toBeGreaterThan(0);
    expect([...named].filter((n) => !exported.has(n))).toEqual([]);
  });
});
