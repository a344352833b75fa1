/**
 * The providers as Pulumi really runs them: serialized, then loaded in another module context. This caught
 * an Error subclass whose message the serializer dropped (see resendApiError in lib/resend/api.ts).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeResend, startFakeResend } from "../fakes/resend-api";

let fake: FakeResend;
beforeAll(async () => {
  fake = await startFakeResend({ verifyAfterPolls: 1 });
});
afterAll(async () => {
  await fake.close();
});

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: path.resolve(__dirname, "../.."),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const SCRIPT = path.join(__dirname, "support/serialized-providers.ts");

it("serialized providers create, verify, mint, fail with a message, and delete", async () => {
  const r = await run(SCRIPT, ["basic", fake.url, fake.fullKey]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
  expect(out.status).toBe("verified");
  expect(out.tokenPrefix).toBe("re_");
  expect(out.errorMessage).toContain("mailstack:resendApiKey was rejected by Resend (invalid_api_key)");
  expect(out.errorMessage).not.toContain("re_wrong_key_0000000000");
  expect(fake.state.apiKeyBodies).toEqual([{ name: "relay", permission: "sending_access", domain_id: out.domainId }]);
  expect(fake.state.domains).toHaveLength(0); // not retained: the engine called delete
  expect(fake.state.keys.some((k) => k.id === out.keyId)).toBe(false);
});

it("a rotated provisioning key (old one revoked) is no diff, and refresh and destroy use the new one", async () => {
  const oldKeyId = fake.state.keys.find((k) => k.token === fake.fullKey)!.id;
  const r = await run(SCRIPT, ["rotate", fake.url, fake.fullKey, oldKeyId]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
  expect(out.diffChanges).toBe(false);
  expect(out.readStatus).toBe("not_started");
  expect(out.refreshedKeyIsNew).toBe(true);
  // The old key is gone from Resend, and destroy still revoked the relay key and deleted the domain.
  expect(fake.state.keys.some((k) => k.token === fake.fullKey)).toBe(false);
  expect(fake.state.keys.some((k) => k.id === out.keyId)).toBe(false);
  expect(fake.state.domains.some((d) => d.id === out.domainId)).toBe(false);
});
