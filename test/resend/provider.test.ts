/**
 * The dynamic providers' methods, called directly against the loopback fake (the engine is not involved:
 * under a real `up` the same objects run in Pulumi's dynamic-provider process).
 */
import type * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resendDomainProvider, ResendDomainOutputs } from "../../components/resend/domain";
import { resendSendingKeyProvider, ResendSendingKeyOutputs } from "../../components/resend/sending-key";
import { resendVerificationProvider, verificationAdvice } from "../../components/resend/verification";
import { FakeResend, startFakeResend } from "../fakes/resend-api";

let fake: FakeResend;
beforeEach(async () => {
  fake = await startFakeResend();
});
afterEach(async () => {
  await fake.close();
});

const domainInputs = () => ({
  apiKey: fake.fullKey,
  name: "example.com",
  region: "eu-west-1",
  returnPath: "send",
  baseUrl: fake.url,
});

async function createDomain(overrides: Partial<ReturnType<typeof domainInputs>> = {}) {
  const r = await resendDomainProvider.create({ ...domainInputs(), ...overrides });
  return { id: r.id, outs: r.outs as ResendDomainOutputs };
}

describe("ResendDomain provider", () => {
  it("create registers the domain and outputs its records", async () => {
    const { id, outs } = await createDomain();
    expect(id).toBe(fake.state.domains[0].id);
    expect(outs.domainId).toBe(id);
    expect(outs.status).toBe("not_started");
    expect(outs.records.map((r) => r.type)).toEqual(["MX", "TXT", "TXT"]);
    expect(outs.adopted).toBe(false);
  });

  it("create adopts an existing domain, and refuses one in another region", async () => {
    const seeded = fake.seedDomain("example.com", "eu-west-1");
    const { id, outs } = await createDomain();
    expect(id).toBe(seeded.id);
    expect(outs.adopted).toBe(true);
    await expect(createDomain({ region: "us-east-1" })).rejects.toThrow(/already has example.com in region eu-west-1/);
  });

  it("delete removes the domain (the engine calls it only when the resource is not retained)", async () => {
    const { id, outs } = await createDomain();
    await resendDomainProvider.delete!(id, outs);
    expect(fake.state.domains).toHaveLength(0);
    await resendDomainProvider.delete!(id, outs); // already gone: fine
  });

  it("delete keeps a domain whose state predates retainOnDelete and says deleteOnDestroy: false", async () => {
    const { id, outs } = await createDomain();
    await resendDomainProvider.delete!(id, { ...outs, deleteOnDestroy: false } as ResendDomainOutputs);
    expect(fake.state.domains).toHaveLength(1);
  });

  it("diff: name/region/returnPath replace; a new apiKey, or a legacy deleteOnDestroy in state, is no change", async () => {
    const { id, outs } = await createDomain();
    const same = await resendDomainProvider.diff!(id, outs, { ...domainInputs(), apiKey: "re_other_key_value_000" });
    expect(same.changes).toBe(false);
    const legacy = await resendDomainProvider.diff!(
      id,
      { ...outs, deleteOnDestroy: true } as ResendDomainOutputs,
      domainInputs(),
    );
    expect(legacy.changes).toBe(false);
    for (const [k, v] of [
      ["name", "example.org"],
      ["region", "us-east-1"],
      ["returnPath", "bounce"],
    ] as const) {
      const d = await resendDomainProvider.diff!(id, outs, { ...domainInputs(), [k]: v });
      expect(d.changes).toBe(true);
      expect(d.replaces).toEqual([k]);
    }
  });

  it("read refreshes status and records", async () => {
    const { id, outs } = await createDomain();
    fake.state.domains[0].status = "verified";
    const r = await resendDomainProvider.read!(id, outs);
    expect(r.props?.status).toBe("verified");
  });
});

