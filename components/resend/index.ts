/**
 * `mailstack:resend:ResendRelayDomain`: Resend as the outbound relay, wired into the graph. It registers (or
 * adopts) the domain, has every record Resend returns published (through the stack's one DNS path,
 * components/dns.ts), asks Resend to verify once those records exist, and mints a sending-only key for that
 * domain, which becomes the relay password.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { DnsRecordSpec } from "../../lib/dns-record";
import { resendRecordsToDnsSpecs } from "../../lib/resend/records";
import { ResendDomain } from "./domain";
import { ResendSendingKey } from "./sending-key";
import { ResendVerification, verificationAdvice } from "./verification";

export { ResendDomain } from "./domain";
export { ResendSendingKey } from "./sending-key";
export { ResendVerification, verificationAdvice } from "./verification";

/**
 * Publishes records an API returned through the stack's DNS path (components/dns.ts MailDns.publishReturned)
 * and gives back their resources, so what comes after them can wait for them. `formerly` says where a
 * record was registered before it moved there (a Pulumi alias, so an upgrade replaces nothing).
 */
export type PublishReturned = (
  records: pulumi.Output<DnsRecordSpec[]>,
  formerly: (key: string) => pulumi.Alias,
) => pulumi.Output<pulumi.Resource[]>;

export interface ResendRelayDomainArgs {
  /** Full-access Resend key (mailstack:resendApiKey); treated as secret. */
  apiKey: pulumi.Input<string>;
  /** The sending domain registered in Resend. */
  domain: string;
  /** Resend region: us-east-1 | eu-west-1 | sa-east-1 | ap-northeast-1. */
  region: string;
  /** Return-Path subdomain label (Resend's default is `send`). */
  returnPath: string;
  /** Publishes Resend's records (MailDns.publishReturned); without it they are only output (publish them yourself). */
  publish?: PublishReturned;
  /** How long one `up` waits for Resend to verify. */
  verifyWaitSeconds: number;
  /** Fail the `up` when the domain is not verified after the wait (otherwise warn). */
  strictVerify: boolean;
  /** Change to mint a new relay key (the old one is revoked after the new one exists). */
  keyRotation?: string;
  /**
   * Delete the domain in Resend when it leaves the stack. Otherwise it is kept (`retainOnDelete`): other
   * senders may rely on it. A resource option, not an input, so toggling it changes nothing a preview shows.
   */
  deleteOnDestroy: boolean;
}

export class ResendRelayDomain extends pulumi.ComponentResource {
  /** Sending-only key scoped to the domain: the SMTP relay password (user `resend`). */
  readonly relayPassword: pulumi.Output<string>;
  /** Every record Resend asked for, as DnsRecordSpec. */
  readonly records: pulumi.Output<DnsRecordSpec[]>;
  /** Resend's verification status after this `up`. */
  readonly status: pulumi.Output<string>;
  readonly domainId: pulumi.Output<string>;
  /** The published records' resources (empty without `publish`). */
  readonly dnsRecords: pulumi.Output<pulumi.Resource[]>;

  constructor(name: string, args: ResendRelayDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:resend:ResendRelayDomain", name, {}, opts);
    const apiKey = pulumi.secret(args.apiKey);

    const domain = new ResendDomain(
      `${name}-domain`,
      {
        apiKey,
        name: args.domain,
        region: args.region,
        returnPath: args.returnPath,
      },
      { parent: this, retainOnDelete: !args.deleteOnDestroy },
    );
    this.domainId = domain.domainId;
    this.records = domain.records.apply((r) => resendRecordsToDnsSpecs(r ?? [], args.domain));

    // The record set only exists once Resend has answered the domain create. These records used to be
    // registered here, as `<name>-<key>` children of this component: the alias keeps stacks made then.
    this.dnsRecords = args.publish
      ? args.publish(this.records, (key) => ({ name: `${name}-${key}`, parent: this }))
      : pulumi.output([]);

    const recordsHash = this.records.apply((specs) => createHash("sha256").update(JSON.stringify(specs)).digest("hex"));
    const verification = new ResendVerification(
      `${name}-verification`,
      {
        apiKey,
        domainId: domain.domainId,
        waitSeconds: args.verifyWaitSeconds,
        strict: args.strictVerify,
        recordsHash,
      },
      // Verify only once every record is published, or Resend checks an empty zone.
      { parent: this, dependsOn: this.dnsRecords },
    );
    this.status = verification.status;
    // The dynamic provider cannot log, so the warning is raised here from its status output.
    pulumi.all([verification.status, verification.unverifiedRecords]).apply(([status, unverified]) => {
      const advice = verificationAdvice(status, args.domain, args.verifyWaitSeconds, unverified ?? [], !args.publish);
      if (advice && status !== "failed") pulumi.log.warn(advice, this);
    });

    const key = new ResendSendingKey(
      `${name}-sending-key`,
      {
        apiKey,
        domainId: domain.domainId,
        name: `mailstack relay ${args.domain}`,
        rotation: args.keyRotation ?? "",
      },
      { parent: this, dependsOn: [verification] },
    );
    this.relayPassword = pulumi.secret(key.token);

    this.registerOutputs({
      relayPassword: this.relayPassword,
      records: this.records,
      status: this.status,
      domainId: this.domainId,
    });
  }
}
