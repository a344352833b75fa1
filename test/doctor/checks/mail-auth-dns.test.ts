import { describe, expect, it } from "vitest";
import { judgeSpf } from "../../../doctor/checks/mail-auth-dns";
import { SpfEvaluation, SpfResult } from "../../../doctor/lib/spf";

describe("SPF verdicts", () => {
  const planned = { domain: "x.test", hostname: "mail.x.test", ip: "192.0.2.1" };
  const evaluation = (result: SpfResult, extra: Partial<SpfEvaluation> = {}): SpfEvaluation => ({
    result,
    reason: "why",
    records: [{ name: "x.test", record: "v=spf1 mx -all" }],
    lookups: { count: 1, limit: 10, void: 0 },
    warnings: [],
    ...extra,
  });
  it("passes with the record, the lookups spent and the include trail", () => {
    expect(judgeSpf("c", evaluation("pass"), planned)).toMatchObject({
      status: "pass",
      detail: 'pass in "v=spf1 mx -all" (1 of 10 DNS lookups)',
    });
    const records = [
      { name: "x.test", record: "v=spf1 include:relay.test -all" },
      { name: "relay.test", record: "v=spf1 ip4:192.0.2.0/24 -all" },
    ];
    expect(
      judgeSpf("c", evaluation("pass", { records, lookups: { count: 2, limit: 10, void: 1 } }), planned),
    ).toMatchObject({
      detail:
        'pass in "v=spf1 include:relay.test -all" (2 of 10 DNS lookups, 1 void; SPF records read: x.test → relay.test)',
    });
  });
  it("warns when only the lenient reading passes", () => {
    const verdict = judgeSpf("c", evaluation("pass", { warnings: ["void-lookup-limit"] }), planned);
    expect(verdict.status).toBe("warn");
    expect(verdict.detail).toContain("RFC 7208 strictly answer permerror");
    expect(verdict.fix).toContain("give them both A and AAAA records");
  });
  it("fails with a fix that fits the result", () => {
    expect(judgeSpf("c", evaluation("fail"), planned).fix).toContain('"ip4:192.0.2.1"');
    expect(judgeSpf("c", evaluation("temperror"), planned).fix).toMatch(/^Retry/);
    expect(judgeSpf("c", evaluation("permerror", { reason: "… Too many DNS requests" }), planned).fix).toContain(
      "at most 10 DNS lookups",
    );
    expect(judgeSpf("c", evaluation("permerror", { reason: "… Too many void DNS results" }), planned).fix).toContain(
      "names that do not exist",
    );
  });
});
