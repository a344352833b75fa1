import { normalizeName } from "../../lib/dns-format";
import {
  baseUrlOf,
  findDomainByName,
  isResendApiError,
  RESEND_KEYS_URL,
  ResendConnection,
  ResendDomainSummary,
} from "../../lib/resend/api";
import { DoctorContext } from "../context";
import { CheckResult, errorText, fail, pass, skip, warn } from "../types";

const GROUP = "Resend";

/**
 * Resend only relays mail for a verified domain: ask its API what it thinks of ours, through the same
 * client the program provisions with (lib/resend/api.ts: the SDK, retries, secret scrubbing).
 */
export async function checkResend(context: DoctorContext): Promise<CheckResult[]> {
  const domain = normalizeName(context.planned.domain);
  const check = `domain ${domain} verified`;
  const apiKey = context.env.RESEND_API_KEY;
  if (context.planned.relay.provider !== "resend")
    return [skip(GROUP, check, `relay provider is ${context.planned.relay.provider || "none"}`)];
  if (!apiKey) return [skip(GROUP, check, "set RESEND_API_KEY to ask Resend")];
  const timeoutMs = context.options.timeoutMs;
  const conn: ResendConnection = {
    apiKey,
    baseUrl: context.env.RESEND_BASE_URL || undefined,
    timeoutMs,
    // One retry, and never a wait longer than a network step may take: this is a report, not a deploy.
    retry: { maxAttempts: 2, baseDelayMs: 500, maxDelayMs: timeoutMs, maxRetryAfterMs: timeoutMs },
  };
  let found: ResendDomainSummary | undefined;
  try {
    found = await findDomainByName(conn, domain);
  } catch (error) {
    return [apiFailure(check, error, conn)];
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

/** What went wrong talking to Resend, with the fix for the doctor's own input (RESEND_API_KEY). */
function apiFailure(check: string, error: unknown, conn: ResendConnection): CheckResult {
  if (!isResendApiError(error)) return fail(GROUP, check, `Resend API: ${errorText(error)}`, "Retry later.");
  const status = error.statusCode ? `, HTTP ${error.statusCode}` : "";
  const detail = `Resend API: ${error.code}${status}`;
  switch (error.code) {
    case "invalid_api_key":
    case "missing_api_key":
      return fail(
        GROUP,
        check,
        `${detail}: RESEND_API_KEY was rejected`,
        `Set RESEND_API_KEY to a full-access key (${RESEND_KEYS_URL}).`,
      );
    case "restricted_api_key":
      return fail(
        GROUP,
        check,
        `${detail}: RESEND_API_KEY is a sending-only key`,
        `Listing domains needs a full-access key: set RESEND_API_KEY to one (${RESEND_KEYS_URL}).`,
      );
    case "network_error":
      return fail(
        GROUP,
        check,
        `${detail}: no answer from ${baseUrlOf(conn)}`,
        "Check outbound HTTPS to the Resend API (and RESEND_BASE_URL if set), or raise --timeout.",
      );
    default:
      return fail(GROUP, check, `${detail}: ${error.message}`, "Retry later (https://resend-status.com).");
  }
}

/** Pure: verdict for a domain's Resend status. */
export function judgeResendStatus(check: string, domain: Pick<ResendDomainSummary, "id" | "status">): CheckResult {
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
