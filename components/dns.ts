import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { ZoneAdoption } from "../lib/dns-adoption";
import { dnsSpecToCloudflareArgs } from "../lib/dns-cloudflare";
import { recordKey, recordKeys } from "../lib/dns-format";
import { DnsRecordSpec } from "../lib/dns-record";
import { announcedHostOf, madeValueOf, MadeValues, NOT_YET_MADE, planDomainRecords } from "../lib/plan/domain-records";
import { MailDomain } from "../lib/plan/mail-domains";

/** A planned record: its type and name are known from config, its content may wait on a resource. */
export interface PlannedRecord {
  /** The record as config knows it (the content is a stand-in where `spec` waits on a resource). */
  known: DnsRecordSpec;
  spec: pulumi.Output<DnsRecordSpec>;
  /** What must exist before the record is published: what it announces (the host serving the MTA-STS policy). */
  dependsOn?: pulumi.Resource[];
}

/**
 * One domain's records (lib/plan/domain-records.ts) as Outputs. A record whose content uses a made value (the
 * DKIM key, the ACME account) waits on that value alone, so it depends on the one resource that makes it;
 * every other record is plain data, shown in full by a preview. A record announcing an HTTPS host waits for
 * what serves that host (`servers`, by host name), when something here does.
 */
export function domainRecords(
  domain: MailDomain,
  made: Partial<{ [K in keyof MadeValues]: pulumi.Output<MadeValues[K]> }>,
  servers: Record<string, pulumi.Resource> = {},
): PlannedRecord[] {
  return planDomainRecords(domain, NOT_YET_MADE).map((spec, i) => {
    const host = announcedHostOf(domain, spec);
    const dependsOn = host && servers[host] ? [servers[host]] : undefined;
    const uses = madeValueOf(domain, spec);
    if (!uses) return { known: spec, spec: pulumi.output(spec), dependsOn };
    const value = made[uses];
    if (!value) throw new Error(`${spec.type} ${spec.name} needs ${uses}, which nothing makes`);
    return {
      known: spec,
      dependsOn,
      spec: value.apply((v) => {
        const record = planDomainRecords(domain, { ...NOT_YET_MADE, [uses]: v })[i];
        // The set is known from config: a made value may change a content, never which records exist.
        if (recordKey(record) !== recordKey(spec)) throw new Error(`${uses} changed the record set`);
        return record;
      }),
    };
  });
}

export interface MailDnsArgs {
  /** Each domain's zone (read and checked before: lib/stack-config.ts) and its records known from config. */
  zones: { zone: ZoneAdoption; records: PlannedRecord[] }[];
}

/**
 * The one way mailstack writes DNS: Cloudflare records with full names, proxy off and a fixed TTL, each named
 * `<name>-<record key>` (lib/dns-format.ts recordKeys). A record already in the zone that the user let
 * mailstack adopt is imported (lib/dns-adoption.ts).
 */
export class MailDns extends pulumi.ComponentResource {
  /** The records known from config. */
  readonly records: cloudflare.DnsRecord[];
  private readonly prefix: string;

  constructor(name: string, args: MailDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:dns:MailDns", name, {}, opts);
    this.prefix = name;
    const planned = args.zones.flatMap(({ zone, records }) => {
      const importId = zone.importIds(records.map((r) => r.known));
      return records.map((r) => ({ ...r, zoneId: zone.zoneId, importId: importId(r.known) }));
    });
    const keys = recordKeys(planned.map((r) => r.known));
    this.records = planned.map((r, i) =>
      this.record(keys[i], r.zoneId, r.known, r.spec, { import: r.importId, dependsOn: r.dependsOn }),
    );
    this.registerOutputs({ recordIds: this.records.map((r) => r.id) });
  }

  /**
   * Publishes records that exist only once an API has answered a create (Resend's): which records these are
   * is unknown until then, so this is the one place the program registers resources inside an `apply` (a
   * preview of a new domain shows none of them). They are named `<source>-<key>`, apart from the records
   * known from config, whose names never depend on them. `formerly` gives where a record was registered
   * before it moved here (a Pulumi alias: the upgrade replaces nothing).
   */
  publishReturned(
    zone: ZoneAdoption,
    source: string,
    records: pulumi.Output<DnsRecordSpec[]>,
    formerly?: (key: string) => pulumi.Alias,
  ): pulumi.Output<cloudflare.DnsRecord[]> {
    return records.apply((specs) => {
      const keys = recordKeys(specs);
      const importId = zone.importIds(specs);
      return specs.map((spec, i) =>
        this.record(`${source}-${keys[i]}`, zone.zoneId, spec, pulumi.output(spec), {
          import: importId(spec),
          aliases: formerly && [formerly(keys[i])],
        }),
      );
    });
  }

  private record(
    key: string,
    zoneId: string,
    known: Pick<DnsRecordSpec, "type" | "name">,
    spec: pulumi.Output<DnsRecordSpec>,
    opts: pulumi.CustomResourceOptions,
  ): cloudflare.DnsRecord {
    const cf = spec.apply(dnsSpecToCloudflareArgs);
    return new cloudflare.DnsRecord(
      `${this.prefix}-${key}`,
      {
        zoneId,
        name: known.name,
        type: known.type,
        content: cf.content,
        priority: cf.priority,
        data: cf.data,
        ttl: cf.ttl,
        proxied: false,
        comment: cf.comment,
      },
      { ...opts, parent: this },
    );
  }
}
