/** The DNSBL / PTR query name of an address: `1.2.3.4` → `4.3.2.1`, IPv6 → reversed nibbles. */
export function reversedIp(ip: string): string {
  if (ip.includes(":")) return expandIpv6(ip).replace(/:/g, "").split("").reverse().join(".");
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    throw new Error(`not an IPv4 address: ${ip}`);
  return parts.reverse().join(".");
}

/** `2001:db8::1` → `2001:0db8:0000:…:0001`. */
export function expandIpv6(ip: string): string {
  const [head, tail] = ip.toLowerCase().split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const missing = ip.includes("::") ? 8 - headParts.length - tailParts.length : 0;
  const parts = [...headParts, ...Array<string>(missing).fill("0"), ...tailParts];
  if (parts.length !== 8 || parts.some((p) => !/^[0-9a-f]{1,4}$/.test(p)))
    throw new Error(`not an IPv6 address: ${ip}`);
  return parts.map((p) => p.padStart(4, "0")).join(":");
}

/** Same address in any spelling (IPv6 zero compression, case). */
export function sameIp(a: string, b: string): boolean {
  if (a.includes(":") && b.includes(":")) return expandIpv6(a) === expandIpv6(b);
  return a === b;
}
