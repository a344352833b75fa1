import { BlockList, isIPv4, isIPv6 } from "node:net";
import { normalizeName } from "./names";

/**
 * A small SPF (RFC 7208) evaluator: enough to answer "does this record authorise our server's IP?"
 * the way a receiving server would, following `include`/`redirect` and resolving `a`/`mx`/`exists`.
 * DNS access is injected so the evaluation itself is testable without a network.
 */
export type SpfResult = "pass" | "fail" | "softfail" | "neutral" | "none" | "permerror" | "temperror";

export interface SpfLookup {
  /** TXT strings of a name (each record already joined); [] when the name or the type does not exist. */
  txt(name: string): Promise<string[]>;
  a(name: string): Promise<string[]>;
  aaaa(name: string): Promise<string[]>;
  /** MX exchange names. */
  mx(name: string): Promise<string[]>;
}

export interface SpfTerm {
  qualifier: "+" | "-" | "~" | "?";
  mechanism: "all" | "include" | "a" | "mx" | "ptr" | "ip4" | "ip6" | "exists";
  value?: string;
  cidr4?: number;
  cidr6?: number;
  text: string;
}

export interface ParsedSpf {
  terms: SpfTerm[];
  redirect?: string;
  errors: string[];
}

export interface SpfEvaluation {
  result: SpfResult;
  /** The term that decided the result, e.g. `mx` or `include:_spf.example.net` → `ip4:…`. */
  matched?: string;
  reason?: string;
  lookups: number;
}

const MAX_LOOKUPS = 10;
const QUALIFIER_RESULT: Record<SpfTerm["qualifier"], SpfResult> = {
  "+": "pass",
  "-": "fail",
  "~": "softfail",
  "?": "neutral",
};

/** SPF records among a name's TXT values: `v=spf1` followed by a space or nothing. */
export function findSpfRecords(txtValues: string[]): string[] {
  return txtValues.filter((value) => /^v=spf1(\s|$)/i.test(value.trim()));
}

export function parseSpf(record: string): ParsedSpf {
  const parsed: ParsedSpf = { terms: [], errors: [] };
  const tokens = record.trim().split(/\s+/);
  if (!/^v=spf1$/i.test(tokens.shift() ?? "")) parsed.errors.push("does not start with v=spf1");
  for (const token of tokens) {
    const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(token);
    if (modifier) {
      const name = modifier[1].toLowerCase();
      if (name === "redirect") {
        if (parsed.redirect !== undefined) parsed.errors.push("more than one redirect=");
        parsed.redirect = modifier[2];
      }
      continue; // exp= and unknown modifiers are ignored, as RFC 7208 §6 says
    }
    const term = /^([+\-~?]?)(all|include|a|mx|ptr|ip4|ip6|exists)(?::([^/]+))?(?:\/(\d+))?(?:\/\/(\d+))?$/i.exec(
      token,
    );
    if (!term) {
      parsed.errors.push(`unknown term "${token}"`);
      continue;
    }
    const mechanism = term[2].toLowerCase() as SpfTerm["mechanism"];
    const parsedTerm: SpfTerm = {
      qualifier: (term[1] || "+") as SpfTerm["qualifier"],
      mechanism,
      value: term[3],
      text: token,
    };
    if (mechanism === "ip6") {
      // ip6:2001:db8::/32 — the value itself has colons; the regex above keeps it whole and /nn in group 4.
      parsedTerm.cidr6 = term[4] === undefined ? 128 : Number(term[4]);
    } else {
      if (term[4] !== undefined) parsedTerm.cidr4 = Number(term[4]);
      if (term[5] !== undefined) parsedTerm.cidr6 = Number(term[5]);
    }
    if (["include", "exists", "ip4", "ip6"].includes(mechanism) && !parsedTerm.value)
      parsed.errors.push(`"${token}" needs a value`);
    if (mechanism === "ip4" && parsedTerm.value && !isIPv4(parsedTerm.value))
      parsed.errors.push(`"${token}" is not an IPv4 address`);
    if (mechanism === "ip6" && parsedTerm.value && !isIPv6(parsedTerm.value))
      parsed.errors.push(`"${token}" is not an IPv6 address`);
    parsed.terms.push(parsedTerm);
  }
  return parsed;
}

interface EvaluationState {
  lookups: number;
}