describe("ResendVerification provider", () => {
  const verifyInputs = (domainId: string, extra: object = {}) => ({
    apiKey: fake.fullKey,
    domainId,
    waitSeconds: 2,
    pollSeconds: 0.02,
    strict: false,
    recordsHash: "h1",
    baseUrl: fake.url,
    ...extra,
  });

  it("polls until verified", async () => {
    fake.state.verifyAfterPolls = 3;
    const { id } = await createDomain();
    const r = await resendVerificationProvider.create(verifyInputs(id));
    expect(r.outs?.status).toBe("verified");
    expect(r.outs?.unverifiedRecords).toEqual([]);
    expect(fake.state.requests.some((q) => q.method === "POST" && q.path === `/domains/${id}/verify`)).toBe(true);
  });

  it("still pending after the wait: returns pending without throwing, with advice", async () => {
    fake.state.verifyAfterPolls = Infinity;
    const { id } = await createDomain();
    const t0 = Date.now();
    const r = await resendVerificationProvider.create(verifyInputs(id, { waitSeconds: 0.2 }));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.outs?.status).toBe("pending");
    expect(r.outs?.unverifiedRecords).toHaveLength(3);
    expect(verificationAdvice("pending", "example.com", 0.2, r.outs?.unverifiedRecords)).toMatch(
      /run `pulumi up` again later/,
    );
    expect(verificationAdvice("verified", "example.com", 1)).toBeUndefined();
  });

  it("strict + not verified → error; failed → error even when not strict", async () => {
    fake.state.verifyAfterPolls = Infinity;
    const { id } = await createDomain();
    await expect(
      resendVerificationProvider.create(verifyInputs(id, { waitSeconds: 0.1, strict: true })),
    ).rejects.toThrow(/has not verified example.com yet \(status pending/);
    fake.state.verifyAfterPolls = 1;
    fake.state.verifyOutcome = "failed";
    await expect(resendVerificationProvider.create(verifyInputs(id))).rejects.toThrow(
      /could not verify example.com \(status failed\)/,
    );
  });

  it("diff: a records change re-runs (replace); pending re-checks on the next up", async () => {
    const olds = { ...verifyInputs("d1"), status: "verified", unverifiedRecords: [], domainName: "example.com" };
    expect((await resendVerificationProvider.diff!("v", olds, verifyInputs("d1"))).changes).toBe(false);
    expect(await resendVerificationProvider.diff!("v", olds, verifyInputs("d1", { recordsHash: "h2" }))).toMatchObject({
      changes: true,
      replaces: ["recordsHash"],
    });
    expect(
      (await resendVerificationProvider.diff!("v", { ...olds, status: "pending" }, verifyInputs("d1"))).changes,
    ).toBe(true);
  });
});

describe("ResendSendingKey provider", () => {
  const keyInputs = (domainId: string, rotation = "") => ({
    apiKey: fake.fullKey,
    domainId,
    name: "mailstack relay example.com",
    rotation,
    baseUrl: fake.url,
  });

  it("create sends sending_access + domain_id (what the fake received), delete revokes the key", async () => {
    const { id: domainId } = await createDomain();
    const r = await resendSendingKeyProvider.create(keyInputs(domainId));
    const outs = r.outs as ResendSendingKeyOutputs;
    expect(outs.token).toMatch(/^re_/);
    expect(r.id).toBe(outs.keyId);
    expect(fake.state.apiKeyBodies).toEqual([
      { name: "mailstack relay example.com", permission: "sending_access", domain_id: domainId },
    ]);
    // The minted key really is sending-only: it cannot manage domains.
    const { getDomain } = await import("../../lib/resend/api");
    await expect(getDomain({ apiKey: outs.token, baseUrl: fake.url }, domainId)).rejects.toThrow(/sending-only key/);

    await resendSendingKeyProvider.delete!(r.id, outs);
    expect(fake.state.keys.find((k) => k.id === r.id)).toBeUndefined();
  });

  it("diff: replaced only when rotation or domainId changes", async () => {
    const olds = { ...keyInputs("d1"), keyId: "k", token: "re_x" };
    expect(
      (
        await resendSendingKeyProvider.diff!("k", olds, {
          ...keyInputs("d1"),
          apiKey: "re_new_full_key_0000",
          name: "renamed",
        })
      ).changes,
    ).toBe(false);
    expect(await resendSendingKeyProvider.diff!("k", olds, keyInputs("d1", "2025-06"))).toMatchObject({
      changes: true,
      replaces: ["rotation"],
      deleteBeforeReplace: false,
    });
    expect((await resendSendingKeyProvider.diff!("k", olds, keyInputs("d2"))).replaces).toEqual(["domainId"]);
  });
});

describe("the provisioning key each call uses", () => {
  const configure = (provider: pulumi.dynamic.ResourceProvider, stack: Record<string, string>) => {
    const get = (k: string) => stack[k.includes(":") ? k : `mailstack:${k}`];
    return provider.configure!({ config: { get, require: (k: string) => get(k) } });
  };

  afterEach(async () => {
    await configure(resendDomainProvider, {}); // the provider objects are shared by the tests in this file
  });

  it("is the stack's current key when it has one, whatever key the resource was created with", async () => {
    const { id, outs } = await createDomain();
    await configure(resendDomainProvider, { "mailstack:resendApiKey": "re_revoked_or_wrong_000" });
    await expect(resendDomainProvider.read!(id, outs)).rejects.toThrow(/rejected by Resend \(invalid_api_key\)/);
    await configure(resendDomainProvider, { "mailstack:resendApiKey": fake.fullKey });
    const r = await resendDomainProvider.read!(id, { ...outs, apiKey: "re_revoked_or_wrong_000" });
    expect(r.props?.apiKey).toBe(fake.fullKey);
  });

  it("falls back to the stored key when the stack has none (provisioning switched off)", async () => {
    const { id, outs } = await createDomain();
    await configure(resendDomainProvider, {});
    await resendDomainProvider.delete!(id, outs);
    expect(fake.state.domains).toHaveLength(0);
  });
});
