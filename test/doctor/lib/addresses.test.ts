import { describe, expect, it } from "vitest";
import { expandIpv6, reversedIp, sameIp } from "../../../doctor/lib/addresses";

describe("addresses", () => {
  it("reverses IPv4 and IPv6 for PTR/DNSBL names", () => {
    expect(reversedIp("192.0.2.10")).toBe("10.2.0.192");
    expect(reversedIp("2001:db8::1")).toBe("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2");
    expect(expandIpv6("::1")).toBe("0000:0000:0000:0000:0000:0000:0000:0001");
    expect(sameIp("2001:DB8::1", "2001:db8:0:0:0:0:0:1")).toBe(true);
    expect(() => reversedIp("300.1.1.1")).toThrow();
  });
});
