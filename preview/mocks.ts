import * as fs from "node:fs";
import * as path from "node:path";
import { createHash, generateKeyPairSync } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import forge from "node-forge";
import { selfSignedCertificate } from "./certificates";

/** How Pulumi's dynamic-provider host loads a serialized provider (no typings, hence require). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireFromString = require("require-from-string") as (code: string) => {
  handler: () => pulumi.dynamic.ResourceProvider;
};

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

/** ECDSA P-256 as the tls provider writes it (`EC PRIVATE KEY`, what lego 4.9.1 reads for an account key). */
function makeEcKey() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    privateKeyPem: privateKey.export({ type: "sec1", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** Cloudflare's public IDs of the two groups the renewer's token holds (its API token permissions docs). */
export const PERMISSION_GROUP_IDS: Record<string, string> = {
  "DNS Write": "4755a26eedb94da69e1066d98aa820be",
  "Zone Read": "c8fed203ed3043cba015a93ad1616f1f",
};

function makeRsaKey(bits: number) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** How a run's outputs show a value a preview cannot know. */
export const UNKNOWN = "<unknown>";

/** What the engine would do with a resource on a preview (see `planPreview`); absent on an `up`. */
export type PreviewOp = "create" | "same" | "update" | "replace" | "change";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
  secretInputs: string[];
  /** What the provider computed beyond the inputs (a key, a certificate, a token), secrets unwrapped. */
  outputs?: Record<string, any>;
  /** The `import` option (an ID to adopt), when set. */
  importId?: string;
  /** On a preview over a previous run's state: what the engine would plan for this resource. */
  op?: PreviewOp;
  /** Resource options as the engine received them (filled in by program-child). */
  options?: {
    parent?: string;
    /** Names of the resources this one depends on (explicit and through its inputs). */
    dependsOn: string[];
    protect: boolean;
    retainOnDelete: boolean;
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    /**
     * The `aliases` option: a former URN, or a former name and type ("" = unchanged) under a parent's URN (the
     * mock monitor's URN: only the parent's own type, where the engine has the whole chain).
     */
    aliases: ({ urn: string } | { name: string; type: string; parentUrn: string })[];
  };
}

export interface MockOptions {
  stateDir: string;
  /**
   * For evaluating hundreds of stacks in one process: every generated private key is this key and every
   * self-signed certificate this certificate (making real ones would dominate the run).
   */
  fixedKeyMaterial?: { privateKeyPem: string; publicKeyPem: string; certPem: string };
  /** Records Resend "returns" for the dynamic domain resource. */
  resendRecords?: unknown[];
  /** A `pulumi preview` over the state the last non-preview run left in stateDir (see `planPreview`). */
  preview?: boolean;
  /**
   * Appended to what the mocks invent that a provider would compute (IDs, image digests, Resend's IDs and
   * key), so that two runs with different tags tell what is known before a create from what is not.
   */
  inventedTag?: string;
}

type MockResult = { id: string | undefined; state: Record<string, any> };

export function mailstackMocks(opts: MockOptions, registered: Registered[]): pulumi.runtime.Mocks {
  return {
    async newResource(args) {
      const secretInputs: string[] = [];
      const inputs = unwrapSecrets(args.inputs, "", secretInputs) as Record<string, any>;
      const entry: Registered = { type: args.type, name: args.name, inputs, secretInputs };
      if (args.id) entry.importId = args.id;
      registered.push(entry);
      const result = newState(opts, args, inputs);
      const computed = Object.entries(result.state).filter(([k]) => !(k in args.inputs));
      if (computed.length) entry.outputs = unwrapSecrets(Object.fromEntries(computed)) as Record<string, any>;
      if (!opts.preview) {
        saveResource(opts.stateDir, args.type, args.name, { id: result.id, inputs: args.inputs, state: result.state });
        return result;
      }
      const planned = await planPreview(args, loadResource(opts.stateDir, args.type, args.name), result);
      entry.op = planned.op;
      return planned.result;
    },
    call(args) {
      // The program reads zones and records from Cloudflare itself (lib/cloudflare); its one provider invoke
      // looks up the permission groups of the renewer's scoped token.
      if (args.token === "cloudflare:index/getApiTokenPermissionGroupsList:getApiTokenPermissionGroupsList") {
        const name = decodeURIComponent(args.inputs.name ?? "");
        const id = PERMISSION_GROUP_IDS[name];
        return {
          ...args.inputs,
          results: id ? [{ id, name, scopes: [args.inputs.scope], category: "dns_and_zones", isSelectable: true }] : [],
        };
      }
      throw new Error(`unexpected invoke ${args.token}`);
    },
  };
}

/** What each provider would return for a resource (what an `up` stores in state). */
function newState(opts: MockOptions, args: pulumi.runtime.MockResourceArgs, inputs: Record<string, any>): MockResult {
  const tag = opts.inventedTag ?? "";
  const id = `${args.name}-id${tag}`;
  const stateKey = `${args.type}::${args.name}`;
  switch (args.type) {
    case "tls:index/privateKey:PrivateKey": {
      const k =
        (inputs.algorithm !== "ECDSA" && opts.fixedKeyMaterial) ||
        remembered(opts.stateDir, `${stateKey}::${inputs.algorithm}::${inputs.rsaBits}`, () =>
          inputs.algorithm === "ECDSA" ? makeEcKey() : makeRsaKey(inputs.rsaBits ?? 2048),
        );
      return {
        id,
        state: { ...args.inputs, privateKeyPem: secretOf(k.privateKeyPem), publicKeyPem: k.publicKeyPem },
      };
    }
    case "tls:index/selfSignedCert:SelfSignedCert": {
      const c =
        opts.fixedKeyMaterial ??
        remembered(opts.stateDir, `${stateKey}::${inputs.subject?.commonName}::${inputs.privateKeyPem}`, () =>
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
        state: {
          ...args.inputs,
          imageId: `sha256:${createHash("sha256")
            .update(inputs.name + tag)
            .digest("hex")}`,
        },
      };
    case "pulumi-nodejs:dynamic/acme:AcmeAccount": {
      // The CA's account URL for this key: one per key and server, as a CA answers newAccount.
      const n = remembered(opts.stateDir, `${stateKey}::${inputs.server}::${inputs.accountKeyPem}`, () =>
        Math.floor(Math.random() * 1e9),
      );
      const uri = `${new URL(inputs.server).origin}/acme/acct/${n}`;
      return { id: uri, state: { ...args.inputs, uri } };
    }
    case "cloudflare:index/apiToken:ApiToken": {
      // Cloudflare shows a token's value once, at creation; an update keeps it.
      const token = remembered(
        opts.stateDir,
        `${stateKey}::${inputs.name}::${JSON.stringify(inputs.policies)}`,
        () => ({
          id: forge.util.bytesToHex(forge.random.getBytesSync(16)),
          value: forge.util.encode64(forge.random.getBytesSync(30)).replace(/[+/=]/g, "x"),
        }),
      );
      return { id: token.id, state: { ...args.inputs, value: secretOf(token.value), status: "active" } };
    }
    case "pulumi-nodejs:dynamic/resend:ResendDomain": {
      // One ID per domain of a several-domain stack (its relays are named after their domains), else dom_123.
      const perDomain = /-relay-(.+)-resend-domain$/.exec(args.name);
      const domainId = perDomain ? `dom_${perDomain[1]}` : "dom_123";
      return {
        id: `${domainId}${tag}`,
        state: {
          ...args.inputs,
          domainId: `${domainId}${tag}`,
          records: opts.resendRecords ?? [],
          status: "not_started",
          adopted: false,
        },
      };
    }
    case "pulumi-nodejs:dynamic/resend:ResendVerification":
      return { id: `ver_123${tag}`, state: { ...args.inputs, status: "verified", unverifiedRecords: [] } };
    case "pulumi-nodejs:dynamic/resend:ResendSendingKey":
      return {
        id: `key_123${tag}`,
        // A key scoped to its domain: the token names the domain's ID.
        state: {
          ...args.inputs,
          keyId: `key_123${tag}`,
          token: secretOf(
            String(args.inputs.domainId).startsWith("dom_123")
              ? `re_minted_sending_key${tag}`
              : `re_minted_for_${args.inputs.domainId}`,
          ),
        },
      };
    default:
      return { id, state: args.inputs };
  }
}

// --- the engine's preview, modelled over the state of the previous run ------------------------------------

interface StoredResource {
  id: string | undefined;
  inputs: Record<string, any>;
  state: Record<string, any>;
}

const resourceFile = (stateDir: string, type: string, name: string) =>
  path.join(
    stateDir,
    "resources",
    `${createHash("sha256").update(`${type}::${name}`).digest("hex").slice(0, 24)}.json`,
  );

function saveResource(stateDir: string, type: string, name: string, r: StoredResource) {
  fs.mkdirSync(path.join(stateDir, "resources"), { recursive: true });
  fs.writeFileSync(resourceFile(stateDir, type, name), JSON.stringify(r));
}

function loadResource(stateDir: string, type: string, name: string): StoredResource | undefined {
  const file = resourceFile(stateDir, type, name);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as StoredResource) : undefined;
}

/** The wire form of an unknown value, as the engine hands it to a provider's Diff (rpc.unknownValue). */
const UNKNOWN_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const withoutSecretsOrUnknowns = (v: unknown): unknown => {
  if (pulumi.isUnknown(v)) return UNKNOWN_WIRE;
  if (isSecretWrapper(v)) return withoutSecretsOrUnknowns(v.value);
  if (Array.isArray(v)) return v.map(withoutSecretsOrUnknowns);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutSecretsOrUnknowns(x)]));
  return v;
};
const containsUnknown = (v: unknown): boolean =>
  pulumi.isUnknown(v) ||
  (Array.isArray(v) ? v.some(containsUnknown) : !!v && typeof v === "object" && Object.values(v).some(containsUnknown));

