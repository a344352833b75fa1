/** `dmarc`: the domain's DMARC policy and where aggregate reports go. */
import { DmarcPolicy } from "./config-types";
import { Scope, show } from "./config-reader";
import { addressProblem, asciiLower } from "./mail-syntax";

export const DMARC_KEYS = ["dmarc"];
const POLICIES: DmarcPolicy[] = ["none", "quarantine", "reject"];

export interface DmarcSettings {
  policy: DmarcPolicy;
  /** Bare addresses for aggregate reports; the record renderer writes them as `mailto:` URIs. */
  rua: string[];
}

/**
 * `hosted`: the server's domains. Reports to one of them need no warning: its zone gets the authorisation record
 * (lib/plan/domain-records.ts).
 */
export function readDmarc(scope: Scope, domain: string, hosted: readonly string[] = [domain]): DmarcSettings {
  const s = scope.object("dmarc");
  s?.only(["policy", "rua"]);
  const policy = (s?.string("policy") ?? "none") as DmarcPolicy;
  if (!POLICIES.includes(policy)) s!.fail("policy", `is ${show(policy)}; expected one of ${POLICIES.join(", ")}`);

  const given = s?.value("rua");
  const list = given === undefined ? [] : Array.isArray(given) ? given : [given];
  const rua: string[] = [];
  for (const entry of list) {
    if (typeof entry !== "string" || !entry.trim()) {
      s!.fail("rua", `has ${show(entry)}; expected an address for aggregate reports, e.g. dmarc@${domain}`);
      continue;
    }
    if (/[,;]/.test(entry)) {
      const parts = entry
        .split(/[,;]/)
        .map((p) => p.trim().replace(/^mailto:/i, ""))
        .filter(Boolean);
      s!.fail(
        "rua",
        `is ${show(entry)}, several addresses in one string; give them as a list: rua: [${parts.join(", ")}]`,
      );
      continue;
    }
    const address = asciiLower(entry.trim().replace(/^mailto:/i, ""));
    const problem = addressProblem(address, "outside");
    if (problem) s!.fail("rua", `is ${show(entry)}, not an address: it ${problem}; expected e.g. dmarc@${domain}`);
    else if (!rua.includes(address)) {
      rua.push(address);
      const ruaDomain = address.slice(address.lastIndexOf("@") + 1);
      if (ruaDomain !== domain && !ruaDomain.endsWith(`.${domain}`) && !hosted.includes(ruaDomain))
        s!.warn(
          "rua",
          `sends reports to ${ruaDomain}, another domain: receivers only send them if ${domain}._report._dmarc.${ruaDomain} has the TXT record "v=DMARC1" (RFC 7489 §7.1)`,
        );
    }
  }
  return { policy, rua };
}
