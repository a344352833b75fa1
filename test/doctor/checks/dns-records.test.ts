import { describe, expect, it } from "vitest";
import { plannedValue, sameTxtKind } from "../../../doctor/checks/dns-records";

describe("record helpers", () => {
  it("normalises planned values and spots same-kind TXT records", () => {
    expect(
      plannedValue({ type: "MX", name: "x.test", content: "Mail.X.test.", priority: 5, ttl: 1, comment: "" }),
    ).toBe("5 mail.x.test");
    expect(
      plannedValue({ type: "CAA", name: "x.test", content: '0 ISSUE "letsencrypt.org"', ttl: 1, comment: "" }),
    ).toBe('0 issue "letsencrypt.org"');
    expect(sameTxtKind("v=spf1 -all", "V=SPF1 mx -all")).toBe(true);
    expect(sameTxtKind("google-site-verification=x", "v=spf1 -all")).toBe(false);
    expect(sameTxtKind("p=MIIB", "v=DKIM1; p=MIIB")).toBe(true);
  });
});
