import { domainToASCII } from "node:url";
import { Scope, show } from "./config-reader";
import { isAddress, isDomainName } from "./mail-syntax";

/**
 * `relatedSenders`: sender domains that belong to the site a per-site address was given to, although their
 * names do not say so (a shop mailing from its payment processor, a game from its publisher). `mailstack
 * addresses` never counts mail from them as a leak. Keys: a per-site name (`bilibili`, matching `bilibili@`
 * and `hi+bilibili@` at every domain), a full address (that address only), or `*` (every per-site address).
 * Values: domain names; a sender matches its domain and every subdomain of it.
 *
 *   mailstack:relatedSenders:
 *     steam: [valvesoftware.com]
 *     "*": [mailchimpapp.net]
 */
export type RelatedSenders = Record<string, string[]>;

const SITE_NAME = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/;

export const RELATED_SENDERS_KEYS = ["relatedSenders"];

export function readRelatedSenders(scope: Scope, hosted: string | string[]): RelatedSenders {
  const hostedDomains = typeof hosted === "string" ? [hosted] : hosted;
  const validDomain = hostedDomains.join(" or ");
  const related: RelatedSenders = {};
  const s = scope.object("relatedSenders");
  for (const rawKey of s?.names() ?? []) {
    const value = s!.value(rawKey);
    const configKey = s!.key(rawKey);
    const r = scope.r;
    const key = rawKey.trim().toLowerCase();
    if (key !== "*" && (key.includes("@") ? !isAddress(key, "tagged") : !SITE_NAME.test(key))) {
      r.fail(
        configKey,
        `is not a per-site name, an address or "*"; expected e.g. relatedSenders.bilibili or relatedSenders["bilibili@${hostedDomains[0]}"]`,
      );
      continue;
    }
    if (key.includes("@") && !hostedDomains.some((d) => key.endsWith(`@${d}`))) {
      r.fail(configKey, `is an address outside ${validDomain}; per-site addresses are at a mail domain`);
      continue;
    }
    const list = Array.isArray(value) ? value : [value];
    const domains: string[] = [];
    let valid = list.length > 0;
    for (const item of list) {
      // Accept internationalised names as written (bücher.de) and compare them as the log shows them (punycode).
      const domain = typeof item === "string" ? domainToASCII(item.trim().toLowerCase().replace(/\.$/, "")) : "";
      if (!domain || !isDomainName(domain)) {
        valid = false;
        r.fail(configKey, `has ${show(item)}, not a domain name; expected sender domains such as ["example.com"]`);
      } else if (!domains.includes(domain)) domains.push(domain);
    }
    if (list.length === 0) r.fail(configKey, "is empty; list the sender domains, e.g. [example.com]");
    if (valid) related[key] = domains;
  }
  return related;
}
