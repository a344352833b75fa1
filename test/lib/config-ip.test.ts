import { describe, expect, it } from "vitest";
import { checkPublicIp } from "../../lib/config-ip";

describe("checkPublicIp", () => {
  it("refuses every special range in every spelling ipaddr.js reads", () => {
    const refused: [string, "v4" | "v6", RegExp][] = [
      ["127.0.0.1", "v4", /loopback/],
      ["127.1", "v4", /which is 127\.0\.0\.1, a loopback/],
      ["0177.0.0.1", "v4", /which is 127\.0\.0\.1, a loopback/],
      ["0x7f000001", "v4", /which is 127\.0\.0\.1, a loopback/],
      ["::ffff:10.0.0.1", "v4", /which is 10\.0\.0\.1, a private/],
      ["11.22.33.044", "v4", /not written as four decimal numbers: it reads as 11\.22\.33\.36/],
      ["10.1.2.3", "v4", /private/],
      ["172.16.0.1", "v4", /private/],
      ["192.168.0.1", "v4", /private/],
      ["100.127.255.254", "v4", /carrier-grade NAT/],
      ["169.254.0.1", "v4", /link-local/],
      ["198.19.255.1", "v4", /benchmarking/],
      ["0.0.0.0", "v4", /unspecified/],
      ["224.0.0.1", "v4", /multicast/],
      ["255.255.255.255", "v4", /broadcast/],
      ["240.0.0.1", "v4", /reserved/],
      ["::1", "v6", /loopback/],
      ["0:0:0:0:0:0:0:1", "v6", /which is ::1, a loopback/],
      ["::", "v6", /unspecified/],
      ["::ffff:10.0.0.1", "v6", /IPv4 address written as IPv6/],
      ["::ffff:7f00:1", "v6", /IPv4 address written as IPv6/],
      ["::127.0.0.1", "v6", /IPv4 address written as IPv6/],
      ["::0a00:1", "v6", /IPv4 address written as IPv6/],
      ["64:ff9b::7f00:1", "v6", /NAT64/],
      ["fe80::1", "v6", /link-local/],
      ["fe80::1%eth0", "v6", /zone-scoped/],
      ["fc00::1", "v6", /unique-local/],
      ["FD00::1", "v6", /unique-local/],
      ["fec0::1", "v6", /site-local/],
      ["ff02::1", "v6", /multicast/],
      ["2001:2::1", "v6", /benchmarking/],
      ["2002:c000:0204::1", "v6", /6to4/],
      ["2001:0:4136:e378::1", "v6", /Teredo/],
      ["11.22.33.44", "v6", /an IPv4 address; put it in serverIp/],
      ["2a01:4f8::1", "v4", /an IPv6 address; put it in serverIpv6/],
      ["1.2.3.4 ", "v4", /not an IPv4 address/],
      ["example.com", "v4", /not an IPv4 address/],
    ];
    for (const [ip, family, problem] of refused) {
      const r = checkPublicIp(ip, family);
      expect(r.ok, ip).toBe(false);
      if (!r.ok) expect(r.problem, ip).toMatch(problem);
    }
  });

  it("accepts public addresses in canonical spelling, and documentation ranges with a warning", () => {
    expect(checkPublicIp("11.22.33.44", "v4")).toEqual({ ok: true, address: "11.22.33.44" });
    expect(checkPublicIp("2A01:04F8:0:0::1", "v6")).toEqual({ ok: true, address: "2a01:4f8::1" });
    for (const [ip, family] of [
      ["192.0.2.1", "v4"],
      ["198.51.100.7", "v4"],
      ["203.0.113.25", "v4"],
      ["2001:db8::25", "v6"],
      ["3fff::1", "v6"],
    ] as const) {
      const r = checkPublicIp(ip, family);
      expect(r.ok && r.warning, ip).toMatch(/documentation address/);
    }
  });
});
