import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { dkimPublicKeyBase64 } from "../lib/dkim";

export interface DkimKeyArgs {
  /** RSA key size for a generated key. */
  bits: number;
  /** An existing PEM key to import instead of generating one (secret). */
  importedPrivateKeyPem?: pulumi.Input<string>;
}

/**
 * The server's DKIM signing key: generated once and kept (encrypted) in Pulumi state, so later runs never
 * make a new one; or imported from secret config. The same key is handed to OpenDKIM and published in DNS.
 */
export class DkimKey extends pulumi.ComponentResource {
  /** PEM private key (secret). */
  readonly privateKeyPem: pulumi.Output<string>;
  /** base64 SubjectPublicKeyInfo for the `p=` tag: derived from the private key, so it cannot disagree. */
  readonly publicKey: pulumi.Output<string>;

  constructor(name: string, args: DkimKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:dkim:DkimKey", name, {}, opts);
    const pem = args.importedPrivateKeyPem
      ? pulumi.secret(args.importedPrivateKeyPem)
      : new tls.PrivateKey(`${name}-key`, { algorithm: "RSA", rsaBits: args.bits }, { parent: this }).privateKeyPem;
    this.privateKeyPem = pulumi.secret(pem);
    // The public half is not secret: it is published in DNS, and a secret would hide it in previews.
    this.publicKey = pulumi.unsecret(this.privateKeyPem.apply(dkimPublicKeyBase64));
    this.registerOutputs({ publicKey: this.publicKey });
  }
}