/** Evaluates the SPF policy of `domain` for a message from `ip` (check_host() of RFC 7208). */
export async function evaluateSpf(
  ip: string,
  domain: string,
  lookup: SpfLookup,
  state: EvaluationState = { lookups: 0 },
): Promise<SpfEvaluation> {
  const done = (result: SpfResult, extra: Partial<SpfEvaluation> = {}): SpfEvaluation => ({
    result,
    lookups: state.lookups,
    ...extra,
  });
  let txt: string[];
  try {
    txt = await lookup.txt(domain);
  } catch (error) {
    return done("temperror", { reason: `TXT lookup of ${domain} failed: ${(error as Error).message}` });
  }
  const records = findSpfRecords(txt);
  if (records.length === 0) return done("none", { reason: `no SPF record at ${domain}` });
  if (records.length > 1) return done("permerror", { reason: `${records.length} SPF records at ${domain}` });
  const spf = parseSpf(records[0]);
  if (spf.errors.length) return done("permerror", { reason: `${domain}: ${spf.errors.join("; ")}` });

  const version = isIPv6(ip) ? "ipv6" : "ipv4";
  for (const term of spf.terms) {
    let matches = false;
    try {
      if (["include", "a", "mx", "ptr", "exists"].includes(term.mechanism)) {
        state.lookups++;
        if (state.lookups > MAX_LOOKUPS) return done("permerror", { reason: `more than ${MAX_LOOKUPS} DNS lookups` });
      }
      const target = normalizeName(term.value ?? domain);
      switch (term.mechanism) {
        case "all":
          matches = true;
          break;
        case "ip4":
        case "ip6":
          matches = inNetwork(ip, term.value!, term.mechanism === "ip4" ? (term.cidr4 ?? 32) : (term.cidr6 ?? 128));
          break;
        case "a":
          matches = (await addressesOf(target, version, lookup)).some((address) =>
            inNetwork(ip, address, prefixFor(term, version)),
          );
          break;
        case "mx": {
          const exchanges = (await lookup.mx(target)).slice(0, 10);
          for (const exchange of exchanges) {
            if (
              (await addressesOf(exchange, version, lookup)).some((address) =>
                inNetwork(ip, address, prefixFor(term, version)),
              )
            )
              matches = true;
          }
          break;
        }
        case "exists":
          matches = (await lookup.a(target)).length > 0;
          break;
        case "ptr":
          // Deprecated by RFC 7208 and not worth a reverse lookup here: never matches.
          break;
        case "include": {
          const inner = await evaluateSpf(ip, target, lookup, state);
          if (inner.result === "temperror") return done("temperror", { reason: inner.reason });
          if (inner.result === "permerror" || inner.result === "none")
            return done("permerror", { reason: `include:${target}: ${inner.reason ?? inner.result}` });
          if (inner.result === "pass")
            return done(QUALIFIER_RESULT[term.qualifier], { matched: `${term.text} → ${inner.matched}` });
          break;
        }
      }
    } catch (error) {
      return done("temperror", { reason: `${term.text}: ${(error as Error).message}` });
    }
    if (matches) return done(QUALIFIER_RESULT[term.qualifier], { matched: term.text });
  }
  if (spf.redirect) {
    state.lookups++;
    if (state.lookups > MAX_LOOKUPS) return done("permerror", { reason: `more than ${MAX_LOOKUPS} DNS lookups` });
    const target = normalizeName(spf.redirect);
    const inner = await evaluateSpf(ip, target, lookup, state);
    if (inner.result === "none") return done("permerror", { reason: `redirect=${target} has no SPF record` });
    return { ...inner, matched: inner.matched ? `redirect=${target} → ${inner.matched}` : undefined };
  }
  return done("neutral", { reason: "no term matched (no `all` at the end)" });
}

function prefixFor(term: SpfTerm, version: "ipv4" | "ipv6"): number {
  return version === "ipv4" ? (term.cidr4 ?? 32) : (term.cidr6 ?? 128);
}

async function addressesOf(name: string, version: "ipv4" | "ipv6", lookup: SpfLookup): Promise<string[]> {
  return version === "ipv4" ? lookup.a(name) : lookup.aaaa(name);
}

/** Whether `ip` is inside `network/prefix` (false when the families differ). */
export function inNetwork(ip: string, network: string, prefix: number): boolean {
  const family = isIPv6(network) ? "ipv6" : "ipv4";
  if ((family === "ipv6") !== isIPv6(ip)) return false;
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return list.check(ip, family);
}
