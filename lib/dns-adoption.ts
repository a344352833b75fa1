/**
 * Records already in the zone where mailstack publishes its own — the manual setup the seed describes: A, MX,
 * SPF, DMARC, DKIM and Resend's records typed into the dashboard. Creating beside them fails ("An identical
 * record already exists", 81058) or is worse when it succeeds: a second apex SPF makes SPF a permerror, a
 * second MX sends part of the mail elsewhere.
 *
 * Pure: given what mailstack plans and what the zone holds, it says which existing record each planned one
 * adopts (the user listed it in `mailstack:adoptDnsRecords`: the program then passes Pulumi's `import` option
 * and the engine imports it and updates it to the plan in the same `up`, CLI 3.174+, pulumi/pulumi #19339) and
 * which records still conflict, each with the exact command that resolves it. Nothing is adopted without
 * being listed: adopting a record mailstack already manages would make the engine replace it, deleting the
 * record it just imported, so the choice is explicit and mailstack's own records (marked in their comment) are
 * never offered.
 */
import type { CloudflareRecord } from "./cloudflare/api";
import { CLOUDFLARE_API } from "./cloudflare/api";
import { COMMENT_MARKER } from "./dns-cloudflare";
import type { DnsRecordSpec } from "./dns-record";
import { normalizeName, unquoteTxt } from "./dns-format";

export interface DnsConflict {
  existing: CloudflareRecord;
  /** The planned record it stands in the way of. */
  planned: Pick<DnsRecordSpec, "type" | "name" | "content">;
  /** adopt: list it in mailstack:adoptDnsRecords; delete: it cannot become mailstack's record. */
  resolve: "adopt" | "delete";
  why: string;
}

export interface DnsAdoption {
  /** The `import` ID (`<zone>/<record>`) for a planned record that adopts an existing one. */
  importId(spec: Pick<DnsRecordSpec, "type" | "name" | "content">): string | undefined;
  conflicts: DnsConflict[];
}

/**
 * What a record is for, which decides what it collides with: any A, AAAA, MX or CNAME at the name; a TXT of
 * the same kind (`v=spf1`, `v=DMARC1`, a DKIM key); other TXT and CAA only when identical.
 */
export function recordPurpose(type: string, content: string): string {
  const t = type.toUpperCase();
  if (t === "TXT") {
    let text: string;
    try {
      text = unquoteTxt(content);
    } catch {
      text = content;
    }
    text = text.trim().toLowerCase();
    const version = /^v=([a-z0-9]+)/.exec(text)?.[1];
    if (version) return `TXT ${version}`;
    if (/^(k=[a-z0-9]+;\s*)?p=/.test(text)) return "TXT dkim1"; // a DKIM key without its optional v=DKIM1
    return `TXT =${text}`;
  }
  if (t === "CAA") return `CAA =${content.trim().toLowerCase()}`;
  return t;
}

/**
 * mailstack wrote this record: its comment carries the marker, or is one mailstack wrote before the marker
 * existed (one of the planned comments, or a provisioned Resend record's).
 */
export function isMailstackRecord(r: CloudflareRecord, plannedComments: ReadonlySet<string>): boolean {
  const comment = r.comment ?? "";
  return (
    comment.startsWith(COMMENT_MARKER) ||
    plannedComments.has(comment) ||
    /^Resend .*record \([A-Z]+\), required to send through Resend$/.test(comment)
  );
}

