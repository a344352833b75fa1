/** Outcome of one doctor check. "skip" is never a success: it means the check could not or should not run. */
export type CheckStatus = "pass" | "warn" | "fail" | "skip";

export interface CheckResult {
  /** Section of the report: "DNS", "Reverse DNS", "Port 25", "Credentials", … */
  group: string;
  /** What was checked, short: "MX example.com", "TLS certificate". */
  name: string;
  status: CheckStatus;
  /** What was seen (or, for a skip, why it did not run). */
  detail: string;
  /** One line telling the user how to fix a failure or warning. */
  fix?: string;
}

export const pass = (group: string, name: string, detail: string): CheckResult => ({
  group,
  name,
  status: "pass",
  detail,
});
export const warn = (group: string, name: string, detail: string, fix: string): CheckResult => ({
  group,
  name,
  status: "warn",
  detail,
  fix,
});
export const fail = (group: string, name: string, detail: string, fix: string): CheckResult => ({
  group,
  name,
  status: "fail",
  detail,
  fix,
});
export const skip = (group: string, name: string, reason: string): CheckResult => ({
  group,
  name,
  status: "skip",
  detail: reason,
});

/** Message of anything thrown, for a detail column. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** A judgement about one thing, before the check names it. */
export type Verdict = { status: "pass" | "warn" | "fail"; detail: string; fix?: string };
