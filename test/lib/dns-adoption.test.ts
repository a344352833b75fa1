import { describe, expect, it } from "vitest";
import type { CloudflareRecord } from "../../lib/cloudflare/api";
import { dnsSpecToCloudflareArgs } from "../../lib/dns-cloudflare";
import { conflictMessage, isMailstackRecord, planAdoption, recordPurpose, zoneAdoption } from "../../lib/dns-adoption";
import type { DnsRecordSpec } from "../../lib/dns-record";
import { NOT_YET_MADE, planDomainRecords } from "../../lib/plan/domain-records";

const ZONE = "a".repeat(32);
const PLANNED: DnsRecordSpec[] = [
  ...planDomainRecords(
    {
      name: "example.com",
      accounts: [],
      aliases: [],
      postmaster: "hi@example.com",
      blocked: [],
      mailHost: "mail.example.com",
      host: { ipv4: "192.0.2.10", ipv6: "2001:db8::10" },
      dkim: { selector: "mail" },
      dmarc: { policy: "none", rua: [] },
      clientSetup: { autoconfig: false, autodiscover: false, apex: false, srv: false },
    },
    NOT_YET_MADE,
  ),
  {
    type: "CNAME",
    name: "abc._domainkey.example.com",
    content: "abc.dkim.amazonses.com",
    ttl: 3600,
    comment: "Resend",
  },
];
let seq = 0;
const rec = (r: Partial<CloudflareRecord> & Pick<CloudflareRecord, "name" | "type" | "content">): CloudflareRecord => ({
  id: (++seq).toString(16).padStart(32, "0"),
  ttl: 1,
  comment: null,
  ...r,
});

describe("recordPurpose", () => {
  it.each([
    ["TXT", '"v=spf1 mx -all"', "TXT spf1"],
    ["TXT", "v=spf1 include:amazonses.com ~all", "TXT spf1"],
    ["TXT", '"v=DMARC1; p=none;"', "TXT dmarc1"],
    ["TXT", '"v=DKIM1; k=rsa; p=MIGf" "AB"', "TXT dkim1"],
    ["TXT", "k=rsa; p=MIGfMA0", "TXT dkim1"],
    ["TXT", "p=MIGfMA0", "TXT dkim1"],
    ["TXT", '"google-site-verification=abc"', "TXT =google-site-verification=abc"],
    ["MX", "mx.example.net", "MX"],
    ["A", "192.0.2.1", "A"],
    ["CAA", '0 issue "letsencrypt.org"', 'CAA =0 issue "letsencrypt.org"'],
  ])("%s %s is %s", (type, content, purpose) => {
    expect(recordPurpose(type, content)).toBe(purpose);
  });
});

describe("isMailstackRecord", () => {
  const comments = new Set(PLANNED.map((p) => p.comment));
  it("knows its records by the comment marker, and those written before the marker by their comment", () => {
    const spf = PLANNED.find((p) => p.type === "TXT" && p.name === "example.com")!;
    const marked = rec({ ...spf, comment: dnsSpecToCloudflareArgs(spf).comment });
    expect(marked.comment).toMatch(/^mailstack: /);
    expect(isMailstackRecord(marked, comments)).toBe(true);
    expect(isMailstackRecord(rec({ ...spf, comment: spf.comment }), comments)).toBe(true);
    expect(
      isMailstackRecord(
        rec({
          name: "send.example.com",
          type: "MX",
          content: "x",
          comment: "Resend SPF record (MX), required to send through Resend",
        }),
        comments,
      ),
    ).toBe(true);
    expect(isMailstackRecord(rec({ ...spf, comment: null }), comments)).toBe(false);
    expect(isMailstackRecord(rec({ ...spf, comment: "my SPF" }), comments)).toBe(false);
  });
});

