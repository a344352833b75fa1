/**
 * What `pulumi preview` shows for Resend provisioning, with the engine's treatment of dynamic providers
 * modelled over the previous run's state (preview/mocks.ts planPreview): the real serialized `diff`
 * runs, and a dynamic resource with any diff gets unknown outputs, which spread to everything built on them.
 */
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { newStateDir, ProgramRun, PROD_CONFIG, runProgram, UNKNOWN } from "../support/run-program";

const RESEND_RECORDS = [
  {
    record: "SPF",
    name: "send",
    type: "MX",
    value: "feedback-smtp.eu-west-1.amazonses.com",
    ttl: "Auto",
    status: "verified",
    priority: 10,
  },
  {
    record: "SPF",
    name: "send",
    type: "TXT",
    value: '"v=spf1 include:amazonses.com ~all"',
    ttl: "Auto",
    status: "verified",
  },
  { record: "DKIM", name: "resend._domainkey", type: "TXT", value: "p=MIGfMA0GCSq", ttl: "Auto", status: "verified" },
];

const PROVISIONED = {
  ...PROD_CONFIG,
  relayPassword: undefined,
  resend: { region: "eu-west-1" },
  resendApiKey: "re_full_access_provisioning_key",
};

/** `pulumi up` with one config, then `pulumi preview` with another, over the same state. */
async function upThenPreview(before: Record<string, unknown>, after: Record<string, unknown>) {
  const stateDir = newStateDir();
  let up: ProgramRun, preview: ProgramRun;
  try {
    up = await runProgram(before, { stateDir, resendRecords: RESEND_RECORDS });
    preview = await runProgram(after, { stateDir, resendRecords: RESEND_RECORDS, preview: true });
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
  const planned = new Set(preview.resources.map(key));
  return {
    up,
    preview,
    deletes: up.resources.filter((r) => !planned.has(key(r))).map((r) => r.name),
    changes: preview.resources.filter((r) => r.op !== "same").map((r) => `${r.op} ${r.name}`),
  };
}

const domainOf = (run: ProgramRun) =>
  run.resources.find((r) => r.type === "pulumi-nodejs:dynamic/resend:ResendDomain")!;

describe("pulumi preview with Resend provisioning", () => {
  it("toggling resend.deleteOnDestroy plans no delete, no replacement and no change", async () => {
    const plan = await upThenPreview(PROVISIONED, {
      ...PROVISIONED,
      resend: { ...PROVISIONED.resend, deleteOnDestroy: true },
    });
    expect(plan.deletes).toEqual([]);
    expect(plan.changes).toEqual([]);
    // Only the resource option moves: kept in Resend before, deleted with the stack after.
    expect(domainOf(plan.up).options?.retainOnDelete).toBe(true);
    expect(domainOf(plan.preview).options?.retainOnDelete).toBe(false);
    expect(JSON.stringify(plan.preview.outputs.dnsRecords)).not.toContain(UNKNOWN);
  });

  it("rotating resendApiKey plans nothing: the providers take the current key from the stack config", async () => {
    const plan = await upThenPreview(PROVISIONED, { ...PROVISIONED, resendApiKey: "re_full_access_rotated_key" });
    expect(plan.deletes).toEqual([]);
    expect(plan.changes).toEqual([]);
  });

  it("a real change (another region) shows what it does: a new domain, and its records unknown until it exists", async () => {
    const plan = await upThenPreview(PROVISIONED, { ...PROVISIONED, resend: { region: "us-east-1" } });
    expect(plan.changes).toEqual(
      expect.arrayContaining(["replace mailstack-relay-resend-domain", "replace mailstack-relay-resend-verification"]),
    );
    // Resend's records are only known once the new domain is created: the preview cannot list them.
    expect(plan.deletes).toEqual(expect.arrayContaining(["mailstack-dns-resend-txt-send.qladgk.com"]));
    expect(JSON.stringify(plan.preview.outputs.dnsRecords)).toContain(UNKNOWN);
  });
});
