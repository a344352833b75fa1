import { describe, expect, it } from "vitest";
import { isTimeZone, normalizeSchedule, previousRuns, schedulePeriodMs } from "../../lib/backup-schedule";

const HOUR = 3_600_000;
const from = new Date("2026-06-10T12:00:00Z");

describe("backup schedules", () => {
  it("spells out crond's @-specials and normalises whitespace", () => {
    expect(normalizeSchedule("@daily")).toEqual({ cron: "0 0 * * *" });
    expect(normalizeSchedule(" 30  2 * *  MON-FRI ")).toEqual({ cron: "30 2 * * mon-fri" });
    expect(normalizeSchedule("0 3 ? * *")).toMatchObject({ error: expect.stringContaining("day field") });
  });

  it("measures one period as the longest gap between runs", () => {
    expect(schedulePeriodMs("0 3 * * *", "UTC", from)).toBe(24 * HOUR);
    expect(schedulePeriodMs("*/15 * * * *", "UTC", from)).toBe(HOUR / 4);
    // Weekdays only: Friday to Monday.
    expect(schedulePeriodMs("0 3 * * 1-5", "UTC", from)).toBe(72 * HOUR);
    // The 1st of the month: the longest month.
    expect(schedulePeriodMs("0 3 1 * *", "UTC", from)).toBe(31 * 24 * HOUR);
    // Local time: the night the clocks go back is 25 hours long.
    expect(schedulePeriodMs("0 3 * * *", "Europe/Berlin", from)).toBe(25 * HOUR);
  });

  it("lists the runs that were due, newest first, in the schedule's time zone", () => {
    expect(previousRuns("0 3 * * *", "Europe/Berlin", from, 2).map((d) => d.toISOString())).toEqual([
      "2026-06-10T01:00:00.000Z",
      "2026-06-09T01:00:00.000Z",
    ]);
    expect(previousRuns("0 12 * * *", "UTC", from, 1)[0].toISOString()).toBe("2026-06-10T12:00:00.000Z");
  });

  it("knows IANA zones", () => {
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("America/Argentina/Buenos_Aires")).toBe(true);
    expect(isTimeZone("CET; rm -rf /")).toBe(false);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});
