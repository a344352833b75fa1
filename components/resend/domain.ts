/**
 * `ResendDomain`: the domain registered (or adopted) in Resend, with the records Resend wants published.
 * A dynamic provider because there is no Resend Pulumi provider; it only talks to Resend through
 * lib/resend/api.ts, which builds its SDK client inside each call (methods are serialized).
 */
import * as pulumi from "@pulumi/pulumi";
import * as api from "../../lib/resend/api";
import { normalizeName } from "../../lib/dns-format";
import type { ResendDnsRecord } from "../../lib/resend/records";
import { configureProvisioningKey, ProvisioningKeyHolder, resendConnection } from "./provisioning-key";

export interface ResendDomainInputs {
  apiKey: string;
  name: string;
  region: string;
  returnPath: string;
  baseUrl?: string;
}

export interface ResendDomainOutputs extends ResendDomainInputs {
  domainId: string;
  records: ResendDnsRecord[];
  status: string;
  adopted: boolean;
}

export interface ResendDomainArgs {
  apiKey: pulumi.Input<string>;
  name: pulumi.Input<string>;
  region: pulumi.Input<string>;
  returnPath: pulumi.Input<string>;
  baseUrl?: pulumi.Input<string>;
}

/** Inputs whose change means a different Resend domain. */
const REPLACE_KEYS = ["name", "region", "returnPath"] as const;

/**
 * Every input is a fact about the Resend domain: a dynamic provider cannot preview, so any diff here makes
 * all its outputs unknown in `pulumi preview` (the engine hands back the inputs as the state,
 * sdk/go/common/resource/plugin/provider_plugin.go Update), and the records, verification, sending key and
 * container that depend on them would all show as changing. "Keep it in Resend on destroy" is therefore the
 * `retainOnDelete` resource option (set by ResendRelayDomain), not an input.
 */
export const resendDomainProvider: pulumi.dynamic.ResourceProvider<ResendDomainInputs, ResendDomainOutputs> &
  ProvisioningKeyHolder = {
  configure: configureProvisioningKey,

  async create(inputs) {
    const conn = resendConnection(this, inputs);
    const d = await api.createOrAdoptDomain(conn, inputs.name, inputs.region, inputs.returnPath);
    if (d.adopted && d.region && d.region !== inputs.region) {
      // Adopting would silently send from the old region; Resend cannot move a domain between regions.
      throw new Error(
        `Resend already has ${inputs.name} in region ${d.region}, but ${inputs.region} was asked for: set the region back to ${d.region}, or delete the domain in the Resend dashboard and run \`pulumi up\` again`,
      );
    }
    return {
      id: d.id,
      outs: { ...inputs, domainId: d.id, records: d.records, status: d.status, adopted: d.adopted },
    };
  },

  async diff(_id, olds, news) {
    const norm = (v: unknown) => normalizeName(String(v ?? ""));
    const replaces = REPLACE_KEYS.filter((k) => norm(olds[k]) !== norm(news[k]));
    // A new provisioning key changes nothing in Resend (calls use the configured one), so it is not a change.
    const changes = replaces.length > 0 || (olds.baseUrl ?? "") !== (news.baseUrl ?? "");
    // Delete first: Resend names are unique, so create-before-delete would adopt the old domain.
    return { changes, replaces: [...replaces], deleteBeforeReplace: true };
  },

  async update(_id, olds, news) {
    return {
      outs: {
        ...olds,
        ...news,
        domainId: olds.domainId,
        records: olds.records,
        status: olds.status,
        adopted: olds.adopted,
      },
    };
  },

  async read(id, props) {
    // `pulumi refresh`: pick up records or status changed in Resend since the last run.
    const conn = resendConnection(this, props!);
    const d = await api.getDomain(conn, id);
    return { id, props: { ...props!, apiKey: conn.apiKey, domainId: d.id, records: d.records, status: d.status } };
  },

  async delete(id, props) {
    // Called only when the resource is not retained (retainOnDelete). State written before that option
    // existed carries `deleteOnDestroy: false` for "keep it": honour it rather than delete what was kept.
    if ((props as { deleteOnDestroy?: boolean }).deleteOnDestroy === false) return;
    try {
      await api.removeDomain(resendConnection(this, props), id);
    } catch (e) {
      if (api.isResendApiError(e) && e.code === "not_found") return;
      throw e;
    }
  },
};

export class ResendDomain extends pulumi.dynamic.Resource {
  declare readonly domainId: pulumi.Output<string>;
  declare readonly records: pulumi.Output<ResendDnsRecord[]>;
  declare readonly status: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: ResendDomainArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      resendDomainProvider,
      name,
      {
        domainId: undefined,
        records: undefined,
        status: undefined,
        adopted: undefined,
        ...args,
      },
      // The stored key is the fallback of provisioning-key.ts; keep it encrypted in state.
      { ...opts, additionalSecretOutputs: ["apiKey"] },
      "resend",
      "ResendDomain",
    );
  }
}
