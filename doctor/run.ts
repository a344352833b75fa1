import { checkBackup } from "./checks/backup";
import { checkBlocklist } from "./checks/blocklist";
import { checkCertificate } from "./checks/certificate";
import { checkClientAutoconfig, checkMtaSts } from "./checks/client-setup";
import { checkCredentials } from "./checks/credentials";
import { checkPlannedRecords } from "./checks/dns-records";
import { checkMailAuthentication } from "./checks/mail-auth-dns";
import { checkOpenRelay } from "./checks/open-relay";
import { checkResend } from "./checks/resend";
import { checkReverseDns } from "./checks/reverse-dns";
import { checkServices } from "./checks/services";
import { checkSpamFilter } from "./checks/spam-filter";
import { DoctorContext } from "./context";
import { forEachDomain } from "./domains";
import { CheckResult, errorText, fail, skip } from "./types";

/** Each section of the report; they run concurrently and one crashing never stops the others. */
const SECTIONS: { group: string; run: (context: DoctorContext) => Promise<CheckResult[]> }[] = [
  { group: "DNS records", run: checkPlannedRecords },
  { group: "Mail authentication", run: forEachDomain(checkMailAuthentication) },
  { group: "MTA-STS", run: checkMtaSts },
  { group: "Client setup", run: checkClientAutoconfig },
  { group: "Reverse DNS", run: checkReverseDns },
  { group: "Ports", run: checkServices },
  { group: "Certificate", run: checkCertificate },
  { group: "Open relay", run: checkOpenRelay },
  { group: "Credentials", run: checkCredentials },
  { group: "Resend", run: forEachDomain(checkResend) },
  { group: "Blocklist", run: checkBlocklist },
  { group: "Backup", run: checkBackup },
  { group: "Spam filter", run: checkSpamFilter },
];

/** Codes of a resolver that does not answer at all (as opposed to "no such name"). */
const UNREACHABLE = new Set(["ECONNREFUSED", "ETIMEOUT", "ETIMEDOUT", "ECONNRESET", "EREFUSED", "ESERVFAIL"]);
const RESOLVER_DOWN = "the DNS resolver does not answer";

/**
 * Asks the resolver one question first. When it does not answer, that is reported once, and every check
 * that needs DNS is skipped for it, instead of a page of "could not query" (and a PTR read as missing).
 */
async function resolverProblem(context: DoctorContext): Promise<string | undefined> {
  try {
    await context.dns.resolve(context.planned.domain, "SOA");
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    return UNREACHABLE.has(code) ? `${context.dns.description} does not answer (${code})` : undefined;
  }
}

/** A DNS client whose every query fails at once, saying why. */
function downDns(context: DoctorContext): DoctorContext["dns"] {
  const down = () => Promise.reject(Object.assign(new Error(RESOLVER_DOWN), { code: "ECONNREFUSED" }));
  return {
    description: context.dns.description,
    a: down,
    aaaa: down,
    mx: down,
    txt: down,
    cname: down,
    caa: down,
    srv: down,
    ptr: down,
    resolve: down,
  };
}

/** Runs every check; results come back in report order whatever order they finished in. */
export async function runChecks(context: DoctorContext): Promise<CheckResult[]> {
  const problem = await resolverProblem(context);
  if (problem) {
    const results = await runSections({ ...context, dns: downDns(context) });
    const skipped = results.map((r) =>
      r.status !== "pass" && r.detail.includes(RESOLVER_DOWN) ? skip(r.group, r.name, `not checked: ${problem}`) : r,
    );
    const resolver = fail(
      "DNS resolver",
      "answers",
      problem,
      "Pass --resolver <ip[:port]> of a resolver that answers (e.g. --resolver 1.1.1.1), or check this machine's network.",
    );
    return [resolver, ...skipped];
  }
  return runSections(context);
}

async function runSections(context: DoctorContext): Promise<CheckResult[]> {
  const settled = await Promise.allSettled(SECTIONS.map((section) => section.run(context)));
  return settled.flatMap((outcome, index) =>
    outcome.status === "fulfilled"
      ? outcome.value
      : [
          fail(
            SECTIONS[index].group,
            "check",
            `check crashed: ${errorText(outcome.reason)}`,
            "Report this as a mailstack bug.",
          ),
        ],
  );
}
