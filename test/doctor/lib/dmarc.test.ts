import { describe, expect, it } from "vitest";
import { assessDmarc, findDmarcRecords } from "../../../doctor/lib/dmarc";

describe("DMARC", () => {
  it("passes an enforcing policy, warns on p=none, fails bad syntax", () => {
    expect(assessDmarc("v=DMARC1; p=reject; rua=mailto:d@example.test", "example.test").status).toBe("pass");
    const none = assessDmarc("v=DMARC1; p=none", "example.test");
    expect(none.status).toBe("warn");
    expect(none.fix).toContain("p=quarantine");
    expect(assessDmarc("v=DMARC1; rua=mailto:d@example.test", "example.test")).toMatchObject({
      status: "fail",
      detail: "no p= policy tag",
    });
    expect(assessDmarc("v=DMARC1; p=block", "example.test").detail).toContain("unknown policy");
    expect(assessDmarc("v=DMARC1; p=reject; rua=https://x", "example.test").detail).toContain("mailto");
    expect(assessDmarc("v=DMARC1; p=reject; pct=150; adkim=x", "example.test").detail).toMatch(
      /pct=150.*adkim=x|adkim=x.*pct=150/,
    );
    expect(assessDmarc("p=reject; v=DMARC1", "example.test").status).toBe("fail");
    expect(findDmarcRecords(["v=DMARC1; p=none", "something else"])).toEqual(["v=DMARC1; p=none"]);
  });
});
