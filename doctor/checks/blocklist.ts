import { DoctorContext } from "../context";
import { reversedIp } from "../lib/addresses";
import { CheckResult, errorText, pass, skip, warn, fail } from "../types";

const GROUP = "Blocklist";

/**
 * Is the server IP on a DNS blocklist? Spamhaus answers 127.0.0.x for a listing and 127.255.255.x when it
 * refuses the query (public resolvers, rate limits): that says nothing about the IP, so it is only a warning.
 */
export async function checkBlocklist(context: DoctorContext): Promise<CheckResult[]> {
  const zone = context.options.dnsbl;
  if (!zone) return [skip(GROUP, "DNSBL", "disabled with --dnsbl none")];
  const ips = [context.planned.serverIp, context.planned.serverIpv6].filter((ip): ip is string => Boolean(ip));
  if (ips.length === 0) return [skip(GROUP, `DNSBL ${zone}`, "the plan has no server IP")];
  return Promise.all(ips.map((ip) => checkOne(context, ip, zone)));
}

async function checkOne(context: DoctorContext, ip: string, zone: string): Promise<CheckResult> {
  const check = `${ip} on ${zone}`;
  const query = `${reversedIp(ip)}.${zone}`;
  let answers: string[];
  try {
    answers = await context.dns.a(query);
  } catch (error) {
    return warn(
      GROUP,
      check,
      `could not query ${query}: ${errorText(error)}`,
      "Retry later, or use a resolver that may query the blocklist (--resolver).",
    );
  }
  return judgeBlocklistAnswer(GROUP, check, ip, zone, answers);
}

/** Pure: the verdict for the A records a DNSBL returned. */
export function judgeBlocklistAnswer(
  group: string,
  check: string,
  ip: string,
  zone: string,
  answers: string[],
): CheckResult {
  if (answers.length === 0) return pass(group, check, "not listed");
  const refused = answers.filter((a) => a.startsWith("127.255.255."));
  const listed = answers.filter((a) => a.startsWith("127.") && !a.startsWith("127.255.255."));
  if (listed.length) {
    return fail(
      group,
      check,
      `listed (${listed.join(", ")})`,
      `Look up ${ip} on the ${zone} operator's site (e.g. https://check.spamhaus.org) and request delisting after fixing the cause.`,
    );
  }
  if (refused.length) {
    return warn(
      group,
      check,
      `the blocklist refused the query (${refused.join(", ")}: public resolver or rate limit)`,
      "Query through your own resolver (--resolver) to get a real answer.",
    );
  }
  return warn(
    group,
    check,
    `unexpected answer ${answers.join(", ")}`,
    `Check ${zone}'s documentation for these return codes.`,
  );
}
