import { promises as dns } from "node:dns";
import { isIPv4 } from "node:net";
import { Caa, normalizeName, Srv } from "../../lib/dns-format";
import { withTimeout } from "./timeout";

/**
 * DNS queries through one resolver (the system's or `--resolver host:port`). A name or type that does not
 * exist is an empty answer, not an error: only a failure to get an answer throws.
 */
export interface DnsClient {
  a(name: string): Promise<string[]>;
  aaaa(name: string): Promise<string[]>;
  mx(name: string): Promise<{ exchange: string; priority: number }[]>;
  /** One entry per TXT record, its character-strings joined. */
  txt(name: string): Promise<string[]>;
  cname(name: string): Promise<string[]>;
  caa(name: string): Promise<Caa[]>;
  /** SRV records, the target `.` when the service is not offered. */
  srv(name: string): Promise<(Srv & { priority: number })[]>;
  ptr(ip: string): Promise<string[]>;
  /**
   * One query answered the way Node's `dns.promises.resolve(name, type)` answers it, "no such name" and "no
   * such type" included as ENOTFOUND/ENODATA errors: the resolver mailauth's SPF evaluation takes, which
   * counts those as void lookups.
   */
  resolve(name: string, type: string): Promise<unknown[]>;
  /** What is queried, for messages. */
  readonly description: string;
}

const ABSENT = new Set(["ENOTFOUND", "ENODATA", "NXDOMAIN", "NODATA"]);

export function createDnsClient(resolverAddress: string | undefined, timeoutMs: number): DnsClient {
  // c-ares retries over TCP by itself when a UDP answer is truncated (long DKIM keys).
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  if (resolverAddress) resolver.setServers([resolverAddress]);
  const description = resolverAddress
    ? `resolver ${resolverAddress}`
    : `system resolver (${resolver.getServers().join(", ") || "none"})`;

  async function query<T>(what: string, run: () => Promise<T[]>): Promise<T[]> {
    try {
      return await withTimeout(run(), timeoutMs + 200, `DNS ${what}`);
    } catch (error) {
      if (ABSENT.has((error as NodeJS.ErrnoException).code ?? "")) return [];
      throw error;
    }
  }

  return {
    description,
    a: (name) => query(`A ${name}`, () => resolver.resolve4(normalizeName(name))),
    aaaa: (name) => query(`AAAA ${name}`, () => resolver.resolve6(normalizeName(name))),
    mx: (name) =>
      query(`MX ${name}`, async () =>
        (await resolver.resolveMx(normalizeName(name))).map((mx) => ({
          exchange: normalizeName(mx.exchange),
          priority: mx.priority,
        })),
      ),
    txt: (name) =>
      query(`TXT ${name}`, async () =>
        (await resolver.resolveTxt(normalizeName(name))).map((strings) => strings.join("")),
      ),
    cname: (name) =>
      query(`CNAME ${name}`, async () => (await resolver.resolveCname(normalizeName(name))).map(normalizeName)),
    caa: (name) =>
      query(`CAA ${name}`, async () =>
        // Node gives `{critical, <tag>: value}`: the one key besides `critical` is the tag.
        (await resolver.resolveCaa(normalizeName(name))).map(({ critical, ...rest }) => {
          const [tag, value] = Object.entries(rest)[0] ?? ["", ""];
          return { flags: critical, tag, value: String(value) };
        }),
      ),
    srv: (name) =>
      query(`SRV ${name}`, async () =>
        // c-ares hands the root target (".") back as an empty name.
        (await resolver.resolveSrv(normalizeName(name))).map(({ priority, weight, port, name: target }) => ({
          priority,
          weight,
          port,
          target: target === "" || target === "." ? "." : normalizeName(target),
        })),
      ),
    resolve: (name, type) =>
      withTimeout(resolver.resolve(name, type) as Promise<unknown[]>, timeoutMs + 200, `DNS ${type} ${name}`),
    // resolvePtr, not reverse(): c-ares' reverse() answers ENOTFOUND ("no PTR") when the resolver is not
    // even reached, where resolvePtr reports ECONNREFUSED or ETIMEOUT.
    ptr: (ip) => query(`PTR ${ip}`, async () => (await resolver.resolvePtr(reverseName(ip))).map(normalizeName)),
  };
}

/** The in-addr.arpa / ip6.arpa name of an address. */
export function reverseName(ip: string): string {
  if (isIPv4(ip)) return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
  const [head, tail = ""] = ip.toLowerCase().split("::");
  const groups = (part: string) => (part ? part.split(":") : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const full = [...groups(head), ...Array(ip.includes("::") ? missing : 0).fill("0"), ...groups(tail)];
  const nibbles = full.map((g) => g.padStart(4, "0")).join("");
  return `${[...nibbles].reverse().join(".")}.ip6.arpa`;
}
