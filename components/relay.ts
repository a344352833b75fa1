import * as pulumi from "@pulumi/pulumi";
import { RelayConfig, ResendConfig } from "../lib/config-types";
import { DnsRecordSpec } from "../lib/dns-record";
import { PublishReturned, ResendRelayDomain } from "./resend";

export interface RelayArgs {
  domain: string;
  relay: RelayConfig;
  resend: ResendConfig;
  /** Publishes the records Resend's API returns, when DNS is managed (MailDns.publishReturned). */
  publish?: PublishReturned;
}

/**
 * The outbound relay's credentials. With a Resend provisioning key the domain, its records and a sending-only
 * key come from Resend's API; otherwise the password comes from config (and Resend's records typed in from
 * config are part of the domain's records, lib/plan/domain-records.ts).
 */
export class Relay extends pulumi.ComponentResource {
  /** The SMTP password handed to docker-mailserver (secret); undefined when mail is sent directly. */
  readonly password?: pulumi.Output<string>;
  /** Records only Resend's API knows; empty unless provisioning. */
  readonly provisionedRecords: pulumi.Output<DnsRecordSpec[]>;

  constructor(name: string, args: RelayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:relay:Relay", name, {}, opts);
    const { relay, resend } = args;
    this.provisionedRecords = pulumi.output([]);

    if (relay.provider === "resend" && resend.apiKey) {
      const provisioned = new ResendRelayDomain(
        `${name}-resend`,
        {
          apiKey: pulumi.secret(resend.apiKey),
          domain: args.domain,
          region: resend.region,
          returnPath: resend.returnPath,
          publish: args.publish,
          verifyWaitSeconds: resend.verifyWaitSeconds,
          strictVerify: resend.strictVerify,
          keyRotation: resend.keyRotation,
          deleteOnDestroy: resend.deleteOnDestroy,
        },
        { parent: this },
      );
      // A password in config still wins: it lets a user keep a key they made themselves.
      this.password = relay.password ? pulumi.secret(relay.password) : pulumi.secret(provisioned.relayPassword);
      this.provisionedRecords = provisioned.records;
    } else if (relay.password) {
      this.password = pulumi.secret(relay.password);
    }
    this.registerOutputs({ provisionedRecords: this.provisionedRecords });
  }
}
