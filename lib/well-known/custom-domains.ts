import type { CloudflareRecord } from "../cloudflare/api";
import type { DnsConflict } from "../dns-adoption";
import { normalizeName } from "../dns-format";

/**
 * Records that keep Cloudflare from attaching the Worker's custom domain to a host name: it makes the host's
 * record itself and refuses a name that already has an A, AAAA or CNAME record ("Hostname … already has
 * externally managed DNS records (A, CNAME, etc). Delete them first", error 100117; the Terraform resource has
 * no override). A custom domain's own record — a proxied AAAA `100::`, as the API lists it (DNSControl #2509,
 * cloudflare-docs #29353) — is the Worker's, ours on every later run, and no conflict. Other types (TXT, MX)
 * may share the name.
 */
export function customDomainConflicts(
  hostnames: readonly string[],
  existing: readonly CloudflareRecord[],
  apex: string,
): DnsConflict[] {
  const hosts = new Set(hostnames.map(normalizeName));
  return existing
    .filter((r) => hosts.has(normalizeName(r.name)) && ["A", "AAAA", "CNAME"].includes(r.type.toUpperCase()))
    .filter((r) => !(r.proxied && r.content.trim() === "100::"))
    .map((r) => ({
      existing: r,
      planned: { type: "AAAA", name: normalizeName(r.name), content: "100::" },
      resolve: "delete",
      why:
        normalizeName(r.name) === normalizeName(apex)
          ? "the client-setup Worker would take over the apex (clientSetup.apex), and Cloudflare attaches it only to a name without A, AAAA or CNAME records; if a website runs there, set clientSetup.apex: false instead"
          : "the client-setup Worker serves this name, and Cloudflare attaches it only to a name without A, AAAA or CNAME records (it makes its own)",
    }));
}
