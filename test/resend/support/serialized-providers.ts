/**
 * Run by serialization.test.ts in a plain Node process (via tsx, as ts-node would compile it for `pulumi up`):
 * serializes each Resend provider the way `pulumi.dynamic.Resource` does, loads the text the way Pulumi's
 * dynamic-provider host does (require-from-string), and drives it against the fake at argv[2] with the key at
 * argv[3]. Prints one JSON line of results. Vitest's own module transform is not representative of what Pulumi
 * serializes, hence the separate process.
 */
import { resendDomainProvider } from "../../../components/resend/domain";
import { resendSendingKeyProvider } from "../../../components/resend/sending-key";
import { resendVerificationProvider } from "../../../components/resend/verification";

// Internal module of @pulumi/pulumi: the exact serializer dynamic.Resource uses (no typings, hence require).
/* eslint-disable @typescript-eslint/no-require-imports */
const sc = require("@pulumi/pulumi/runtime/closure/serializeClosure");
const requireFromString = require("require-from-string");
/* eslint-enable @typescript-eslint/no-require-imports */

async function load<T>(provider: T): Promise<T> {
  const sf = await sc.serializeFunction(() => provider, { allowSecrets: true });
  return requireFromString(sf.text).handler() as T;
}

async function main() {
  const [baseUrl, apiKey] = process.argv.slice(2);
  const base = { apiKey, baseUrl };
  const domainP = await load(resendDomainProvider);
  const verifyP = await load(resendVerificationProvider);
  const keyP = await load(resendSendingKeyProvider);
  const d = await domainP.create({
    ...base,
    name: "example.com",
    region: "us-east-1",
    returnPath: "send",
    deleteOnDestroy: true,
  });
  const v = await verifyP.create({
    ...base,
    domainId: d.id,
    waitSeconds: 5,
    pollSeconds: 0.05,
    strict: false,
    recordsHash: "h",
  });
  const k = await keyP.create({ ...base, domainId: d.id, name: "relay", rotation: "" });
  let errorMessage = "";
  try {
    await domainP.create({
      ...base,
      apiKey: "re_wrong_key_0000000000",
      name: "example.net",
      region: "us-east-1",
      returnPath: "send",
      deleteOnDestroy: false,
    });
  } catch (e) {
    errorMessage = (e as Error).message;
  }
  await keyP.delete!(k.id, k.outs!);
  await domainP.delete!(d.id, d.outs!);
  console.log(
    JSON.stringify({
      domainId: d.id,
      status: v.outs?.status,
      keyId: k.id,
      tokenPrefix: String(k.outs?.token).slice(0, 3),
      errorMessage,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
