import { describe, expect, it } from "vitest";
import { DEFAULT_TTL } from "../../lib/dns-record";
import { recordKeys } from "../../lib/dns-format";
import {
  planResendDashboardRecords,
  resendNameToFqdn,
  resendRecordsToDnsSpecs,
  txtToPresentation,
} from "../../lib/resend/records";

const rec = (type: string, name: string, value: string, extra: object = {}) => ({
  record: "X",
  type,
  name,
  value,
  ttl: "Auto",
  status: "pending",
  ...extra,
});

describe("resendNameToFqdn", () => {
  it.each([
    ["send", "send.example.com"],
    ["resend._domainkey", "resend._domainkey.example.com"],
    ["@", "example.com"],
    ["", "example.com"],
    ["example.com", "example.com"],
    ["Links.Example.com", "links.example.com"],
    ["links.example.com.", "links.example.com"],
    ["bounces.other.net.", "bounces.other.net"],
    ["ABC._DomainKey", "abc._domainkey.example.com"],
  ])("%j → %s", (name, fqdn) => {
    expect(resendNameToFqdn(name, "Example.COM.")).toBe(fqdn);
  });
});

describe("resendRecordsToDnsSpecs", () => {
  it("converts the current docs example (MX + quoted TXT + 3 CNAMEs)", () => {
    const specs = resendRecordsToDnsSpecs(
      [
        rec("MX", "send", "feedback-smtp.us-east-1.amazonses.com", { priority: 10 }),
        rec("TXT", "send", '"v=spf1 include:amazonses.com ~all"'),
        rec("CNAME", "t1._domainkey", "t1.dkim.amazonses.com."),
        rec("CNAME", "t2._domainkey.example.com", "T2.dkim.amazonses.com"),
        rec("CNAME", "t3._domainkey.example.com.", "t3.dkim.amazonses.com."),
      ],
      "example.com",
    );
    expect(specs.map(({ comment: _c, ...s }) => s)).toEqual([
      {
        type: "MX",
        name: "send.example.com",
        content: "feedback-smtp.us-east-1.amazonses.com",
        priority: 10,
        ttl: DEFAULT_TTL,
      },
      { type: "TXT", name: "send.example.com", content: '"v=spf1 include:amazonses.com ~all"', ttl: DEFAULT_TTL },
      { type: "CNAME", name: "t1._domainkey.example.com", content: "t1.dkim.amazonses.com", ttl: DEFAULT_TTL },
      { type: "CNAME", name: "t2._domainkey.example.com", content: "t2.dkim.amazonses.com", ttl: DEFAULT_TTL },
      { type: "CNAME", name: "t3._domainkey.example.com", content: "t3.dkim.amazonses.com", ttl: DEFAULT_TTL },
    ]);
    for (const s of specs) expect(s.comment).toMatch(/^Resend /);
  });

  it("keeps MX priority and honours a numeric ttl", () => {
    const [mx] = resendRecordsToDnsSpecs(
      [rec("MX", "@", "inbound-smtp.us-east-1.amazonaws.com.", { priority: 20, ttl: "300" })],
      "example.com",
    );
    expect(mx).toMatchObject({
      name: "example.com",
      content: "inbound-smtp.us-east-1.amazonaws.com",
      priority: 20,
      ttl: 300,
    });
  });

  it("chunks a long TXT (2048-bit DKIM) into ≤255-byte quoted strings", () => {
    const key = "p=" + "A".repeat(400);
    const [txt] = resendRecordsToDnsSpecs([rec("TXT", "resend._domainkey", key)], "example.com");
    const parts = txt.content.match(/"([^"]*)"/g)!.map((p) => p.slice(1, -1));
    expect(parts.map((p) => p.length)).toEqual([255, 147]);
    expect(parts.join("")).toBe(key);
    expect(txt.content).toBe(`"${parts[0]}" "${parts[1]}"`);
  });

  it("does not double-quote or re-split a value already in presentation form", () => {
    const v = `"${"a".repeat(255)}" "${"b".repeat(10)}"`;
    expect(txtToPresentation(v)).toBe(v);
    expect(txtToPresentation("plain")).toBe('"plain"');
    expect(txtToPresentation('say "hi"')).toBe('"say \\"hi\\""');
  });

  it("chunks by bytes without splitting a multi-byte character", () => {
    const v = "é".repeat(200); // 400 bytes
    const parts = txtToPresentation(v)
      .match(/"([^"]*)"/g)!
      .map((p) => p.slice(1, -1));
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(255);
    expect(parts.join("")).toBe(v);
  });

  it('converts CAA to flags tag "value", and names Resend when the value is not CAA', () => {
    const specs = resendRecordsToDnsSpecs(
      [rec("CAA", "links", '0 issue "amazon.com"'), rec("CAA", "links", "issuewild amazontrust.com")],
      "example.com",
    );
    expect(specs.map((s) => s.content)).toEqual(['0 issue "amazon.com"', '0 issuewild "amazontrust.com"']);
    expect(() => resendRecordsToDnsSpecs([rec("CAA", "links", "nonsense")], "example.com")).toThrow(
      /Resend returned a CAA record value/,
    );
  });

  it("refuses a record type it cannot publish, naming it", () => {
    expect(() => resendRecordsToDnsSpecs([rec("SRV", "_x._tcp", "0 0 1 x")], "example.com")).toThrow(
      /"SRV" record for _x._tcp/,
    );
  });

  it("gives stable unique keys, numbering same type+name by content", () => {
    const specs = resendRecordsToDnsSpecs(
      [
        rec("MX", "@", "b.example.net", { priority: 10 }),
        rec("MX", "@", "a.example.net", { priority: 20 }),
        rec("TXT", "send", "x"),
      ],
      "example.com",
    );
    expect(recordKeys(specs)).toEqual(["mx-example.com-2", "mx-example.com", "txt-send.example.com"]);
  });
});

describe("planResendDashboardRecords", () => {
  it("plans Resend's return-path MX and SPF and its DKIM TXT by region and label", () => {
    const rs = planResendDashboardRecords({
      domain: "example.com",
      region: "eu-west-1",
      returnPath: "bounce",
      dkim: "p=ABC",
    });
    expect(rs.map((r) => [r.type, r.name, r.content, r.priority])).toEqual([
      ["MX", "bounce.example.com", "feedback-smtp.eu-west-1.amazonses.com", 10],
      ["TXT", "bounce.example.com", '"v=spf1 include:amazonses.com ~all"', undefined],
      ["TXT", "resend._domainkey.example.com", '"p=ABC"', undefined],
    ]);
  });
});