const dynamicProviders = new Map<string, pulumi.dynamic.ResourceProvider>();

/**
 * What `pulumi preview` plans for one resource, given what the last `up` stored for it:
 * - a dynamic resource runs its real `diff` (the serialized provider, as the dynamic-provider host runs it).
 *   With changes, the engine cannot preview it (no supportsPreview) and hands back the new inputs as its
 *   state — so every output that is not an input becomes unknown downstream
 *   (sdk/go/common/resource/plugin/provider_plugin.go, Create/Update with req.Preview);
 * - any other resource is the same when its inputs are, and otherwise a change (update or replace: only the
 *   real provider's schema says which);
 * - a resource the last run did not have is a create; the provider is not called, so what it would compute
 *   (keys, certificates, generated passwords, IDs) is unknown: its state is its inputs.
 * Resources the last run had and the preview does not register are planned deletes (compare the runs).
 */
async function planPreview(
  args: pulumi.runtime.MockResourceArgs,
  prior: StoredResource | undefined,
  fresh: MockResult,
): Promise<{ op: PreviewOp; result: MockResult }> {
  const dynamic = args.type.startsWith("pulumi-nodejs:dynamic");
  const inputsOnly = { id: prior?.id ?? fresh.id, state: args.inputs };
  if (!prior) return { op: "create", result: inputsOnly };
  const news = withoutSecretsOrUnknowns(args.inputs) as Record<string, any>;
  if (dynamic) {
    const text = args.inputs.__provider as string;
    if (!dynamicProviders.has(text)) dynamicProviders.set(text, requireFromString(text).handler());
    const d = await dynamicProviders.get(text)!.diff!(prior.id!, withoutSecretsOrUnknowns(prior.state), news);
    if (!d.changes) return { op: "same", result: { id: prior.id, state: prior.state } };
    return { op: d.replaces?.length ? "replace" : "update", result: inputsOnly };
  }
  const same = !containsUnknown(args.inputs) && isDeepStrictEqual(news, withoutSecretsOrUnknowns(prior.inputs));
  if (same) return { op: "same", result: { id: prior.id, state: prior.state } };
  const olds = withoutSecretsOrUnknowns(prior.inputs) as Record<string, any>;
  const changed = [...new Set([...Object.keys(news), ...Object.keys(olds)])].filter(
    (k) => containsUnknown(args.inputs[k]) || !isDeepStrictEqual(news[k], olds[k]),
  );
  const op = changeOp(args.type, changed);
  // A replacement's ID is the new resource's, unknown until it exists (the mock monitor sends "" for it).
  return { op, result: op === "replace" ? { id: undefined, state: fresh.state } : fresh };
}

/**
 * Update or replace, where the provider's schema is modelled here:
 * - command:local:Command: `triggers` replaces (the SDK adds replaceOnChanges `triggers[*]`,
 *   @pulumi/command 1.2.1 local/command.js), any other input is an update that runs the command again
 *   (pulumi-command v1.2.1 provider/pkg/provider/local/commandController.go, Update);
 * - docker:index/container:Container: every field is ForceNew except these few (terraform-provider-docker
 *   v4.5.0 internal/provider/resource_docker_container.go); MailServer adds replaceOnChanges `healthcheck`.
 * Anything else is a "change": only the real provider's schema says which.
 */
const CONTAINER_IN_PLACE = ["restart", "maxRetryCount", "destroyGraceSeconds", "mustRun", "start", "wait", "rm"];
function changeOp(type: string, changed: string[]): PreviewOp {
  if (type === "command:local:Command") return changed.includes("triggers") ? "replace" : "update";
  if (type === "docker:index/container:Container")
    return changed.every((k) => CONTAINER_IN_PLACE.includes(k)) ? "update" : "replace";
  return "change";
}