describe("planAdoption", () => {
  it("finds nothing in an empty zone, or among mailstack's own records", () => {
    expect(planAdoption(ZONE, PLANNED, [], []).conflicts).toEqual([]);
    const own = PLANNED.map((p) => rec({ ...p, comment: dnsSpecToCloudflareArgs(p).comment }));
    expect(planAdoption(ZONE, PLANNED, own, []).conflicts).toEqual([]);
  });

  it("leaves other kinds of records at the same names alone (site verification TXT, A beside AAAA)", () => {
    const zone = [
      rec({ name: "example.com", type: "TXT", content: '"google-site-verification=abc"' }),
      rec({ name: "example.com", type: "A", content: "192.0.2.80" }),
      rec({ name: "www.example.com", type: "CNAME", content: "example.com" }),
      rec({ name: "example.com", type: "CAA", content: '0 issue "letsencrypt.org"' }),
    ];
    expect(planAdoption(ZONE, PLANNED, zone, []).conflicts).toEqual([]);
  });

  it("offers each same-kind record for adoption, and imports the listed ones as <zone>/<record>", () => {
    const mx = rec({ name: "example.com", type: "MX", content: "mail.example.com", priority: 10 });
    const spf = rec({ name: "example.com", type: "TXT", content: '"v=spf1 mx ~all"' });
    const aaaa = rec({ name: "mail.example.com", type: "AAAA", content: "2001:db8::99" });
    const offered = planAdoption(ZONE, PLANNED, [mx, spf, aaaa], []);
    expect(offered.conflicts.map((c) => [c.existing.id, c.resolve])).toEqual([
      [mx.id, "adopt"],
      [spf.id, "adopt"],
      [aaaa.id, "adopt"],
    ]);
    const adopted = planAdoption(ZONE, PLANNED, [mx, spf, aaaa], [mx.id, spf.id, aaaa.id]);
    expect(adopted.conflicts).toEqual([]);
    const spec = (type: string, name: string) => PLANNED.find((p) => p.type === type && p.name === name)!;
    expect(adopted.importId(spec("MX", "example.com"))).toBe(`${ZONE}/${mx.id}`);
    expect(adopted.importId(spec("TXT", "example.com"))).toBe(`${ZONE}/${spf.id}`);
    expect(adopted.importId(spec("AAAA", "mail.example.com"))).toBe(`${ZONE}/${aaaa.id}`);
    expect(adopted.importId(spec("A", "mail.example.com"))).toBeUndefined();
    expect(adopted.importId(spec("TXT", "_dmarc.example.com"))).toBeUndefined();
  });

  it("asks to delete a second record of a kind, whether or not the first was adopted", () => {
    const mx1 = rec({ name: "example.com", type: "MX", content: "mx1.old.net", priority: 10 });
    const mx2 = rec({ name: "example.com", type: "MX", content: "mx2.old.net", priority: 20 });
    expect(planAdoption(ZONE, PLANNED, [mx1, mx2], []).conflicts.map((c) => c.resolve)).toEqual(["adopt", "delete"]);
    const later = planAdoption(ZONE, PLANNED, [mx1, mx2], [mx2.id]);
    expect(later.conflicts.map((c) => [c.existing.id, c.resolve])).toEqual([[mx1.id, "delete"]]);
  });

  it("asks to delete a CNAME where mailstack publishes another type, and anything where it publishes a CNAME", () => {
    const cname = rec({ name: "mail.example.com", type: "CNAME", content: "home.example.net" });
    const txt = rec({ name: "abc._domainkey.example.com", type: "TXT", content: "p=old" });
    const plan = planAdoption(ZONE, PLANNED, [cname, txt], [cname.id, txt.id]);
    expect(plan.conflicts.map((c) => [c.existing.id, c.resolve])).toEqual([
      [cname.id, "delete"],
      [txt.id, "delete"],
    ]);
  });
});

describe("conflictMessage", () => {
  it("numbers the adopt commands after the IDs already listed, and prints each delete as a curl", () => {
    const mx = rec({ name: "example.com", type: "MX", content: "mx1.old.net", priority: 10 });
    const mx2 = rec({ name: "example.com", type: "MX", content: "mx2.old.net", priority: 20 });
    const { conflicts } = planAdoption(ZONE, PLANNED, [mx, mx2], []);
    const text = conflictMessage({ id: ZONE, name: "example.com" }, conflicts, 2, "http://127.0.0.1:9/client/v4");
    expect(text.split("\n")).toEqual([
      "mailstack: the Cloudflare zone example.com already has 2 records where mailstack publishes its own, so nothing was changed:",
      `  - MX example.com "mx1.old.net" priority 10 (id ${mx.id}): mailstack publishes its own MX here. To let mailstack take it over:`,
      `      pulumi config set --path 'adoptDnsRecords[2]' ${mx.id}`,
      `  - MX example.com "mx2.old.net" priority 20 (id ${mx2.id}): mailstack takes over one MX here, and a second MX would receive part of the domain's mail. To delete it (or remove it in the dashboard):`,
      `      curl -X DELETE -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" http://127.0.0.1:9/client/v4/zones/${ZONE}/dns_records/${mx2.id}`,
      "A record taken over is imported on the next `pulumi up` and rewritten as planned (`pulumi preview` shows each as import, then update). Take over only records you made by hand.",
    ]);
  });

  it("is what zoneAdoption throws", () => {
    const mx = rec({ name: "example.com", type: "MX", content: "mx1.old.net", priority: 10 });
    const z = zoneAdoption({ id: ZONE, name: "example.com", records: [mx] }, []);
    expect(() => z.importIds(PLANNED)).toThrow(/already has 1 record where mailstack publishes its own/);
    expect(zoneAdoption({ id: ZONE, name: "example.com", records: [mx] }, [mx.id]).importIds(PLANNED)(PLANNED[2])).toBe(
      `${ZONE}/${mx.id}`,
    );
  });
});
