import { describe, expect, it } from "vitest";
import { dnsSpecToCloudflareArgs } from "../../lib/dns-cloudflare";

describe("dnsSpecToCloudflareArgs", () => {
  it("maps MX/TXT/CNAME with content, proxy off", () => {
    expect(
      dnsSpecToCloudflareArgs({
        type: "MX",
        name: "send.example.com",
        content: "feedback-smtp.x",
        priority: 10,
        ttl: 3600,
        comment: "c",
      }),
    ).toEqual({
      name: "send.example.com",
      type: "MX",
      content: "feedback-smtp.x",
      priority: 10,
      ttl: 3600,
      proxied: false,
      comment: "mailstack: c",
    });
    const txt = dnsSpecToCloudflareArgs({ type: "TXT", name: "a.example.com", content: '"v"', ttl: 300, comment: "c" });
    expect(txt).toEqual({
      name: "a.example.com",
      type: "TXT",
      content: '"v"',
      ttl: 300,
      proxied: false,
      comment: "mailstack: c",
    });
  });

  it("maps CAA to data {flags, tag, value} and no content", () => {
    expect(
      dnsSpecToCloudflareArgs({
        type: "CAA",
        name: "example.com",
        content: '128 issue "letsencrypt.org"',
        ttl: 3600,
        comment: "c",
      }),
    ).toEqual({
      name: "example.com",
      type: "CAA",
      ttl: 3600,
      proxied: false,
      comment: "mailstack: c",
      data: { flags: 128, tag: "issue", value: "letsencrypt.org" },
    });
    expect(() =>
      dnsSpecToCloudflareArgs({ type: "CAA", name: "example.com", content: "nonsense", ttl: 3600, comment: "c" }),
    ).toThrow(/CAA content/);
  });

  it("maps SRV to data {priority, weight, port, target}, the priority at the top level too, no content", () => {
    for (const [content, target] of [
      ["1 993 mail.example.com", "mail.example.com"],
      ["0 0 .", "."],
    ])
      expect(
        dnsSpecToCloudflareArgs({
          type: "SRV",
          name: "_imaps._tcp.example.com",
          content,
          priority: 10,
          ttl: 3600,
          comment: "c",
        }),
      ).toEqual({
        name: "_imaps._tcp.example.com",
        type: "SRV",
        ttl: 3600,
        proxied: false,
        comment: "mailstack: c",
        priority: 10,
        data: { priority: 10, weight: Number(content.split(" ")[0]), port: Number(content.split(" ")[1]), target },
      });
  });

  it("truncates comments to Cloudflare's 100 characters", () => {
    const args = dnsSpecToCloudflareArgs({
      type: "A",
      name: "x.example.com",
      content: "192.0.2.1",
      ttl: 3600,
      comment: "y".repeat(150),
    });
    expect(args.comment.length).toBe(100);
    expect(args.comment).toMatch(/^mailstack: y+…$/); // the marker survives: it is how a later run knows the record
  });
});
