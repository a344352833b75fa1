import { DoctorContext } from "../context";
import { compareDkimRecord } from "../lib/dkim";
import { assessDmarc, findDmarcRecords } from "../lib/dmarc";
import { normalizeName } from "../lib/names";
import { evaluateSpf, findSpfRecords, SpfLookup } from "../lib/spf";
import { CheckResult, errorText, fail, pass, skip, warn } from "../types";

const GROUP = "Mail authentication";

/** SPF, DKIM and DMARC judged the way a receiving server reads them. */
export async function checkMailAuthentication(context: DoctorContext): Promise<CheckResult[]> {
  return Promise.all([checkSpf(context), checkDkim(context), checkDmarc(context)]).then((results) => results.flat());
}

async function checkSpf(context: DoctorContext): Promise<CheckResult[]> {
  const { domain, hostname, serverIp, serverIpv6 } = context.planned;
  const name = `SPF ${domain}`;
  let records: string[];
  try {
    records = findSpfRecords(await context.dns.txt(domain));
  } catch (error) {
    return [
      fail(
        GROUP,
        name,
        `could not query TXT ${domain}: ${errorText(error)}`,
        "Check that the resolver answers, or pass --resolver.",
      ),
    ];
  }
  const planned = plannedSpf(context);
  if (records.length === 0) {
    return [
      fail(
        GROUP,
        name,
        "no SPF record at the apex",
        `Publish one TXT record at ${domain}: "${planned ?? `v=spf1 mx -all`}".`,
      ),
    ];
  }
  if (records.length > 1) {
    return [
      fail(
        GROUP,
        name,
        `${records.length} SPF records (receivers treat this as a permanent error): ${records.map((r) => `"${r}"`).join(", ")}`,
        `Merge them into a single TXT record at ${domain}${planned ? `: "${planned}"` : ""}.`,
      ),
    ];
  }
  const ips = [serverIp, serverIpv6].filter((ip): ip is string => Boolean(ip));
  if (ips.length === 0) return [skip(GROUP, `${name} authorises the server`, "the plan has no server IP")];
  const lookup = spfLookup(context);
  return Promise.all(
    ips.map(async (ip) => {
      const check = `${name} authorises ${ip}`;
      const evaluation = await evaluateSpf(ip, domain, lookup);
      const how = evaluation.matched ? `matched ${evaluation.matched}` : (evaluation.reason ?? "");
      if (evaluation.result === "pass") return pass(GROUP, check, `pass (${how}) in "${records[0]}"`);
      const fix =
        evaluation.result === "temperror"
          ? "Retry; if it persists, check the domains the SPF record refers to."
          : `Authorise the server in the SPF record at ${domain}, e.g. add "mx" or "a:${hostname}" or "${ip.includes(":") ? "ip6" : "ip4"}:${ip}" before the final all.`;
      return fail(GROUP, check, `${evaluation.result}${how ? ` (${how})` : ""} in "${records[0]}"`, fix);
    }),
  );
}

function plannedSpf(context: DoctorContext): string | undefined {
  const record = context.planned.dnsRecords.find(
    (r) =>
      r.type === "TXT" &&
      normalizeName(r.name) === normalizeName(context.planned.domain) &&
      /^"?v=spf1/i.test(r.content),
  );
  return record?.content.replace(/^"|"$/g, "").replace(/" "/g, "");
}

/** SPF evaluation reads DNS through the same resolver as everything else. */
function spfLookup(context: DoctorContext): SpfLookup {
  return {
    txt: (name) => context.dns.txt(name),
    a: (name) => context.dns.a(name),
    aaaa: (name) => context.dns.aaaa(name),
    mx: async (name) => (await context.dns.mx(name)).map((mx) => mx.exchange),
  };
}

async function checkDkim(context: DoctorContext): Promise<CheckResult> {
  const { selector, publicKey } = context.planned.dkim;
  const name = `${selector}._domainkey.${context.planned.domain}`;
  const check = `DKIM ${name}`;
  let records: string[];
  try {
    records = (await context.dns.txt(name)).filter((value) => /(^|;)\s*(v=DKIM1|p=)/i.test(value));
  } catch (error) {
    return fail(
      GROUP,
      check,
      `could not query: ${errorText(error)}`,
      "Check that the resolver answers, or pass --resolver.",
    );
  }
  const publishFix = `Publish the planned DKIM key at ${name} as one TXT record (split into quoted strings of at most 255 characters, all of them).`;
  if (records.length === 0) return fail(GROUP, check, "no DKIM record published", publishFix);
  if (records.length > 1)
    return fail(
      GROUP,
      check,
      `${records.length} DKIM records at one selector; verifiers pick one at random`,
      `Keep only the planned key at ${name}.`,
    );
  const verdict = compareDkimRecord(records[0], publicKey);
  switch (verdict.status) {
    case "match":
      return pass(GROUP, check, `public key equals the planned key${verdict.bits ? ` (${verdict.bits}-bit)` : ""}`);
    case "truncated":
      return fail(
        GROUP,
        check,
        `key is truncated: ${verdict.publishedLength} of ${verdict.plannedLength} characters published`,
        `Publish the whole key at ${name}: every quoted string of the planned TXT value, not only the first 255 characters.`,
      );
    case "different":
      return fail(
        GROUP,
        check,
        `published key differs from the planned key: ${verdict.reason}`,
        `Replace the TXT record at ${name} with the planned one (or re-run \`pulumi up\`).`,
      );
    case "invalid":
      return fail(GROUP, check, `invalid DKIM record: ${verdict.reason}`, publishFix);
  }
}

async function checkDmarc(context: DoctorContext): Promise<CheckResult> {
  const name = `_dmarc.${context.planned.domain}`;
  const check = `DMARC ${name}`;
  let records: string[];
  try {
    records = findDmarcRecords(await context.dns.txt(name));
  } catch (error) {
    return fail(
      GROUP,
      check,
      `could not query: ${errorText(error)}`,
      "Check that the resolver answers, or pass --resolver.",
    );
  }
  if (records.length === 0)
    return fail(GROUP, check, "no DMARC record", `Publish a TXT record at ${name}: "v=DMARC1; p=quarantine".`);
  if (records.length > 1)
    return fail(
      GROUP,
      check,
      `${records.length} DMARC records (receivers then ignore DMARC)`,
      `Keep exactly one TXT record at ${name}.`,
    );
  const verdict = assessDmarc(records[0], context.planned.domain);
  if (verdict.status === "pass") return pass(GROUP, check, verdict.detail);
  return verdict.status === "warn"
    ? warn(GROUP, check, verdict.detail, verdict.fix!)
    : fail(GROUP, check, verdict.detail, verdict.fix!);
}
