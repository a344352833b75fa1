import { describe, expect, it } from "vitest";
import { DnsRecordSpec, dnsRecordSchema } from "../../lib/dns-record";

const problem = (record: Partial<DnsRecordSpec>) =>
  dnsRecordSchema
    .safeParse({ type: "TXT", name: "example.com", content: '"x"', ttl: 3600, comment: "", ...record })
    .error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);

describe("dnsRecordSchema", () => {
  it("accepts each type in its planned form", () => {
    expect(problem({ type: "A", content: "192.0.2.1" })).toBeUndefined();
    expect(problem({ type: "AAAA", content: "2001:db8::1" })).toBeUndefined();
    expect(problem({ type: "MX", content: "mail.example.com", priority: 10 })).toBeUndefined();
    expect(problem({ type: "TXT", name: "_dmarc.example.com", content: '"v=DMARC1; p=none;"' })).toBeUndefined();
    expect(
      problem({ type: "CNAME", name: "t._domainkey.example.com", content: "t.dkim.amazonses.com" }),
    ).toBeUndefined();
    expect(problem({ type: "CAA", content: '0 issue "letsencrypt.org"' })).toBeUndefined();
    expect(
      problem({ type: "SRV", name: "_imaps._tcp.example.com", content: "1 993 mail.example.com", priority: 0 }),
    ).toBeUndefined();
    expect(problem({ type: "SRV", name: "_pop3._tcp.example.com", content: "0 0 .", priority: 0 })).toBeUndefined();
  });

  it("refuses content that is not of the record's type, naming the content", () => {
    expect(problem({ type: "A", content: "2001:db8::1" })).toEqual(["content: is not an IPv4 address"]);
    expect(problem({ type: "AAAA", content: "192.0.2.1" })).toEqual(["content: is not an IPv6 address"]);
    expect(problem({ type: "MX", content: "mail.example.com." })).toEqual([
      "content: is not a host name in lower case without the trailing dot",
    ]);
    expect(problem({ content: "v=spf1 -all" })).toEqual(['content: is not quoted character-strings ("…" "…")']);
    expect(problem({ content: `"${"a".repeat(256)}"` })).toEqual([
      "content: has a character-string longer than 255 bytes",
    ]);
    expect(problem({ content: '"open' })).toEqual([expect.stringMatching(/^content: unterminated quoted string/)]);
    expect(problem({ type: "CAA", content: "nonsense" })).toEqual([expect.stringMatching(/^content: CAA content/)]);
    expect(problem({ type: "SRV", content: "993 mail.example.com", priority: 0 })).toEqual([
      expect.stringMatching(/^content: SRV content/),
    ]);
    expect(problem({ type: "SRV", content: "1 993 mail.example.com" })).toEqual([
      "priority: is required for an SRV record",
    ]);
  });

  it("refuses names, types, priorities and TTLs that cannot be published", () => {
    expect(problem({ name: "Example.com." })).toEqual([
      "name: is not a DNS name in lower case without the trailing dot",
    ]);
    expect(problem({ type: "NS" as never })).toHaveLength(1);
    expect(problem({ type: "MX", content: "mail.example.com", priority: -1 })).toHaveLength(1);
    expect(problem({ ttl: 0 })).toHaveLength(1);
  });
});
