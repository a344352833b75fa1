import { describe, expect, it } from "vitest";
import { PeerCertificate } from "node:tls";
import { assessCertificate, PresentedCertificate } from "../../../doctor/lib/certificate";

describe("certificate assessment", () => {
  const now = new Date("2026-06-01T00:00:00Z");
  const cert = (validTo: string, names = "DNS:mail.example.test", trusted = true): PresentedCertificate => ({
    leaf: {
      subject: { CN: "mail.example.test" },
      subjectaltname: names,
      valid_to: validTo,
    } as unknown as PeerCertificate,
    chain: ["CN=mail.example.test", "CN=Test CA"],
    trusted,
    trustError: trusted ? undefined : "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  });
  it("passes with days left and the chain", () => {
    const verdict = assessCertificate(cert("Aug 30 00:00:00 2026 GMT"), "mail.example.test", now);
    expect(verdict).toMatchObject({ status: "pass", daysLeft: 90 });
    expect(verdict.detail).toContain("chain: CN=mail.example.test ← CN=Test CA");
  });
  it("warns under 20 days, fails expired, wrong name, untrusted", () => {
    expect(assessCertificate(cert("Jun 10 00:00:00 2026 GMT"), "mail.example.test", now)).toMatchObject({
      status: "warn",
      daysLeft: 9,
    });
    expect(assessCertificate(cert("May 20 00:00:00 2026 GMT"), "mail.example.test", now).detail).toMatch(
      /^expired 2026-05-20/,
    );
    expect(
      assessCertificate(cert("Aug 30 00:00:00 2026 GMT", "DNS:other.test"), "mail.example.test", now).detail,
    ).toContain("not valid for mail.example.test (certificate names: other.test)");
    expect(
      assessCertificate(cert("Aug 30 00:00:00 2026 GMT", "DNS:*.example.test"), "mail.example.test", now).status,
    ).toBe("pass");
    expect(
      assessCertificate(cert("Aug 30 00:00:00 2026 GMT", "DNS:mail.example.test", false), "mail.example.test", now)
        .detail,
    ).toContain("not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)");
  });
});
