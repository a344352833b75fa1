import { DoctorContext } from "../context";
import { normalizeName } from "../lib/names";
import { withTimeout } from "../net/timeout";
import { CheckResult, errorText, fail, pass, skip, warn } from "../types";

const GROUP = "Resend";
const DEFAULT_BASE_URL = "https://api.resend.com";

interface ResendDomain {
  id: string;
  name: string;
  status: string;
}

/** Resend only relays mail for a verified domain: ask its API (GET /domains) what it thinks of ours. */
export async function checkResend(context: DoctorContext): Promise<CheckResult[]> {
  const domain = normalizeName(context.planned.domain);
  const check = `domain ${domain} verified`;
  const apiKey = context.env.RESEND_API_KEY;
  if (context.planned.relay.provider !== "resend")
    return [skip(GROUP, check, `relay provider is ${context.planned.relay.provider || "none"}`)];
  if (!apiKey) return [skip(GROUP, check, "set RESEND_API_KEY to ask Resend")];
  const baseUrl = (context.env.RESEND_BASE_URL || DEFAULT_BASE_URL).replace(/\/+$/, "");
  let found: ResendDomain | undefined;
  try {
    found = await findDomain(baseUrl, apiKey, domain, context.options.timeoutMs);
  } catch (error) {
    return [
      fail(
        GROUP,
        check,
        `Resend API: ${errorText(error)}`,
        "Check RESEND_API_KEY (it needs full access to list domains) and RESEND_BASE_URL.",
      ),
    ];
  }
  if (!found)
    return [
      fail(
        GROUP,
        check,
        `${domain} is not among the account's domains`,
        "Re-run `pulumi up`: it creates the Resend domain.",
      ),
    ];
  return [judgeResendStatus(check, found)];
}

/** Pure: verdict for a domain's Resend status. */
export function judgeResendStatus(check: string, domain: ResendDomain): CheckResult {
  const detail = `status ${domain.status} (id ${domain.id})`;
  switch (domain.status) {
    case "verified":
      return pass(GROUP, check, detail);
    case "pending":
    case "not_started":
    case "partially_verified":
      return warn(
        GROUP,
        check,
        `${detail}: Resend will not relay for it until verified`,
        'Check the relay DNS records above, then click "Verify" in Resend (or wait for its next check).',
      );
    default:
      return fail(
        GROUP,
        check,
        `${detail}: Resend will not relay for it`,
        "Fix the relay DNS records above, then verify the domain again in Resend.",
      );
  }
}

async function findDomain(
  baseUrl: string,
  apiKey: string,
  domain: string,
  timeoutMs: number,
): Promise<ResendDomain | undefined> {
  let after: string | undefined;
  // Cursor pagination; a handful of pages is far more domains than a mail stack has.
  for (let page = 0; page < 10; page++) {
    const url = `${baseUrl}/domains?limit=100${after ? `&after=${encodeURIComponent(after)}` : ""}`;
    const response = await withTimeout(
      fetch(url, {
        headers: { Authorization: `Bearer ${apiKey}`, "User-Agent": "mailstack-doctor" },
        signal: AbortSignal.timeout(timeoutMs),
      }),
      timeoutMs,
      `GET ${url}`,
    );
    const body = (await response.json().catch(() => undefined)) as
      { data?: ResendDomain[]; has_more?: boolean; message?: string } | undefined;
    if (!response.ok) throw new Error(`HTTP ${response.status}${body?.message ? `: ${body.message}` : ""}`);
    const domains = body?.data ?? [];
    const match = domains.find((d) => normalizeName(d.name) === domain);
    if (match) return match;
    if (!body?.has_more || domains.length === 0) return undefined;
    after = domains[domains.length - 1].id;
  }
  return undefined;
}
