/**
 * ResendRelayDomain under Pulumi mocks: the dynamic providers are not called, so the mock answers for the
 * `pulumi-nodejs:dynamic/resend:*` types with what Resend would have returned. What is proven here is the
 * graph: records → Cloudflare records through the stack's DNS component (proxy off, FQDNs), verification
 * after all of them, secret password.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const unwrap = (v: any) => (v && typeof v === "object" && SECRET_SIG in v ? v.value : v);
const isWrappedSecret = (v: any) => Boolean(v && typeof v === "object" && SECRET_SIG in v);

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
  deps: string[];
  parent: string;
  additionalSecretOutputs: string[];
  retainOnDelete: boolean;
  /** Former name and parent URN of each alias. */
  aliases: { name: string; parentUrn: string }[];
}
const registered: Registered[] = [];

const RESEND_RECORDS = [
  {
    record: "SPF",
    name: "send",
    type: "MX",
    value: "feedback-smtp.eu-west-1.amazonses.com",
    priority: 10,
    ttl: "Auto",
    status: "not_started",
  },
  {
    record: "SPF",
    name: "send",
    type: "TXT",
    value: '"v=spf1 include:amazonses.com ~all"',
    ttl: "Auto",
    status: "not_started",
  },
  {
    record: "DKIM",
    name: "abc._domainkey",
    type: "CNAME",
    value: "abc.dkim.amazonses.com.",
    ttl: "Auto",
    status: "not_started",
  },
  {
    record: "DKIM",
    name: "def._domainkey.example.com.",
    type: "CNAME",
    value: "def.dkim.amazonses.com.",
    ttl: "Auto",
    status: "not_started",
  },
  { record: "TrackingCAA", name: "@", type: "CAA", value: '0 issue "amazon.com"', ttl: "Auto", status: "not_started" },
];

function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

let mod: typeof import("../../components/resend");
let dnsMod: typeof import("../../components/dns");
const pending: Record<string, any> = {};

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const pending_ = pending[args.name];
        registered.push({
          ...(pending_ ?? { deps: [], parent: "", additionalSecretOutputs: [], retainOnDelete: false, aliases: [] }),
          type: args.type,
          name: args.name,
          inputs: args.inputs,
        });
        switch (args.type) {
          case "pulumi-nodejs:dynamic/resend:ResendDomain":
            return {
              id: "dom_123",
              state: {
                ...args.inputs,
                domainId: "dom_123",
                status: "not_started",
                adopted: false,
                records: RESEND_RECORDS,
              },
            };
          case "pulumi-nodejs:dynamic/resend:ResendVerification":
            return {
              id: "dom_123-verification",
              state: {
                ...args.inputs,
                status: "pending",
                unverifiedRecords: ["MX send: pending"],
                domainName: "example.com",
              },
            };
          case "pulumi-nodejs:dynamic/resend:ResendSendingKey":
            // A plain (non-secret) token: the component itself must make the password secret.
            return { id: "key_1", state: { ...args.inputs, keyId: "key_1", token: "re_minted_sending_token" } };
          default:
            return { id: `${args.name}-id`, state: args.inputs };
        }
      },
      call: () => ({}),
    },
    "mailstack",
    "test",
  );
  // The mock's newResource does not see dependencies: record them from the request on the way in.
  const monitor = pulumi.runtime.getMonitor() as any;
  const orig = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, cb: any) => {
    pending[req.getName()] = {
      deps: req.getDependenciesList(),
      parent: req.getParent(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      retainOnDelete: req.getRetainondelete(),
      aliases: req
        .getAliasesList()
        .map((a: any) => ({ name: a.getSpec()?.getName(), parentUrn: a.getSpec()?.getParenturn() })),
    };
    return orig(req, cb);
  };
  mod = await import("../../components/resend");
  dnsMod = await import("../../components/dns");
});

/** The stack's DNS component, publishing into zone123 (nothing in it to adopt). */
function publisher(name: string) {
  const dns = new dnsMod.MailDns(name, { zones: [] });
  const zone = { zoneId: "zone123", importIds: () => () => undefined };
  return {
    dns,
    publish: ((records, formerly) =>
      dns.publishReturned(zone, "resend", records, formerly)) as import("../../components/resend").PublishReturned,
  };
}

