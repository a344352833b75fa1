import { CheckResult, CheckStatus } from "./types";

const SYMBOL: Record<CheckStatus, string> = { pass: "✓", warn: "!", fail: "✗", skip: "–" };
const COLOUR: Record<CheckStatus, string> = { pass: "\x1b[32m", warn: "\x1b[33m", fail: "\x1b[31m", skip: "\x1b[90m" };
const RESET = "\x1b[0m";

export interface Summary {
  pass: number;
  warn: number;
  fail: number;
  skip: number;
}

export function summarize(results: CheckResult[]): Summary {
  const summary: Summary = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const result of results) summary[result.status]++;
  return summary;
}

/** Non-zero only when something failed: warnings and skips alone are not an error. */
export function exitCode(results: CheckResult[]): number {
  return results.some((result) => result.status === "fail") ? 1 : 0;
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function shouldColour(isTty: boolean, env: Record<string, string | undefined>, forced?: boolean): boolean {
  if (forced !== undefined) return forced;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTty;
}

/** The human report: one section per group, aligned columns, fix lines under failures and warnings. */
export function renderTable(results: CheckResult[], options: { colour: boolean; title?: string }): string {
  const paint = (status: CheckStatus, text: string) => (options.colour ? `${COLOUR[status]}${text}${RESET}` : text);
  const nameWidth = Math.min(48, Math.max(...results.map((r) => r.name.length), 5));
  const lines: string[] = [];
  if (options.title) lines.push(options.title, "");
  let group: string | undefined;
  for (const result of results) {
    if (result.group !== group) {
      if (group !== undefined) lines.push("");
      group = result.group;
      lines.push(options.colour ? `\x1b[1m${group}\x1b[0m` : group);
    }
    const detail = result.status === "skip" ? `skipped: ${result.detail}` : result.detail;
    const head = `  ${SYMBOL[result.status]} ${result.name.padEnd(nameWidth)}  `;
    const [first, ...rest] = wrap(detail, head.length);
    lines.push(`  ${paint(result.status, SYMBOL[result.status])} ${result.name.padEnd(nameWidth)}  ${first}`, ...rest);
    if (result.fix && (result.status === "fail" || result.status === "warn")) {
      // A fix is prose, then (after a line break) text to paste: the prose is wrapped, the rest kept as is.
      const [prose, ...paste] = result.fix.split("\n");
      const indent = " ".repeat(nameWidth + 4);
      const [fixFirst, ...fixRest] = wrap(prose, indent.length + 7);
      lines.push(`  ${indent}${paint(result.status, "fix:")} ${fixFirst}`, ...fixRest);
      lines.push(...paste.map((line) => `  ${line}`));
    }
  }
  const s = summarize(results);
  lines.push(
    "",
    `${paint("pass", `${s.pass} passed`)}, ${paint("warn", `${s.warn} warnings`)}, ${paint("fail", `${s.fail} failed`)}, ${paint("skip", `${s.skip} skipped`)}`,
  );
  return lines.join("\n") + "\n";
}

/** Report lines fit this many columns; longer words (a URL, a value) are not cut. */
export const WIDTH = 100;

/**
 * `text` in lines of at most WIDTH columns, the first after a `start`-column head, the rest indented to it —
 * or less, so that the longest word (a value, a URL) still fits on a line of its own.
 */
function wrap(text: string, start: number): string[] {
  const words = text.split(" ");
  const indent = Math.max(6, Math.min(start, WIDTH - Math.max(...words.map((w) => w.length))));
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    const at = lines.length ? indent : start;
    if (line && at + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.map((l, i) => (i ? " ".repeat(indent) + l : l));
}

/** The `--json` report: stable keys for scripts. */
export function renderJson(results: CheckResult[], meta: Record<string, unknown>): string {
  return (
    JSON.stringify({ ...meta, ok: exitCode(results) === 0, summary: summarize(results), checks: results }, null, 2) +
    "\n"
  );
}
