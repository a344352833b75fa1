import { describe, expect, it } from "vitest";
import type { CloudflareRecord } from "../../../lib/cloudflare/api";
import { customDomainConflicts } from "../../../lib/well-known/custom-domains";

let seq = 0;
const rec = (r: Partial<CloudflareRecord> & Pick<CloudflareRecord, "name" | "type" | "content">): CloudflareRecord => ({
  id: String(++seq).padStart(32, "0"),
  ttl: 1,
  ...r,
});
const HOSTS = ["mta-sts.example.com", "autoconfig.example.com", "example.com"];

describe("customDomainConflicts", () => {
  it("names the A, AAAA and CNAME records at a host the Worker takes, each to be deleted", () => {
    const cname = rec({ name: "autoconfig.example.com", type: "CNAME", content: "autoconfig.mailhost.example" });
    const apex = rec({ name: "example.com", type: "A", content: "192.0.2.80", proxied: true });
    const conflicts = customDomainConflicts(HOSTS, [cname, apex], "example.com");
    expect(conflicts.map((c) => [c.existing.id, c.resolve])).toEqual([
      [cname.id, "delete"],
      [apex.id, "delete"],
    ]);
    expect(conflicts[0].why).toContain("attaches it only to a name without A, AAAA or CNAME records");
    expect(conflicts[1].why).toContain("set clientSetup.apex: false instead");
  });

  it("leaves alone a custom domain's own record, other types and other names", () => {
    const records = [
      rec({ name: "mta-sts.example.com", type: "AAAA", content: "100::", proxied: true }),
      rec({ name: "example.com", type: "MX", content: "mail.example.com", priority: 10 }),
      rec({ name: "example.com", type: "TXT", content: '"v=spf1 mx -all"' }),
      rec({ name: "www.example.com", type: "A", content: "192.0.2.80" }),
    ];
    expect(customDomainConflicts(HOSTS, records, "example.com")).toEqual([]);
    // An unproxied AAAA 100:: is someone's hand-made record, not a custom domain's.
    const byHand = rec({ name: "mta-sts.example.com", type: "AAAA", content: "100::", proxied: false });
    expect(customDomainConflicts(HOSTS, [byHand], "example.com")).toHaveLength(1);
  });
});
