import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { DnsRecordSpec } from "../lib/dns-record";
import { dnsSpecToCloudflareArgs } from "../lib/dns-cloudflare";
import { recordKey } from "../lib/dns-format";

export interface MailDnsArgs {
  /** Zone to write into. */
  zoneId: pulumi.Input<string>;
  /**
   * The records, each resolved separately: the set (type and name) is known from config, while a content
   * may wait on a resource (the DKIM record on the key), so that record depends on what it publishes.
   * `importId` adopts a record already in the zone (lib/dns-adoption.ts).
   */
  records: {
    key: Pick<DnsRecordSpec, "type" | "name">;
    spec: pulumi.Output<DnsRecordSpec>;
    importId?: string;
    /** What must exist before the record is published (what it announces). */
    dependsOn?: pulumi.Resource[];
  }[];
}

/** Publishes planned records on Cloudflare: full names, proxy off, fixed TTL. */
export class MailDns extends pulumi.ComponentResource {
  readonly records: cloudflare.DnsRecord[];

  constructor(name: string, args: MailDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:dns:MailDns", name, {}, opts);
    this.records = args.records.map(({ key, spec, importId, dependsOn }) => {
      const cf = spec.apply(dnsSpecToCloudflareArgs);
      return new cloudflare.DnsRecord(
        `${name}-${recordKey(key)}`,
        {
          zoneId: args.zoneId,
          name: key.name,
          type: key.type,
          content: cf.content,
          priority: cf.priority,
          data: cf.data,
          ttl: cf.ttl,
          proxied: false,
          comment: cf.comment,
        },
        { parent: this, import: importId, dependsOn },
      );
    });
    this.registerOutputs({ recordIds: this.records.map((r) => r.id) });
  }
}
