import { spf } from "mailauth/lib/spf";

/**
 * SPF judged by mailauth's evaluator (RFC 7208 check_host(): macros, `ptr`, `exists`, the 10-lookup and
 * 2-void-lookup limits), the one the daemon tests also verify real mail with, rather than our own. mailauth
 * does not say which mechanism matched (its result keeps the verdict, the record and the lookup counts), so
 * the trail we show is the SPF records it read on the way, taken from the DNS answers it asked for.
 */
export type SpfResult = "pass" | "fail" | "softfail" | "neutral" | "none" | "permerror" | "temperror";

/** A DNS query as Node's `dns.promises.resolve(name, type)` answers it, ENOTFOUND/ENODATA included. */
export type SpfResolver = (name: string, type: string) => Promise<unknown[]>;

export interface SpfEvaluation {
  result: SpfResult;
  /** mailauth's reason, without its receiving-host prefix: "domain of … designates …", a permerror's cause. */
  reason: string;
  /** Every SPF record read, in the order it was read: the domain's own, then includes and redirects. */
  records: { name: string; record: string }[];
  /** DNS lookups counted against the limit (includes, redirects, a, mx, ptr, exists), and void ones. */
  lookups: { count: number; limit: number; void: number };
  /**
   * What mailauth's lenient default accepted but an RFC 7208-strict receiver refuses: `syntax-error`,
   * `void-lookup-limit` (hosts with only the other address family counted as void), `non-ascii-local-part`.
   */
  warnings: string[];
}

/** SPF records among a name's TXT values: `v=spf1` followed by a space or nothing. */
export function findSpfRecords(txtValues: string[]): string[] {
  return txtValues.filter((value) => /^v=spf1(\s|$)/i.test(value.trim()));
}

/** What a receiver concludes about mail from `sender` (an address at the domain checked) arriving from `ip`. */
export async function evaluateSpf(options: {
  ip: string;
  sender: string;
  /** The server's EHLO name. */
  helo: string;
  resolve: SpfResolver;
  /** Upper bound of the whole evaluation (RFC 7208 §4.6.4 suggests at least 20 s); temperror beyond it. */
  maxElapsedMs: number;
}): Promise<SpfEvaluation> {
  const records: SpfEvaluation["records"] = [];
  const tracing = async (name: string, type: string) => {
    const answer = await options.resolve(name, type);
    if (type === "TXT") {
      const found = findSpfRecords((answer as string[][]).map((strings) => strings.join("")));
      if (found.length === 1) records.push({ name, record: found[0] });
    }
    return answer as string[];
  };
  const mta = "mailstack doctor";
  const verdict = await spf({
    ip: options.ip,
    sender: options.sender,
    helo: options.helo,
    mta,
    resolver: tracing,
    maxElapsedTime: options.maxElapsedMs,
  });
  const lookups = verdict.lookups ?? { count: 0, limit: 10, void: 0 };
  return {
    result: verdict.status.result as SpfResult,
    reason: (verdict.status.comment ?? "").replace(`${mta}: `, ""),
    records,
    lookups: { count: lookups.count, limit: lookups.limit, void: lookups.void },
    warnings: verdict.warnings ?? [],
  };
}
