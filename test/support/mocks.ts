import * as fs from "node:fs";
import * as path from "node:path";
import { createHash, generateKeyPairSync } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import forge from "node-forge";
import { selfSignedCertificate } from "./certificates";

/**
 * Pulumi mocks standing in for the providers. What a real provider would compute once and keep in state
 * (keys, certificates, generated passwords) is computed once per `stateDir` and read back on later runs, so
 * a second evaluation "with the same state" sees the same values — as `pulumi up` twice would.
 */
const SECRET_SIG = pulumi.runtime.specialSigKey;
const SECRET_VALUE = pulumi.runtime.specialSecretSig;

export const secretOf = (value: unknown) => ({ [SECRET_SIG]: SECRET_VALUE, value });
export const isSecretWrapper = (v: unknown): v is { value: unknown } =>
  typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;

/** Removes secret wrappers, collecting the paths where they were. */
export function unwrapSecrets(value: unknown, at = "", found: string[] = []): unknown {
  if (isSecretWrapper(value)) {
    found.push(at || "(root)");
    return unwrapSecrets(value.value, at, found);
  }
  if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, found));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, at ? `${at}.${k}` : k, found)]),
    );
  }
  return value;
}

function remembered<T>(stateDir: string, key: string, make: () => T): T {
  const file = path.join(stateDir, createHash("sha256").update(key).digest("hex").slice(0, 24) + ".json");
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  const value = make();
  fs.writeFileSync(file, JSON.stringify(value));
  return value;
}

function makeRsaKey(bits: number) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
  secretInputs: string[];
  /** Resource options as the engine received them (filled in by program-child). */
  options?: {
    parent?: string;
    /** Names of the resources this one depends on (explicit and through its inputs). */
    dependsOn: string[];
    protect: boolean;
    retainOnDelete: boolean;
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
  };
}

export interface MockOptions {
  stateDir: string;
  /** Records Resend "returns" for the dynamic domain resource. */
  resendRecords?: unknown[];
}

export function mailstackMocks(opts: MockOptions, registered: Registered[]): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      const secretInputs: string[] = [];
      const inputs = unwrapSecrets(args.inputs, "", secretInputs) as Record<string, any>;
      registered.push({ type: args.type, name: args.name, inputs, secretInputs });
      const id = `${args.name}-id`;
      const stateKey = `${args.type}::${args.name}`;
      switch (args.type) {
        case "tls:index/privateKey:PrivateKey": {
          const k = remembered(opts.stateDir, `${stateKey}::${inputs.rsaBits}`, () =>
            makeRsaKey(inputs.rsaBits ?? 2048),
          );
          return {
            id,
            state: { ...args.inputs, privateKeyPem: secretOf(k.privateKeyPem), publicKeyPem: k.publicKeyPem },
          };
        }
        case "tls:index/selfSignedCert:SelfSignedCert": {
          const c = remembered(
            opts.stateDir,
            `${stateKey}::${inputs.subject?.commonName}::${inputs.privateKeyPem}`,
            () =>
              // The provider certifies the given key for the subject's name; validity from now.
              selfSignedCertificate({
                hostname: inputs.subject?.commonName,
                days: inputs.validityPeriodHours / 24,
                notBeforeDays: 0,
                keyPem: inputs.privateKeyPem,
              }),
          );
          return { id, state: { ...args.inputs, certPem: c.certPem } };
        }
        case "random:index/randomPassword:RandomPassword": {
          const result = remembered(
            opts.stateDir,
            stateKey,
            () => forge.util.bytesToHex(forge.random.getBytesSync(12)) + "Aa1",
          );
          return { id, state: { ...args.inputs, result: secretOf(result) } };
        }
        case "docker:index/remoteImage:RemoteImage":
          return {
            id,
            state: { ...args.inputs, imageId: `sha256:${createHash("sha256").update(inputs.name).digest("hex")}` },
          };
        case "pulumi-nodejs:dynamic/resend:ResendDomain":
          return {
            id: "dom_123",
            state: {
              ...args.inputs,
              domainId: "dom_123",
              records: opts.resendRecords ?? [],
              status: "not_started",
              adopted: false,
            },
          };
        case "pulumi-nodejs:dynamic/resend:ResendVerification":
          return { id: "ver_123", state: { ...args.inputs, status: "verified", unverifiedRecords: [] } };
        case "pulumi-nodejs:dynamic/resend:ResendSendingKey":
          return {
            id: "key_123",
            state: { ...args.inputs, keyId: "key_123", token: secretOf("re_minted_sending_key") },
          };
        default:
          return { id, state: args.inputs };
      }
    },
    call(args) {
      if (args.token === "cloudflare:index/getZone:getZone") {
        const name = args.inputs.filter?.name;
        return { id: "f".repeat(32), zoneId: "f".repeat(32), name };
      }
      throw new Error(`unexpected invoke ${args.token}`);
    },
  };
}
