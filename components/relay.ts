import * as pulumi from "@pulumi/pulumi";
import { RelayConfig, ResendConfig } from "../lib/config-types";
import { ZoneAdoption } from "../lib/dns-adoption";
import { DnsRecordSpec } from "../lib/dns-record";
import { planRelayRecords } from "../lib/render/dns-records";
import { ResendRelayDomain } from "./resend";

export interface RelayArgs {
  domain: string;
  relay: RelayConfig;
  resend: ResendConfig;
  /** The Cloudflare zone, when DNS is managed (provisioned Resend records are written there). */
  zone?: ZoneAdoption;
}

/**
 * The outbound relay's credentials and the relay's own DNS records. With a Resend provisioning key the
 * domain, its records and a sending-only key come from Resend's API; otherwise the password and Resend's
 * DKIM value come from config.
 */
export class Relay extends pulumi.ComponentResource {
  /** The SMTP password handed to docker-mailserver (secret); undefined when mail is sent directly. */
  readonly password?: pulumi.Output<string>;
  /** Records known from config (Resend's records typed in by hand). */
  readonly manualRecords: DnsRecordSpec[];
  /** Records only Resend's API knows; empty unless provisioning. */
  readonly provisionedRecords: pulumi.Output<DnsRecordSpec[]>;

  constructor(name: string, args: RelayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:relay:Relay", name, {}, opts);
    const { relay, resend } = args;
    this.manualRecords = planRelayRecords(args);
    this.provisionedRecords = pulumi.output([]);

    if (relay.provider === "resend" && resend.apiKey) {
      const provisioned = new ResendRelayDomain(
        `${name}-resend`,
        {
          apiKey: pulumi.secret(resend.apiKey),
          domain: args.domain,
          region: resend.region,
          returnPath: resend.returnPath,
          zoneId: args.zone?.zoneId,
          importIds: args.zone?.importIds,
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
