import { describe, expect, it } from "vitest";
import { exitCode, renderJson, renderTable, shouldColour } from "../../doctor/report";
import { CheckResult, fail } from "../../doctor/types";

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

describe("report width", () => {
  it("wraps details and fixes to 100 columns and keeps the text to paste whole", () => {
    const text = renderTable(
      [
        fail(
          "Ports",
          "TLS certificate",
          `valid for mail.example.test, 80 days left; chain: ${Array(6).fill("CN=Some Long Intermediate Name").join(" ← ")}`,
          `Mailstack publishes it on \`pulumi up\` (run \`pulumi refresh\` first if a record was deleted by hand); with dns: none, copy it from the zone file:\n    mail.example.test. 300 IN A 203.0.113.25`,
        ),
      ],
      { colour: false },
    );
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
    expect(text).toContain("\n      mail.example.test. 300 IN A 203.0.113.25\n");
    expect(text.replace(/\n {5,}/g, " ")).toContain(Array(6).fill("CN=Some Long Intermediate Name").join(" ← "));
  });
});
