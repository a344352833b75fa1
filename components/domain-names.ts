import * as pulumi from "@pulumi/pulumi";

/**
 * The name of a resource that exists once per mail domain (its DKIM key, its relay). A stack with one domain
 * keeps the name it always had (`mailstack-dkim`), so a single-domain stack registers exactly what it did before
 * `domains` existed; with several, each domain's is named after it (`mailstack-dkim-family.example`), so adding,
 * removing or reordering domains never renames another domain's resources. Pulumi aliases carry a domain over
 * when the count crosses one: the first domain of a new list takes over the single-domain name (its key is kept,
 * not replaced), and a domain left alone takes its own name back. Children named `${name}-…` follow their
 * parent's alias (Pulumi's inherited child aliases).
 */
export function perDomainName(
  base: string,
  domain: string,
  index: number,
  count: number,
): { name: string; aliases: pulumi.Alias[] } {
  const own = `${base}-${domain}`;
  if (count === 1) return { name: base, aliases: [{ name: own }] };
  return { name: own, aliases: index === 0 ? [{ name: base }] : [] };
}
