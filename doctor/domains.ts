/**
 * Several mail domains on one server: the checks that judge one domain (SPF, DKIM, DMARC, its Resend domain)
 * run once per hosted domain, each seeing the plan as if that domain were the only one.
 */
import type { PlannedDeployment } from "../lib/planned";
import type { DoctorContext } from "./context";
import type { CheckResult } from "./types";

/** The hosted domains, first the server's own; a plan with one domain has no `domains` list. */
export function plannedDomainNames(planned: PlannedDeployment): string[] {
  return planned.domains?.map((d) => d.domain) ?? [planned.domain];
}

/** The context with one domain's values where a single-domain check reads the domain's. */
export function domainContexts(context: DoctorContext): DoctorContext[] {
  const { planned } = context;
  if (!planned.domains) return [context];
  return planned.domains.map((d) => ({
    ...context,
    planned: { ...planned, domain: d.domain, dkim: d.dkim, relay: d.relay, accounts: d.accounts },
  }));
}

/** A per-domain check run for every hosted domain, results in domain order. */
export function forEachDomain(
  check: (context: DoctorContext) => Promise<CheckResult[]>,
): (context: DoctorContext) => Promise<CheckResult[]> {
  return async (context) => (await Promise.all(domainContexts(context).map(check))).flat();
}
