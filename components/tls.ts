import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { certificateSummary } from "../lib/tls-check";
import { TlsPlan } from "../lib/planned";

export interface TlsCertificateArgs {
  hostname: string;
  mode: "manual" | "self-signed";
  /** manual: the checked PEM certificate (chain) and its private key (secret). */
  certificatePem?: string;
  privateKeyPem?: pulumi.Input<string>;
}

/** Self-signed certificates live for five years: they are for trying things out, and must not churn. */
const SELF_SIGNED_HOURS = 5 * 365 * 24;

/**
 * The certificate docker-mailserver presents on 25/143/465/587/993 (`SSL_TYPE=manual`). Manual PEMs were
 * checked by the config parser (key match, hostname, expiry); self-signed ones are made once and kept in state.
 */
export class TlsCertificate extends pulumi.ComponentResource {
  readonly certificatePem: pulumi.Output<string>;
  /** secret */
  readonly privateKeyPem: pulumi.Output<string>;
  /** What the outputs say about it: mode, issuer and expiry. */
  readonly summary: pulumi.Output<TlsPlan>;

  constructor(name: string, args: TlsCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:tls:TlsCertificate", name, {}, opts);
    if (args.mode === "manual") {
      if (!args.certificatePem || !args.privateKeyPem)
        throw new Error("TlsCertificate: manual mode needs a certificate and a key");
      this.certificatePem = pulumi.output(args.certificatePem);
      this.privateKeyPem = pulumi.secret(args.privateKeyPem);
      this.summary = pulumi.output({ mode: "manual" as const, ...certificateSummary(args.certificatePem) });
    } else {
      const key = new tls.PrivateKey(`${name}-key`, { algorithm: "RSA", rsaBits: 2048 }, { parent: this });
      const cert = new tls.SelfSignedCert(
        `${name}-cert`,
        {
          privateKeyPem: key.privateKeyPem,
          subject: { commonName: args.hostname },
          dnsNames: [args.hostname],
          validityPeriodHours: SELF_SIGNED_HOURS,
          allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
        },
        { parent: this },
      );
      this.certificatePem = cert.certPem;
      this.privateKeyPem = pulumi.secret(key.privateKeyPem);
      this.summary = cert.certPem.apply((pem) => ({ mode: "self-signed" as const, ...certificateSummary(pem) }));
    }
    this.registerOutputs({ certificatePem: this.certificatePem, summary: this.summary });
  }
}
