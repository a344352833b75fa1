/**
 * `ResendVerification`: asks Resend to verify the domain and polls for a bounded time. Its `status` output is
 * what the component reports: a dynamic provider cannot log, so `pending` is returned (and warned about by
 * the component) instead of failing the whole `up` while DNS propagates.
 */
import * as pulumi from "@pulumi/pulumi";
import * as api from "../../lib/resend/api";
import { configureProvisioningKey, ProvisioningKeyHolder, resendConnection } from "./provisioning-key";

export interface ResendVerificationInputs {
  apiKey: string;
  domainId: string;
  /** Longest time to poll for `verified` (default 300). */
  waitSeconds: number;
  /** Delay between polls (default 10). */
  pollSeconds: number;
  /** Fail when not verified after the wait (default false: warn instead). */
  strict: boolean;
  /** Hash of the published records: a change re-runs verification. */
  recordsHash: string;
  baseUrl?: string;
}

export interface ResendVerificationOutputs extends ResendVerificationInputs {
  status: string;
  /** `type name: status` of records Resend has not verified. */
  unverifiedRecords: string[];
  domainName: string;
}

export interface ResendVerificationArgs {
  apiKey: pulumi.Input<string>;
  domainId: pulumi.Input<string>;
  waitSeconds?: pulumi.Input<number>;
  pollSeconds?: pulumi.Input<number>;
  strict?: pulumi.Input<boolean>;
  recordsHash: pulumi.Input<string>;
  baseUrl?: pulumi.Input<string>;
}

const FAILED = ["failed", "partially_failed"];

/** What the user should do for a final status; undefined when there is nothing to do. Pure. */
export function verificationAdvice(
  status: string,
  domain: string,
  waitSeconds: number,
  unverified: string[] = [],
  manualDns = false,
): string | undefined {
  if (status === "verified") return undefined;
  const which = unverified.length ? ` Not yet verified: ${unverified.join("; ")}.` : "";
  const publish = manualDns
    ? " Publish every record in the `dnsRecords` output (or the `zoneFile` output) at your DNS host (no Cloudflare zone is managed)."
    : "";
  if (FAILED.includes(status)) {
    return `Resend could not verify ${domain} (status ${status}).${which} Check that every Resend record in the \`dnsRecords\` output (\`pulumi stack output dnsRecords\`) is published exactly (proxy off), then run \`pulumi up\` again.`;
  }
  return `Resend has not verified ${domain} yet (status ${status} after ${waitSeconds}s).${which}${publish} DNS can take from minutes to hours: run \`pulumi up\` again later to re-check (raise mailstack:resend.verifyWaitSeconds to wait longer). Mail relayed through Resend is refused until the domain is verified.`;
}

async function runVerification(
  holder: ProvisioningKeyHolder,
  inputs: ResendVerificationInputs,
): Promise<ResendVerificationOutputs> {
  const conn = resendConnection(holder, inputs);
  const waitMs = Math.max(0, Number(inputs.waitSeconds ?? 300)) * 1000;
  const pollMs = Math.max(0.01, Number(inputs.pollSeconds ?? 10)) * 1000;
  const deadline = Date.now() + waitMs;
  await api.verifyDomain(conn, inputs.domainId);
  let d = await api.getDomain(conn, inputs.domainId);
  while (d.status !== "verified" && !FAILED.includes(d.status) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
    d = await api.getDomain(conn, inputs.domainId);
  }
  const unverified = d.records
    .filter((r) => r.status !== "verified")
    .map((r) => `${r.type} ${r.name}: ${r.status ?? "unknown"}`);
  if (FAILED.includes(d.status) || (inputs.strict && d.status !== "verified")) {
    throw new Error(verificationAdvice(d.status, d.name, Number(inputs.waitSeconds ?? 300), unverified));
  }
  return { ...inputs, status: d.status, unverifiedRecords: unverified, domainName: d.name };
}

export const resendVerificationProvider: pulumi.dynamic.ResourceProvider<
  ResendVerificationInputs,
  ResendVerificationOutputs
> &
  ProvisioningKeyHolder = {
  configure: configureProvisioningKey,

  async create(inputs) {
    const outs = await runVerification(this, inputs);
    return { id: `${inputs.domainId}-verification`, outs };
  },

  async diff(_id, olds, news) {
    const replaces = (["domainId", "recordsHash"] as const).filter((k) => olds[k] !== news[k]);
    // Not verified last time: check again on this `up` (an update), so a later run can turn the warning off.
    const recheck = olds.status !== "verified";
    const strictened = Boolean(news.strict) && !olds.strict && olds.status !== "verified";
    return { changes: replaces.length > 0 || recheck || strictened, replaces: [...replaces] };
  },

  async update(_id, _olds, news) {
    return { outs: await runVerification(this, news) };
  },

  async delete() {
    // Nothing to undo in Resend: verification is a state of the domain, not a separate object.
  },
};

export class ResendVerification extends pulumi.dynamic.Resource {
  declare readonly status: pulumi.Output<string>;
  declare readonly unverifiedRecords: pulumi.Output<string[]>;
  declare readonly domainName: pulumi.Output<string>;

  constructor(name: string, args: ResendVerificationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      resendVerificationProvider,
      name,
      {
        status: undefined,
        unverifiedRecords: undefined,
        domainName: undefined,
        ...args,
        waitSeconds: args.waitSeconds ?? 300,
        pollSeconds: args.pollSeconds ?? 10,
        strict: args.strict ?? false,
      },
      { ...opts, additionalSecretOutputs: ["apiKey"] },
      "resend",
      "ResendVerification",
    );
  }
}
