/**
 * `ResendSendingKey`: a sending-only API key scoped to one domain, minted with the full-access key; it is the
 * relay password. Created once; replaced only when `rotation` (or the domain) changes, new key first so the
 * relay never runs without one; delete revokes it in Resend.
 */
import * as pulumi from "@pulumi/pulumi";
import * as api from "../../lib/resend/api";
import { configureProvisioningKey, ProvisioningKeyHolder, resendConnection } from "./provisioning-key";

export interface ResendSendingKeyInputs {
  apiKey: string;
  domainId: string;
  name: string;
  /** Any string; changing it mints a new key and revokes the old one. */
  rotation: string;
  baseUrl?: string;
}

export interface ResendSendingKeyOutputs extends ResendSendingKeyInputs {
  keyId: string;
  token: string;
}

export interface ResendSendingKeyArgs {
  apiKey: pulumi.Input<string>;
  domainId: pulumi.Input<string>;
  name: pulumi.Input<string>;
  rotation?: pulumi.Input<string>;
  baseUrl?: pulumi.Input<string>;
}

export const resendSendingKeyProvider: pulumi.dynamic.ResourceProvider<
  ResendSendingKeyInputs,
  ResendSendingKeyOutputs
> &
  ProvisioningKeyHolder = {
  configure: configureProvisioningKey,

  async create(inputs) {
    const k = await api.createSendingKey(resendConnection(this, inputs), inputs.name, inputs.domainId);
    return { id: k.id, outs: { ...inputs, keyId: k.id, token: k.token } };
  },

  async diff(_id, olds, news) {
    const replaces = (["rotation", "domainId"] as const).filter((k) => (olds[k] ?? "") !== (news[k] ?? ""));
    // Name and provisioning-key changes do not need a new token (the token cannot be read again anyway).
    return { changes: replaces.length > 0, replaces: [...replaces], deleteBeforeReplace: false };
  },

  async delete(id, props) {
    await api.deleteApiKey(resendConnection(this, props), props.keyId ?? id);
  },
};

export class ResendSendingKey extends pulumi.dynamic.Resource {
  declare readonly keyId: pulumi.Output<string>;
  declare readonly token: pulumi.Output<string>;

  constructor(name: string, args: ResendSendingKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      resendSendingKeyProvider,
      name,
      { keyId: undefined, token: undefined, ...args, rotation: args.rotation ?? "" },
      // Dynamic providers cannot return secrets themselves: the engine encrypts these outputs.
      { ...opts, additionalSecretOutputs: ["token", "apiKey"] },
      "resend",
      "ResendSendingKey",
    );
  }
}
