import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { judgeCaa, judgeRenewal, judgeServed, parseStatus, relevantCaa } from "../../../doctor/lib/acme";
import { makeCa, makeServerCert, validFor } from "../../support/certificates";

const HOST = "mail.example.net";
const ISSUE = "letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/42; validationmethods=dns-01";
const caa = (value: string, tag = "issue") => ({ flags: 0, tag, value });
const NOW = new Date();

describe("relevantCaa (RFC 8659: the first non-empty CAA set from the name up)", () => {
  it("climbs to the apex and stops at the first set", async () => {
    const zone: Record<string, ReturnType<typeof caa>[]> = { "example.net": [caa("sectigo.com")] };
    const asked: string[] = [];
    const found = await relevantCaa(HOST, async (n) => (asked.push(n), zone[n] ?? []));
    expect(found).toEqual({ at: "example.net", records: [caa("sectigo.com")] });
    expect(asked).toEqual([HOST, "example.net"]);
    expect(await relevantCaa(HOST, async () => [])).toBeUndefined();
  });
});

describe("judgeCaa", () => {
  it("passes the planned record at the host, parameters in any order", () => {
    const v = judgeCaa(HOST, ISSUE, {
      at: HOST,
      records: [
        caa("letsencrypt.org;validationmethods=dns-01;accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/42"),
      ],
    });
    expect(v.status).toBe("pass");
  });
  it("fails when the governing set leaves the CA out: renewals would be refused", () => {
    const v = judgeCaa(HOST, ISSUE, { at: "example.net", records: [caa("pki.goog")] });
    expect(v.status).toBe("fail");
    expect(v.detail).toContain("do not allow letsencrypt.org");
  });
  it("warns when no CAA exists, when another account or CA may issue too, or when only the apex governs", () => {
    expect(judgeCaa(HOST, ISSUE, undefined).status).toBe("warn");
    expect(judgeCaa(HOST, ISSUE, { at: HOST, records: [caa(ISSUE), caa("pki.goog")] }).detail).toContain("pki.goog");
    expect(judgeCaa(HOST, ISSUE, { at: "example.net", records: [caa("letsencrypt.org")] }).status).toBe("warn");
  });
});

describe("judgeRenewal and judgeServed", () => {
  const ca = makeCa("Pebble Intermediate");
  const cert = (days: number) => new X509Certificate(makeServerCert(ca, [HOST], validFor(days)).cert);
  const ok = parseStatus(
    `checked=${NOW.toISOString()}\nresult=ok\ndetail=certificate up to date\npublished=2026-01-01T00:00:00Z\n`,
  );

  it("reports issuer and expiry; warns under 20 days or after a failed check; fails when expired", () => {
    const good = judgeRenewal(cert(60), ok, 12, NOW);
    expect(good.status).toBe("pass");
    expect(good.detail).toMatch(/issued by CN=Pebble Intermediate, O=mailstack tests, expires \S+ \((59|60) days\)/);
    expect(judgeRenewal(cert(19), ok, 12, NOW).status).toBe("warn");
    const failed = parseStatus(`checked=${NOW.toISOString()}\nresult=failed\ndetail=lego exited with status 1\n`);
    expect(judgeRenewal(cert(60), failed, 12, NOW).detail).toContain("lego exited with status 1");
    expect(judgeRenewal(cert(60), failed, 12, NOW).status).toBe("warn");
    const stale = parseStatus(
      `checked=${new Date(NOW.getTime() - 3 * 86_400_000).toISOString()}\nresult=ok\ndetail=x\n`,
    );
    expect(judgeRenewal(cert(60), stale, 12, NOW).detail).toContain("is the renewer running?");
    const expired = new X509Certificate(
      makeServerCert(ca, [HOST], {
        notBefore: new Date(NOW.getTime() - 90 * 86_400_000),
        notAfter: new Date(NOW.getTime() - 86_400_000),
      }).cert,
    );
    expect(judgeRenewal(expired, ok, 12, NOW).status).toBe("fail");
  });

  it("fails when the server still presents an older certificate than the one published, unless just published", () => {
    const older = cert(10);
    const latest = cert(60);
    expect(judgeServed(latest, latest, ok, "mailserver", NOW).status).toBe("pass");
    const stuck = judgeServed(older, latest, ok, "mailserver", NOW);
    expect(stuck.status).toBe("fail");
    expect(stuck.fix).toBe("Restart the mail server so it loads the new certificate: docker restart mailserver");
    const justNow = parseStatus(`published=${new Date(NOW.getTime() - 30_000).toISOString()}\n`);
    expect(judgeServed(older, latest, justNow, "mailserver", NOW).status).toBe("warn");
  });
});