describe("ResendRelayDomain", () => {
  it("publishes every returned record to Cloudflare, verifies after them, and keeps the password secret", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(async () => {});
    const { dns: component, publish } = publisher("dns");
    const c = new mod.ResendRelayDomain("relay", {
      apiKey: "re_full_access_provisioner_key",
      domain: "example.com",
      region: "eu-west-1",
      returnPath: "send",
      publish,
      verifyWaitSeconds: 30,
      strictVerify: false,
      deleteOnDestroy: false,
    });

    const dns = await value(c.dnsRecords);
    expect(dns).toHaveLength(RESEND_RECORDS.length);
    const password = await value(c.relayPassword);
    expect(password).toBe("re_minted_sending_token");
    expect(await pulumi.isSecret(c.relayPassword)).toBe(true);
    expect(await value(c.status)).toBe("pending");
    expect(await value(c.domainId)).toBe("dom_123");

    const cf = registered.filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord");
    const byName = Object.fromEntries(cf.map((r) => [r.name, r.inputs]));
    const keys = [
      "caa-example.com",
      "cname-abc._domainkey.example.com",
      "cname-def._domainkey.example.com",
      "mx-send.example.com",
      "txt-send.example.com",
    ];
    expect(Object.keys(byName).sort()).toEqual(keys.map((k) => `dns-resend-${k}`).sort());
    // Published by the DNS component, and known by the name they had as the relay component's children.
    const dnsUrn = await value(component.urn);
    const componentUrn = await value(c.urn);
    for (const r of cf) {
      expect(r.parent).toBe(dnsUrn);
      expect(r.aliases).toContainEqual({ name: r.name.replace(/^dns-resend-/, "relay-"), parentUrn: componentUrn });
    }
    for (const inputs of cf.map((r) => r.inputs)) {
      expect(inputs.zoneId).toBe("zone123");
      expect(inputs.proxied).toBe(false);
      expect(inputs.ttl).toBe(3600);
      expect(inputs.name).toMatch(/^[a-z0-9._-]+\.example\.com$|^example\.com$/);
    }
    expect(byName["dns-resend-mx-send.example.com"]).toMatchObject({
      type: "MX",
      content: "feedback-smtp.eu-west-1.amazonses.com",
      priority: 10,
    });
    expect(byName["dns-resend-txt-send.example.com"]).toMatchObject({
      type: "TXT",
      content: '"v=spf1 include:amazonses.com ~all"',
    });
    expect(byName["dns-resend-cname-def._domainkey.example.com"]).toMatchObject({
      type: "CNAME",
      content: "def.dkim.amazonses.com",
    });
    expect(byName["dns-resend-caa-example.com"]).toMatchObject({
      type: "CAA",
      data: { flags: 0, tag: "issue", value: "amazon.com" },
    });
    expect(byName["dns-resend-caa-example.com"].content).toBeUndefined();

    // Its own children are parented to the component.
    for (const r of registered.filter((x) => x.name.startsWith("relay-"))) expect(r.parent).toBe(componentUrn);

    // The verification depends on every Cloudflare record; the key comes after the verification.
    const recordUrns = await Promise.all(dns.map((d) => value(d.urn)));
    const verification = registered.find((r) => r.type === "pulumi-nodejs:dynamic/resend:ResendVerification")!;
    expect(verification.name).toBe("relay-verification");
    for (const urn of recordUrns) expect(verification.deps).toContain(urn);
    expect(verification.inputs.recordsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(verification.inputs).toMatchObject({ domainId: "dom_123", waitSeconds: 30, strict: false });
    const key = registered.find((r) => r.type === "pulumi-nodejs:dynamic/resend:ResendSendingKey")!;
    expect(key.deps.some((u) => u.endsWith("::relay-verification"))).toBe(true);
    expect(key.additionalSecretOutputs).toContain("token");
    expect(key.inputs).toMatchObject({ domainId: "dom_123", rotation: "" });

    // The provisioning key travels as a secret into every dynamic resource.
    const domain = registered.find((r) => r.type === "pulumi-nodejs:dynamic/resend:ResendDomain")!;
    expect(isWrappedSecret(domain.inputs.apiKey)).toBe(true);
    expect(unwrap(domain.inputs.apiKey)).toBe("re_full_access_provisioner_key");
    expect(domain.inputs).toMatchObject({ name: "example.com", region: "eu-west-1", returnPath: "send" });
    // "Keep it in Resend" is the retainOnDelete option, not an input a preview would diff.
    expect(domain.inputs).not.toHaveProperty("deleteOnDestroy");
    expect(domain.retainOnDelete).toBe(true);
    expect(isWrappedSecret(key.inputs.apiKey)).toBe(true);

    // Specs are exported too, and the pending status produced a warning that says what to do.
    const specs = await value(c.records);
    expect(specs.map((s) => s.name)).toContain("send.example.com");
    await new Promise((r) => setTimeout(r, 50));
    expect(warn).toHaveBeenCalled();
    expect(String(warn.mock.calls[0][0])).toMatch(/has not verified example.com yet \(status pending/);
    warn.mockRestore();
  });

  it("without a DNS path it creates no Cloudflare records but still outputs the specs", async () => {
    const before = registered.filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord").length;
    const c = new mod.ResendRelayDomain("manual", {
      apiKey: "re_full_access_provisioner_key",
      domain: "example.com",
      region: "eu-west-1",
      returnPath: "send",
      verifyWaitSeconds: 0,
      strictVerify: false,
      deleteOnDestroy: true,
      keyRotation: "2025-06",
    });
    expect(await value(c.dnsRecords)).toEqual([]);
    expect(await value(c.records)).toHaveLength(RESEND_RECORDS.length);
    expect(await pulumi.isSecret(c.relayPassword)).toBe(true);
    expect(registered.filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord").length).toBe(before);
    const key = registered.find((r) => r.name === "manual-sending-key")!;
    expect(key.inputs.rotation).toBe("2025-06");
    expect(registered.find((r) => r.name === "manual-domain")!.retainOnDelete).toBe(false); // deleteOnDestroy
  });
});
