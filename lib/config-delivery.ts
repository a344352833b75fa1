import { AliasLine } from "./config-types";
import { Scope } from "./config-reader";

export interface DeliveryInput {
  domain: string;
  accounts: string[];
  aliases: AliasLine[];
  catchAll?: string;
  /** The configured `postmaster` target, if any. */
  postmaster?: string;
  blocked: string[];
  /** The config key of each alias, for messages. */
  aliasKeys: ReadonlyMap<string, { key: string }>;
}

/** `hi+shop@d` → `hi@d`: Postfix tries the address without its `+tag` when the full one is not in a table. */
const withoutTag = (address: string) => address.replace(/\+[^@]*@/, "@");

/**
 * Mail never goes nowhere: every alias or catch-all target at the domain must be an account or an alias (which
 * in turn ends in an account or an outside address), not the alias itself, not a loop of aliases, and not a
 * blocked address. Postfix would otherwise accept such mail and then bounce it, or deliver it to no one.
 */
export function checkDelivery(scope: Scope, d: DeliveryInput): void {
  const aliasTargets = new Map(d.aliases.map((a) => [a.address, a.targets]));
  const local = (t: string) => t.endsWith(`@${d.domain}`);

  const check = (key: string, from: string | undefined, target: string) => {
    if (!local(target)) return;
    const base = withoutTag(target);
    if (d.blocked.includes(target) || d.blocked.includes(base))
      scope.r.fail(
        key,
        `targets ${target}, which is in blocked: its mail is refused, so nothing forwarded there would arrive; target an account instead`,
      );
    else if (from && base === from)
      scope.r.fail(
        key,
        `targets itself (${target}); mail to it would bounce — target an account or an outside address`,
      );
    else if (!d.accounts.includes(base) && !aliasTargets.has(base))
      scope.r.fail(
        key,
        `targets ${target}, which is not an account or an alias at ${d.domain}: mail to it would be accepted and then lost; add it to accounts, or target an existing account`,
      );
  };
  for (const a of d.aliases) for (const t of a.targets) check(d.aliasKeys.get(a.address)!.key, a.address, t);
  if (d.catchAll) check(scope.key("catchAll"), undefined, d.catchAll);
  if (d.postmaster) check(scope.key("postmaster"), undefined, d.postmaster);

  for (const cycle of aliasCycles(aliasTargets, local))
    scope.r.fail(
      d.aliasKeys.get(cycle[0])!.key,
      `is part of a loop: ${[...cycle, cycle[0]].join(" → ")}; mail to any of them would bounce — point one of them at an account`,
    );
}

/** Each cycle among aliases (self-targets excluded: reported on their own), once, starting at its smallest member. */
function aliasCycles(targets: Map<string, string[]>, local: (t: string) => boolean): string[][] {
  const next = (a: string) =>
    (targets.get(a) ?? [])
      .filter(local)
      .map(withoutTag)
      .filter((t) => t !== a && targets.has(t));
  const cycles = new Map<string, string[]>();
  const done = new Set<string>();
  const visit = (a: string, path: string[]) => {
    if (done.has(a)) return;
    const at = path.indexOf(a);
    if (at >= 0) {
      const cycle = path.slice(at);
      const start = cycle.indexOf([...cycle].sort()[0]);
      const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
      cycles.set(rotated.join(" "), rotated);
      return;
    }
    for (const n of next(a)) visit(n, [...path, a]);
    done.add(a);
  };
  for (const a of [...targets.keys()].sort()) visit(a, []);
  return [...cycles.values()];
}

/**
 * The same rules across the domains of one server (`domains`): a target at another hosted domain is delivered
 * here, never sent out, so it must be an account or an alias of that domain and not blocked there; and a loop
 * may run through several domains. Targets and loops inside one domain are `checkDelivery`'s.
 */
export function checkAcrossDomains(domains: { scope: Scope; d: DeliveryInput }[]): void {
  const byDomain = new Map(domains.map(({ d }) => [d.domain, d]));
  const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1);
  for (const { scope, d } of domains) {
    const check = (key: string, target: string) => {
      const other = byDomain.get(domainOf(target));
      if (!other || other === d) return;
      const base = withoutTag(target);
      if (other.blocked.includes(target) || other.blocked.includes(base))
        scope.r.fail(
          key,
          `targets ${target}, which is blocked at ${other.domain} (hosted here too): its mail is refused, so nothing sent there would arrive; target an account instead`,
        );
      else if (!other.accounts.includes(base) && !other.aliases.some((a) => a.address === base))
        scope.r.fail(
          key,
          `targets ${target}, which is not an account or an alias at ${other.domain}, a domain this server hosts: mail to it would be accepted and then lost; add it to that domain's accounts, or target an existing account`,
        );
    };
    for (const a of d.aliases) for (const t of a.targets) check(d.aliasKeys.get(a.address)!.key, t);
    if (d.catchAll) check(scope.key("catchAll"), d.catchAll);
    if (d.postmaster) check(scope.key("postmaster"), d.postmaster);
  }
  const targets = new Map(domains.flatMap(({ d }) => d.aliases.map((a) => [a.address, a.targets] as const)));
  for (const cycle of aliasCycles(targets, (t) => byDomain.has(domainOf(t)))) {
    if (new Set(cycle.map(domainOf)).size < 2) continue;
    const first = byDomain.get(domainOf(cycle[0]))!;
    domains[0].scope.r.fail(
      first.aliasKeys.get(cycle[0])!.key,
      `is part of a loop across domains: ${[...cycle, cycle[0]].join(" → ")}; mail to any of them would bounce — point one of them at an account`,
    );
  }
}
