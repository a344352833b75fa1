/**
 * Run by serialization.test.ts in a plain Node process (via tsx, as ts-node would compile it for `pulumi up`):
 * serializes each Resend provider the way `pulumi.dynamic.Resource` does, loads the text the way Pulumi's
 * dynamic-provider host does (require-from-string, then `configure` with the stack's config), and drives it
 * against the fake. Prints one JSON line of results. Vitest's own module transform is not representative of
 * what Pulumi serializes, hence the separate process.
 *
 *   serialized-providers.ts basic  <fake url> <full key>
 *   serialized-providers.ts rotate <fake url> <full key> <full key's id>
 */
import type * as pulumi from "@pulumi/pulumi";
import { resendDomainProvider, ResendDomainOutputs } from "../../../components/resend/domain";
import { resendSendingKeyProvider, ResendSendingKeyOutputs } from "../../../components/resend/sending-key";
import { resendVerificationProvider } from "../../../components/resend/verification";

// Internal modules of @pulumi/pulumi: the exact serializer dynamic.Resource uses, and the Config the host
// builds from the engine's Configure request (no typings, hence require).
/* eslint-disable @typescript-eslint/no-require-imports */
const sc = require("@pulumi/pulumi/runtime/closure/serializeClosure");
const { Config } = require("@pulumi/pulumi/cmd/dynamic-provider/config");
const requireFromString = require("require-from-string");
/* eslint-enable @typescript-eslint/no-require-imports */

type Provider = pulumi.dynamic.ResourceProvider;

/** One deserialized, configured copy of each provider: what one `pulumi up/refresh/destroy` process holds. */
async function hostProcess(stackConfig: Record<string, string>) {
  const load = async (provider: unknown): Promise<Provider> => {
    const sf = await sc.serializeFunction(() => provider, { allowSecrets: true });
    const p = requireFromString(sf.text).handler() as Provider;
    // pkg/resource/deploy/target.go passes dynamic providers the whole stack config, namespaced.
    await p.configure?.({ config: new Config(stackConfig, "mailstack") });
    return p;
  };
  return {
    domain: await load(resendDomainProvider),
    verification: await load(resendVerificationProvider),
    key: await load(resendSendingKeyProvider),
  };
}

async function basic(baseUrl: string, apiKey: string) {
  const host = await hostProcess({ "mailstack:resendApiKey": apiKey });
  const base = { apiKey, baseUrl };
  const d = await host.domain.create({ ...base, name: "example.com", region: "us-east-1", returnPath: "send" });
  const v = await host.verification.create({
    ...base,
    domainId: d.id,
    waitSeconds: 5,
    pollSeconds: 0.05,
    strict: false,
    recordsHash: "h",
  });
  const k = await host.key.create({ ...base, domainId: d.id, name: "relay", rotation: "" });
  let errorMessage = "";
  try {
    const wrong = await hostProcess({ "mailstack:resendApiKey": "re_wrong_key_0000000000" });
    await wrong.domain.create({ ...base, name: "example.net", region: "us-east-1", returnPath: "send" });
  } catch (e) {
    errorMessage = (e as Error).message;
  }
  await host.key.delete!(k.id, k.outs!);
  await host.domain.delete!(d.id, d.outs!);
  return {
    domainId: d.id,
    status: v.outs?.status,
    keyId: k.id,
    tokenPrefix: String(k.outs?.token).slice(0, 3),
    errorMessage,
  };
}

/** `pulumi up`, then the provisioning key is rotated and the old one revoked, then refresh, then destroy. */
async function rotate(baseUrl: string, oldKey: string, oldKeyId: string) {
  const up = await hostProcess({ "mailstack:resendApiKey": oldKey });
  const inputs = { apiKey: oldKey, baseUrl, name: "example.com", region: "us-east-1", returnPath: "send" };
  const d = await up.domain.create(inputs);
  const k = await up.key.create({ apiKey: oldKey, baseUrl, domainId: d.id, name: "relay", rotation: "" });

  // The user makes a new full-access key, then revokes the old one, and sets the new one in the stack.
  const call = async (method: string, path: string, key: string, body?: object) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body && JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ id: string; token: string }>;
  };
  const newKey = (await call("POST", "/api-keys", oldKey, { name: "provisioner 2", permission: "full_access" })).token;
  await call("DELETE", `/api-keys/${oldKeyId}`, newKey);

  // `pulumi preview/up` with the new key: no change planned for the domain.
  const next = await hostProcess({ "mailstack:resendApiKey": newKey });
  const diff = await next.domain.diff!(d.id, d.outs!, { ...inputs, apiKey: newKey });

  // `pulumi refresh`: reads with the stored (revoked) key's successor.
  const refresh = await hostProcess({ "mailstack:resendApiKey": newKey });
  const read = await refresh.domain.read!(d.id, d.outs as ResendDomainOutputs);

  // `pulumi destroy`: revokes the sending key and deletes the domain (not retained) with the current key.
  const destroy = await hostProcess({ "mailstack:resendApiKey": newKey });
  await destroy.key.delete!(k.id, k.outs as ResendSendingKeyOutputs);
  await destroy.domain.delete!(d.id, read.props as ResendDomainOutputs);
  return {
    domainId: d.id,
    keyId: k.id,
    diffChanges: diff.changes,
    readStatus: read.props?.status,
    refreshedKeyIsNew: read.props?.apiKey === newKey,
  };
}

async function main() {
  const [mode, baseUrl, apiKey, keyId] = process.argv.slice(2);
  const result = mode === "rotate" ? await rotate(baseUrl, apiKey, keyId) : await basic(baseUrl, apiKey);
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
