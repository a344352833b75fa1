/**
 * The backup schedule: a crontab time spec that both BusyBox crond (which runs it in the backup container)
 * and cron-parser (which the status check uses to know when runs were due) read the same way.
 */
import { CronExpressionParser } from "cron-parser";

/** BusyBox crond's @-specials (miscutils/crond.c SpecialEntry), spelled out; @reboot is not a schedule. */
const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const NAMES = { month: "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", dow: "sun|mon|tue|wed|thu|fri|sat" };
/**
 * One field as BusyBox's ParseField reads it: `*`, a number or name, a range, each optionally with a
 * `/step`, comma-separated. cron-parser accepts more (L, W, #, ?, seconds); those are refused here because
 * crond would silently skip the line.
 */
function fieldPattern(names?: string): RegExp {
  const value = names ? `(?:\\d+|${names})` : "\\d+";
  const item = `(?:\\*|${value}(?:-${value})?)(?:/\\d+)?`;
  return new RegExp(`^${item}(?:,${item})*$`, "i");
}
const FIELDS = [fieldPattern(), fieldPattern(), fieldPattern(), fieldPattern(NAMES.month), fieldPattern(NAMES.dow)];

/** The five-field form of a schedule (macros expanded, whitespace normalised), or an error message. */
export function normalizeSchedule(schedule: string): { cron: string } | { error: string } {
  const trimmed = schedule.trim().toLowerCase();
  const cron = MACROS[trimmed] ?? trimmed.split(/\s+/).join(" ");
  const fields = cron.split(" ");
  if (fields.length !== 5)
    return {
      error: `has ${fields.length} fields; expected a crontab time of 5 fields (minute hour day month weekday), e.g. "0 3 * * *", or @daily/@hourly/@weekly/@monthly`,
    };
  const bad = fields.findIndex((f, i) => !FIELDS[i].test(f));
  if (bad >= 0)
    return {
      error: `has ${JSON.stringify(fields[bad])} as its ${["minute", "hour", "day", "month", "weekday"][bad]} field; expected *, numbers, names, ranges (a-b), steps (/n) and lists (a,b)`,
    };
  try {
    CronExpressionParser.parse(cron, { strict: false }).next();
  } catch (e) {
    return { error: `is not a valid schedule: ${(e as Error).message}` };
  }
  return { cron };
}

/** The scheduled times (newest first) at or before `now`, `count` of them. */
export function previousRuns(cron: string, timezone: string, now: Date, count: number): Date[] {
  const expression = CronExpressionParser.parse(cron, { currentDate: new Date(now.getTime() + 1), tz: timezone });
  const runs: Date[] = [];
  for (let i = 0; i < count && expression.hasPrev(); i++) runs.push(expression.prev().toDate());
  return runs;
}

/**
 * The longest gap between two consecutive runs: what "one schedule period" means for a schedule that is
 * not evenly spaced (weekdays only, the 1st of the month). Looks at up to 1000 runs or 400 days ahead.
 */
export function schedulePeriodMs(cron: string, timezone: string, from: Date): number {
  const expression = CronExpressionParser.parse(cron, { currentDate: from, tz: timezone });
  const horizon = from.getTime() + 400 * 86_400_000;
  let previous = expression.next().getTime();
  let longest = 0;
  for (let i = 0; i < 1000 && previous < horizon; i++) {
    const next = expression.next().getTime();
    longest = Math.max(longest, next - previous);
    previous = next;
  }
  return longest;
}

/** Whether `timezone` is an IANA zone name this runtime (and so the container's tzdata) knows. */
export function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
    return /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(timezone);
  } catch {
    return false;
  }
}
