/**
 * `AcmeAccount`: the renewer's ACME account, registered by the program so that its URL is known to the graph
 * (the CAA record's `accounturi`) and handed to lego as its account.json. Registration with a key that is
 * already registered returns the same account (RFC 8555 §7.3.1), so create is safe to repeat. Deleting
 * leaves the account alone: deactivation cannot be undone and certificates issued under it stay valid.
 */
import * as pulumi from "@pulumi/pulumi";

export interface AcmeAccountInputs {
  /** ACME directory URL. */
  server: string;
  email: string;
  /** secret: the account key (PEM). */
  accountKeyPem: string;
}

export interface AcmeAccountOutputs extends AcmeAccountInputs {
  /** The account URL (`Location` of newAccount): what CAA `accounturi` names. */
  uri: string;
}

export interface AcmeAccountArgs {
  server: pulumi.Input<string>;
  email: pulumi.Input<string>;
  accountKeyPem: pulumi.Input<string>;
}

/** newAccount (or the existing one for this key) with the contact address; returns the account URL. */
async function register(inputs: AcmeAccountInputs): Promise<string> {
  // Required inside the method: dynamic providers are serialized, and node_modules are loaded by name.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const acme = require("acme-client") as typeof import("acme-client");
  const client = new acme.Client({ directoryUrl: inputs.server, accountKey: inputs.accountKeyPem });
  try {
    await client.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:${inputs.email}`] });
    const uri = client.getAccountUrl();
    // An existing account keeps its old contact: bring it up to date.
    await client.updateAccount({ contact: [`mailto:${inputs.email}`] });
    return uri;
  } catch (error) {
    // Never the key: only what the CA said.
    throw new Error(
      `mailstack:tls.acme: registering the ACME account at ${inputs.server} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export const acmeAccountProvider: pulumi.dynamic.ResourceProvider<AcmeAccountInputs, AcmeAccountOutputs> = {
  async create(inputs) {
    const uri = await register(inputs);
    return { id: uri, outs: { ...inputs, uri } };
  },

  async diff(_id, olds, news) {
    const replaces = (["server", "accountKeyPem"] as const).filter((k) => olds[k] !== news[k]);
    return { changes: replaces.length > 0 || olds.email !== news.email, replaces: [...replaces] };
  },

  async update(_id, _olds, news) {
    const uri = await register(news);
    return { outs: { ...news, uri } };
  },
};

export class AcmeAccount extends pulumi.dynamic.Resource {
  declare readonly uri: pulumi.Output<string>;

  constructor(name: string, args: AcmeAccountArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      acmeAccountProvider,
      name,
      { uri: undefined, ...args },
      { ...opts, additionalSecretOutputs: ["accountKeyPem"] },
      "acme",
      "AcmeAccount",
    );
  }
}
