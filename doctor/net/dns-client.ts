import { promises as dns } from "node:dns";
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
  /** One entry per TXT record, its character-strings kept apart (to spot a split key). */
  txtStrings(name: string): Promise<string[][]>;
  cname(name: string): Promise<string[]>;
  /** CAA records in presentation form `0 issue "letsencrypt.org"`. */
  caa(name: string): Promise<string[]>;
  ptr(ip: string): Promise<string[]>;
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

  const clean = (name: string) => name.replace(/\.$/, "");
  return {
    description,
    a: (name) => query(`A ${name}`, () => resolver.resolve4(clean(name))),
    aaaa: (name) => query(`AAAA ${name}`, () => resolver.resolve6(clean(name))),
    mx: (name) =>
      query(`MX ${name}`, async () =>
        (await resolver.resolveMx(clean(name))).map((mx) => ({
          exchange: clean(mx.exchange).toLowerCase(),
          priority: mx.priority,
        })),
      ),
    txt: (name) =>
      query(`TXT ${name}`, async () => (await resolver.resolveTxt(clean(name))).map((strings) => strings.join(""))),
    txtStrings: (name) => query(`TXT ${name}`, () => resolver.resolveTxt(clean(name))),
    cname: (name) =>
      query(`CNAME ${name}`, async () =>
        (await resolver.resolveCname(clean(name))).map((target) => clean(target).toLowerCase()),
      ),
    caa: (name) =>
      query(`CAA ${name}`, async () =>
        (await resolver.resolveCaa(clean(name))).map((record) => {
          const { critical, ...rest } = record;
          const [tag, value] = Object.entries(rest).find(([key]) => key !== "critical") ?? ["", ""];
          return `${critical} ${tag} "${value}"`;
        }),
      ),
    ptr: (ip) => query(`PTR ${ip}`, async () => (await resolver.reverse(ip)).map((name) => clean(name).toLowerCase())),
  };
}
