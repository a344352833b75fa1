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
import { CheckResult, errorText, fail } from "./types";

/** Each section of the report; they run concurrently and one crashing never stops the others. */
const SECTIONS: { group: string; run: (context: DoctorContext) => Promise<CheckResult[]> }[] = [
  { group: "DNS records", run: checkPlannedRecords },
  { group: "Mail authentication", run: checkMailAuthentication },
  { group: "MTA-STS", run: checkMtaSts },
  { group: "Client setup", run: checkClientAutoconfig },
  { group: "Reverse DNS", run: checkReverseDns },
  { group: "Ports", run: checkServices },
  { group: "Certificate", run: checkCertificate },
  { group: "Open relay", run: checkOpenRelay },
  { group: "Credentials", run: checkCredentials },
  { group: "Resend", run: checkResend },
  { group: "Blocklist", run: checkBlocklist },
  { group: "Backup", run: checkBackup },
  { group: "Spam filter", run: checkSpamFilter },
];

/** Runs every check; results come back in report order whatever order they finished in. */
export async function runChecks(context: DoctorContext): Promise<CheckResult[]> {
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
