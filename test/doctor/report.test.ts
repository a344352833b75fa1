import { describe, expect, it } from "vitest";
import { exitCode, renderJson, renderTable, shouldColour } from "../../doctor/report";
import { CheckResult } from "../../doctor/types";

describe("report", () => {
  const results: CheckResult[] = [
    { group: "DNS", name: "MX", status: "pass", detail: "10 mail" },
    { group: "DNS", name: "SPF", status: "fail", detail: "none", fix: "Publish one." },
    { group: "Creds", name: "IMAP", status: "skip", detail: "no password" },
    { group: "Creds", name: "DMARC", status: "warn", detail: "p=none", fix: "Raise it." },
  ];
  it("renders symbols, fix lines and a summary without colour", () => {
    const text = renderTable(results, { colour: false });
    expect(text).toContain("✓ MX");
    expect(text).toMatch(/✗ SPF +none\n +fix: Publish one\./);
    expect(text).toContain("– IMAP   skipped: no password");
    expect(text).toContain("! DMARC");
    expect(text).toContain("1 passed, 1 warnings, 1 failed, 1 skipped");
    expect(text).not.toContain("\x1b[");
    expect(renderTable(results, { colour: true })).toContain("\x1b[31m✗");
  });
  it("fails the exit status only on failures", () => {
    expect(exitCode(results)).toBe(1);
    expect(exitCode(results.filter((r) => r.status !== "fail"))).toBe(0);
    expect(JSON.parse(renderJson(results, { domain: "x" }))).toMatchObject({
      ok: false,
      domain: "x",
      summary: { pass: 1, warn: 1, fail: 1, skip: 1 },
    });
  });
  it("colours only a terminal and respects NO_COLOR", () => {
    expect(shouldColour(true, {})).toBe(true);
    expect(shouldColour(false, {})).toBe(false);
    expect(shouldColour(true, { NO_COLOR: "1" })).toBe(false);
    expect(shouldColour(true, {}, false)).toBe(false);
  });
});
