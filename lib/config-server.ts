/**
 * The server's names and addresses, and where its DNS records go: `dns`, `cloudflareZoneId`, `domain`,
 * `hostname`, `serverIp`, `serverIpv6`.
 */
import { RawConfig, Scope, show } from "./config-reader";
import { checkPublicIp } from "./config-ip";
import { domainProblem, isDomainName } from "./mail-syntax";
import { normalizeName } from "./dns-format";

export const SERVER_KEYS = [
  "dns",
  "cloudflareZoneId",
  "adoptDnsRecords",
  "domain",
  "hostname",
  "serverIp",
  "serverIpv6",
];

export interface DnsSettings {
  provider: "cloudflare" | "none";
  zoneId?: string;
  /** IDs of records already in the zone that mailstack may take over (Pulumi import; lib/dns-adoption.ts). */
  adopt: string[];
}

export function readDns(scope: Scope, raw: RawConfig): DnsSettings {
  const provider = (scope.string("dns") ?? "cloudflare").toLowerCase();
  if (provider !== "cloudflare" && provider !== "none")
    scope.fail("dns", `is ${show(provider)}; expected "cloudflare" or "none" (records only exported)`);
  const zoneId = scope.string("cloudflareZoneId");
  if (zoneId && !/^[0-9a-f]{32}$/.test(zoneId))
    scope.fail(
      "cloudflareZoneId",
      `is ${show(zoneId)}; expected the 32-character hex zone ID from the Cloudflare dashboard`,
    );
  if (provider === "cloudflare" && !raw.cloudflareToken)
    scope.r.fail(
      "cloudflare:apiToken",
      "is not set; create a token with Zone → DNS → Edit and Zone → Zone → Read (and User → API Tokens → Edit for tls.mode acme, the default) and run: pulumi config set --secret cloudflare:apiToken <token> (or set dns: none)",
    );
  const given = scope.value("adoptDnsRecords") ?? [];
  const adopt = Array.isArray(given) ? given.map(String) : [];
  if (!Array.isArray(given) || adopt.some((id) => !/^[0-9a-f]{32}$/.test(id)))
    scope.fail(
      "adoptDnsRecords",
      `is ${show(given)}; expected a list of 32-character hex Cloudflare record IDs, as the conflict message prints them`,
    );
  return { provider: provider === "none" ? "none" : "cloudflare", zoneId, adopt };
}

/**
 * A domain or host name in normal form (lib/dns-format.ts). Only ASCII is normalised: lower-casing would turn a
 * look-alike into ASCII (the Kelvin sign into "k"), so such a name stays as given and is refused with its
 * punycode form.
 */
// eslint-disable-next-line no-control-regex
const normalName = (s: string) => (/[^\x00-\x7f]/.test(s) ? s : normalizeName(s));

/** `domain`; "invalid.invalid" stands in for a bad one so that the other sections can still be checked. */
export function readDomain(scope: Scope): string {
  const given = scope.string("domain");
  if (!given)
    return scope.fail("domain", "is required: the mail domain, e.g. pulumi config set domain example.com") ?? INVALID;
  const domain = normalName(given);
  if (isDomainName(domain)) return domain;
  scope.fail(
    "domain",
    `is ${show(given)}, ${domainProblem(domain) ?? "not a domain name; expected something like example.com"}`,
  );
  return INVALID;
}
const INVALID = "invalid.invalid";

export interface ServerNames {
  hostname: string;
  serverIp?: string;
  serverIpv6?: string;
}

export function readServerNames(scope: Scope, domain: string, dns: DnsSettings): ServerNames {
  const managed = dns.provider === "cloudflare";
  const given = scope.string("hostname");
  const hostname = given ? normalName(given) : `mail.${domain}`;
  if (!isDomainName(hostname))
    scope.fail(
      "hostname",
      `is ${show(given)}, ${domainProblem(hostname) ?? `not a fully qualified host name; expected e.g. mail.${domain}`}`,
    );
  else if (managed && domain !== INVALID && hostname !== domain && !hostname.endsWith(`.${domain}`))
    scope.fail(
      "hostname",
      `is ${show(hostname)}, outside the zone ${domain} managed on Cloudflare; use a name under ${domain} (e.g. mail.${domain}) or set dns: none and publish its A record yourself`,
    );

  const serverIp = readIp(scope, "serverIp", "v4");
  if (!serverIp && !scope.has("serverIp") && managed)
    scope.fail(
      "serverIp",
      "is required when DNS is managed (dns: cloudflare): the server's public IPv4 for the A record",
    );
  return { hostname, serverIp, serverIpv6: readIp(scope, "serverIpv6", "v6") };
}

function readIp(scope: Scope, name: string, family: "v4" | "v6"): string | undefined {
  const given = scope.string(name);
  if (!given) return undefined;
  const checked = checkPublicIp(given, family);
  if (!checked.ok) return scope.fail(name, `is ${show(given)}, ${checked.problem}`);
  if (checked.warning) scope.warn(name, `is ${show(given)}, ${checked.warning}`);
  return checked.address;
}
