import { DoctorContext } from "../context";
import { compareDkimRecord } from "../lib/dkim";
import { assessDmarc, findDmarcRecords } from "../lib/dmarc";
import { normalizeName, unquoteTxt } from "../../lib/dns-format";
import { evaluateSpf, findSpfRecords, SpfEvaluation } from "../lib/spf";
import { CheckResult, errorText, fail, pass, skip, warn } from "../types";
import { DnsRecordSpec } from "../../lib/dns-record";
import { configFix, publishFix } from "../lib/fix";

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
  const planned = plannedTxt(context, domain, (v) => findSpfRecords([v]).length === 1);
  if (records.length === 0) {
    const fix = planned ? publishFix([planned]) : `publish one SPF record at ${domain}.`;
    return [fail(GROUP, name, "no SPF record at the apex", fix.charAt(0).toUpperCase() + fix.slice(1))];
  }
  if (records.length > 1) {
    return [
      fail(
        GROUP,
        name,
        `${records.length} SPF records (receivers treat this as a permanent error): ${records.map((r) => `"${r}"`).join(", ")}`,
        `Merge them into a single TXT record at ${domain}${planned ? `: ${unquoteTxt(planned.content)} (mailstack's; remove the others)` : ""}.`,
      ),
    ];
  }
  const ips = [serverIp, serverIpv6].filter((ip): ip is string => Boolean(ip));
  if (ips.length === 0) return [skip(GROUP, `${name} authorises the server`, "the plan has no server IP")];
  // Mail leaves with an envelope sender at the domain and the server's name in EHLO.
  const sender = context.planned.accounts[0] ?? `postmaster@${domain}`;
  return Promise.all(
    ips.map(async (ip) => {
      const check = `${name} authorises ${ip}`;
      const evaluation = await evaluateSpf({
        ip,
        sender,
        helo: hostname,
        resolve: context.dns.resolve,
        maxElapsedMs: Math.max(20_000, 4 * context.options.timeoutMs),
      });
      return judgeSpf(check, evaluation, { domain, hostname, ip });
    }),
  );
}

const WARNINGS: Record<string, { detail: string; fix: string }> = {
  "void-lookup-limit": {
    detail: "more than 2 of its names have no address of the kind asked for (RFC 7208 §4.6.4 void-lookup limit)",
    fix: "Remove the a/mx/include names that no longer exist, or give them both A and AAAA records.",
  },
  "syntax-error": {
    detail: "the record has a syntax error after the term that matched",
    fix: "Correct the SPF record's syntax.",
  },
  "non-ascii-local-part": {
    detail: "a %{l} or %{s} macro met a non-ASCII local part",
    fix: "Avoid local-part macros in the SPF record.",
  },
};

/** Pure: the verdict for one server IP, from mailauth's evaluation. */
export function judgeSpf(
  check: string,
  evaluation: SpfEvaluation,
  planned: { domain: string; hostname: string; ip: string },
): CheckResult {
  const { result, reason, records, lookups, warnings } = evaluation;
  const top = records[0] ? ` in "${records[0].record}"` : "";
  const trail = records.length > 1 ? `; SPF records read: ${records.map((r) => r.name).join(" → ")}` : "";
  const counts = `${lookups.count} of ${lookups.limit} DNS lookups${lookups.void ? `, ${lookups.void} void` : ""}`;
  if (result === "pass" && warnings.length === 0) return pass(GROUP, check, `pass${top} (${counts}${trail})`);
  if (result === "pass") {
    const known = warnings.map((w) => WARNINGS[w] ?? { detail: w, fix: "Check the SPF record." });
    return warn(
      GROUP,
      check,
      `pass${top}, but receivers that follow RFC 7208 strictly answer permerror: ${known.map((k) => k.detail).join("; ")}`,
      known.map((k) => k.fix).join(" "),
    );
  }
  const detail = `${result}${top}: ${reason} (${counts}${trail})`;
  let fix: string;
  if (result === "temperror") fix = "Retry; if it persists, check that the domains the SPF record names answer.";
  else if (result === "permerror" && /too many dns requests/i.test(reason))
    fix = `Bring the SPF record at ${planned.domain} to at most 10 DNS lookups (include, a, mx, ptr, exists, redirect, counted through includes): replace includes by ip4/ip6 ranges where you can.`;
  else if (result === "permerror" && /void/i.test(reason))
    fix = `Remove from the SPF record at ${planned.domain} (and what it includes) the names that do not exist: more than 2 lookups came back empty.`;
  else if (result === "permerror") fix = `Correct the SPF record at ${planned.domain}: ${reason}.`;
  else
    fix = `Authorise the server in the SPF record at ${planned.domain}, e.g. add "mx" or "a:${planned.hostname}" or "${planned.ip.includes(":") ? "ip6" : "ip4"}:${planned.ip}" before the final all.`;
  return fail(GROUP, check, detail, fix);
}

/** The planned TXT record at `name` whose value is of the kind `is` tells (SPF, DKIM, DMARC). */
function plannedTxt(context: DoctorContext, name: string, is: (value: string) => boolean): DnsRecordSpec | undefined {
  return context.planned.dnsRecords.find(
    (r) => r.type === "TXT" && normalizeName(r.name) === normalizeName(name) && is(unquoteTxt(r.content)),
  );
}

/** The fix for a record that is missing or wrong: the planned one, as DNS records proposes it too. */
function plannedFix(record: DnsRecordSpec | undefined, otherwise: string): string {
  if (!record) return otherwise;
  const fix = publishFix([record]);
  return fix.charAt(0).toUpperCase() + fix.slice(1);
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
  const planned = plannedTxt(context, name, (v) => /(^|;)\s*(v=DKIM1|p=)/i.test(v));
  const publish = plannedFix(planned, `Publish the planned DKIM key at ${name}.`);
  if (records.length === 0) return fail(GROUP, check, "no DKIM record published", publish);
  if (records.length > 1)
    return fail(
      GROUP,
      check,
      `${records.length} DKIM records at one selector; verifiers pick one at random`,
      `Remove every DKIM record at ${name} but the planned one. ${publish}`,
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
        `The whole key, every quoted string, not only the first 255 characters. ${publish}`,
      );
    case "different":
      return fail(
        GROUP,
        check,
        `published key differs from the planned key: ${verdict.reason}`,
        `Replace the TXT record at ${name} with the planned one. ${publish}`,
      );
    case "invalid":
      return fail(GROUP, check, `invalid DKIM record: ${verdict.reason}`, publish);
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
  // One answer per record: a missing or broken record gets the planned one, as in the DNS records section.
  const planned = plannedTxt(context, name, (v) => findDmarcRecords([v]).length === 1);
  const publish = plannedFix(planned, `Publish a DMARC record at ${name}.`);
  if (records.length === 0) return fail(GROUP, check, "no DMARC record", publish);
  if (records.length > 1)
    return fail(
      GROUP,
      check,
      `${records.length} DMARC records (receivers then ignore DMARC)`,
      `Remove every DMARC record at ${name} but the planned one. ${publish}`,
    );
  const verdict = assessDmarc(records[0], context.planned.domain);
  if (verdict.status === "pass") return pass(GROUP, check, verdict.detail);
  if (verdict.status === "fail") return fail(GROUP, check, verdict.detail, publish);
  // p=none: the record is as planned; the policy is a setting.
  const next = planned && /p=none/i.test(unquoteTxt(planned.content)) ? "quarantine" : undefined;
  return warn(
    GROUP,
    check,
    verdict.detail,
    next ? configFix(`--path dmarc.policy ${next}`, "once the aggregate reports look clean (later: reject)") : publish,
  );
}