/** Which planned records adopt an existing one, and what still stands in the way. */
export function planAdoption(
  zoneId: string,
  planned: readonly DnsRecordSpec[],
  existing: readonly CloudflareRecord[],
  adopt: readonly string[],
): DnsAdoption {
  const comments = new Set(planned.map((p) => p.comment));
  const key = (p: Pick<DnsRecordSpec, "type" | "name" | "content">) =>
    `${p.type} ${normalizeName(p.name)} ${recordPurpose(p.type, p.content)}`;
  const imports = new Map<string, string>();
  const conflicts: DnsConflict[] = [];
  const candidates = new Map<string, { spec: DnsRecordSpec; records: CloudflareRecord[] }>();

  for (const r of existing) {
    if (isMailstackRecord(r, comments)) continue;
    const atName = planned.filter((p) => normalizeName(p.name) === normalizeName(r.name));
    if (!atName.length) continue;
    const type = r.type.toUpperCase();
    const blocked = atName.find((p) => (type === "CNAME") !== (p.type === "CNAME"));
    if (blocked) {
      conflicts.push({
        existing: r,
        planned: blocked,
        resolve: "delete",
        why: `a CNAME cannot share its name with another record, and mailstack publishes a ${blocked.type} there`,
      });
      continue;
    }
    const spec = atName.find(
      (p) => p.type === type && recordPurpose(p.type, p.content) === recordPurpose(type, r.content),
    );
    if (!spec) continue; // another kind of record at the name (a site-verification TXT, say): no collision
    const group = candidates.get(key(spec)) ?? { spec, records: [] };
    group.records.push(r);
    candidates.set(key(spec), group);
  }

  for (const [k, { spec, records }] of candidates) {
    const taken = records.find((r) => adopt.includes(r.id));
    if (taken) imports.set(k, `${zoneId}/${taken.id}`);
    records.forEach((r, i) => {
      if (r === taken) return;
      const offer = !taken && i === 0;
      conflicts.push({
        existing: r,
        planned: spec,
        resolve: offer ? "adopt" : "delete",
        why: offer
          ? `mailstack publishes its own ${spec.type} here`
          : `mailstack takes over one ${spec.type} here, and ${secondRecordEffect(spec)}`,
      });
    });
  }
  return { importId: (spec) => imports.get(key(spec)), conflicts };
}

/** Why a record of the same kind cannot stay beside mailstack's. */
function secondRecordEffect(spec: Pick<DnsRecordSpec, "type" | "content">): string {
  switch (recordPurpose(spec.type, spec.content)) {
    case "MX":
      return "a second MX would receive part of the domain's mail";
    case "A":
    case "AAAA":
      return "a second address would get part of the connections to the mail server";
    case "TXT spf1":
      return "two SPF records make every SPF check fail (permerror)";
    case "TXT dmarc1":
      return "with two DMARC records receivers ignore DMARC";
    default:
      return "a second one would be published beside it";
  }
}

const describe = (r: CloudflareRecord) =>
  `${r.type} ${r.name} ${JSON.stringify(r.content)}${r.priority !== undefined ? ` priority ${r.priority}` : ""} (id ${r.id})`;

/**
 * The one message that stops the run: each conflict with the command that resolves it. `adoptedSoFar` is the
 * length of mailstack:adoptDnsRecords today, so the printed indexes append to it.
 */
export function conflictMessage(
  zone: { id: string; name: string },
  conflicts: readonly DnsConflict[],
  adoptedSoFar: number,
  baseUrl = CLOUDFLARE_API,
): string {
  let next = adoptedSoFar;
  const api = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  const lines = conflicts.map((c) => {
    const command =
      c.resolve === "adopt"
        ? `pulumi config set --path 'adoptDnsRecords[${next++}]' ${c.existing.id}`
        : `curl -X DELETE -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" ${api}zones/${zone.id}/dns_records/${c.existing.id}`;
    const verb = c.resolve === "adopt" ? "let mailstack take it over" : "delete it (or remove it in the dashboard)";
    return `  - ${describe(c.existing)}: ${c.why}. To ${verb}:\n      ${command}`;
  });
  return [
    `mailstack: the Cloudflare zone ${zone.name} already has ${conflicts.length} record${conflicts.length === 1 ? "" : "s"} where mailstack publishes its own, so nothing was changed:`,
    ...lines,
    "A record taken over is imported on the next `pulumi up` and rewritten as planned (`pulumi preview` shows each as import, then update). Take over only records you made by hand.",
  ].join("\n");
}

/** A zone's adoption plan, for the program: import IDs for planned records, or the one message that stops. */
export interface ZoneAdoption {
  zoneId: string;
  /**
   * The `import` ID of each of these records (undefined: create it). Throws the conflict message when an
   * existing record stands in the way and is not listed in mailstack:adoptDnsRecords.
   */
  importIds(specs: readonly DnsRecordSpec[]): (spec: DnsRecordSpec) => string | undefined;
}

export function zoneAdoption(
  zone: { id: string; name: string; records: readonly CloudflareRecord[] },
  adopt: readonly string[],
  baseUrl?: string,
): ZoneAdoption {
  return {
    zoneId: zone.id,
    importIds(specs) {
      const plan = planAdoption(zone.id, specs, zone.records, adopt);
      if (plan.conflicts.length) throw new Error(conflictMessage(zone, plan.conflicts, adopt.length, baseUrl));
      return plan.importId;
    },
  };
}
