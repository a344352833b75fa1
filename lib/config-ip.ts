/**
 * The server's public addresses, parsed by ipaddr.js so that every special range is recognised in every spelling
 * (`127.1`, `0x7f.0.0.1`, `2130706433`, `::ffff:127.0.0.1`, `0:0:0:0:0:0:0:1`, `fe80::1%eth0`, upper case, …).
 * A record must carry the one canonical spelling: Cloudflare stores it canonically, and any other spelling would
 * show a difference on every run.
 */
import * as ipaddr from "ipaddr.js";

export type IpCheck = { ok: true; address: string; warning?: string } | { ok: false; problem: string };

/** Documentation ranges (RFC 5737, RFC 3849, RFC 9637): fine in examples and tests, never a real server. */
const DOCUMENTATION = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20"].map((c) =>
  ipaddr.parseCIDR(c),
);
const isDocumentation = (a: ipaddr.IPv4 | ipaddr.IPv6) =>
  DOCUMENTATION.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));

/** What ipaddr.js calls a range, in words. */
const RANGE_NAMES: Record<string, string> = {
  unspecified: "the unspecified address",
  broadcast: "the broadcast address",
  multicast: "a multicast address",
  linkLocal: "a link-local address",
  loopback: "a loopback address",
  carrierGradeNat: "a carrier-grade NAT address (RFC 6598), not reachable from the Internet",
  private: "a private (RFC 1918) address",
  uniqueLocal: "a unique-local (private) IPv6 address",
  deprecatedSiteLocal: "a site-local (private) IPv6 address",
  reserved: "a reserved address",
  benchmarking: "a benchmarking address (RFC 2544/5180)",
  amt: "an AMT relay address",
  as112: "an AS112 address",
  as112v6: "an AS112 address",
  discard: "a discard-only address",
  teredo: "a Teredo tunnel address, not a stable server address",
  "6to4": "a 6to4 tunnel address, not a stable server address",
  rfc6052: "an IPv4 address embedded for NAT64; use the IPv4 address in serverIp",
  rfc6145: "an IPv4-translated address; use the IPv4 address in serverIp",
  ipv4Mapped: "an IPv4 address written as IPv6 (IPv4-mapped or -compatible); put the IPv4 address in serverIp",
  deprecatedOrchid: "an ORCHID identifier, not routable",
  orchid2: "an ORCHID identifier, not routable",
  droneRemoteIdProtocolEntityTags: "a drone remote-ID tag, not routable",
  segmentRouting: "a segment-routing SID, not routable",
};

/** Benchmarking 198.18.0.0/15 sits in ipaddr.js's IPv4 "reserved" list; name it. */
const BENCHMARKING_V4 = ipaddr.parseCIDR("198.18.0.0/15");

function rangeOf(a: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (a.kind() === "ipv4" && a.match(BENCHMARKING_V4)) return "benchmarking";
  if (a.kind() === "ipv6") {
    const parts = (a as ipaddr.IPv6).parts;
    // ::a.b.c.d, "IPv4-compatible" (RFC 4291 §2.5.5.1, deprecated): ipaddr.js files it as unicast or mapped.
    if (parts.slice(0, 6).every((p) => p === 0) && !(parts[6] === 0 && parts[7] <= 1)) return "ipv4Mapped";
  }
  return a.range();
}

/**
 * A public address for an A (`v4`) or AAAA (`v6`) record, canonically spelled, or why it cannot be one (a phrase
 * to follow `is "<given>", `).
 */
export function checkPublicIp(text: string, family: "v4" | "v6"): IpCheck {
  const other = family === "v4" ? "v6" : "v4";
  if (family === "v6" && /%/.test(text))
    return {
      ok: false,
      problem: "a zone-scoped address (%…), which only means something on one host; give the global address",
    };
  let a: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    a = ipaddr.parse(text);
  } catch {
    return { ok: false, problem: `not an IP${family} address` };
  }
  // `::ffff:a.b.c.d` where an IPv4 address belongs is that IPv4 address, in a spelling the record cannot carry.
  if (family === "v4" && a.kind() === "ipv6" && (a as ipaddr.IPv6).isIPv4MappedAddress())
    a = (a as ipaddr.IPv6).toIPv4Address();
  if (a.kind() !== `ip${family}`)
    return {
      ok: false,
      problem: `an IP${other} address; ${family === "v4" ? "put it in serverIpv6" : "put it in serverIp"}`,
    };
  const canonical = family === "v6" ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
  const range = isDocumentation(a) ? "documentation" : rangeOf(a);
  if (range !== "unicast" && range !== "documentation")
    return {
      ok: false,
      problem: `${canonical === text ? "" : `which is ${canonical}, `}${RANGE_NAMES[range] ?? `a special-purpose address (${range})`}; the record must carry the server's public IP${family}`,
    };
  if (family === "v4" && !ipaddr.IPv4.isValidFourPartDecimal(text))
    return {
      ok: false,
      problem: `not written as four decimal numbers: it reads as ${canonical} — write that, if it is what you meant`,
    };
  if (range === "documentation")
    return {
      ok: true,
      address: canonical,
      warning: `a documentation address (RFC ${family === "v4" ? "5737" : "3849/9637"}) that no one can reach; fine for trying things out, not for a real server`,
    };
  return { ok: true, address: canonical };
}
