import { getDomain, getDomainWithoutSuffix } from "tldts";
import { domainToASCII, domainToUnicode } from "node:url";

/** The null sender `<>`: bounces and other delivery reports. */
export const NULL_SENDER = "";
/** A delivery whose `from=` line lies before the start of the log. */
export const UNKNOWN_SENDER = "?";

/**
 * The domain a sender is counted under: the envelope sender's domain in ASCII (punycode, as DNS and the PSL
 * use it), lower case. A forwarder's SRS address names the original sender's domain, which is the one that
 * says who had the address: `SRS0=HHH=TT=shop.example=alice@forwarder.example` → `shop.example`, and
 * `SRS1=HHH=forwarder.example==HHH=TT=shop.example=alice@other.example` → `shop.example`.
 */
export function senderDomainOf(from: string): string {
  if (from === "") return NULL_SENDER;
  const at = from.lastIndexOf("@");
  if (at < 0) return UNKNOWN_SENDER;
  const local = from.slice(0, at);
  let domain = from.slice(at + 1);
  const srs = /^srs[01][=+-]/i.test(local) ? local.split("=") : undefined;
  // SRS0: [tag, hash, tt, domain, local…]; SRS1: [tag, hash, fwd, "", hash, tt, domain, local…].
  if (srs && srs.length >= 5) domain = srs[0].toUpperCase().startsWith("SRS1") ? (srs[6] ?? domain) : srs[3];
  domain = domain.toLowerCase().replace(/\.$/, "");
  return domainToASCII(domain) || domain;
}

/**
 * The registrable domain (eTLD+1) of a sender domain by the Public Suffix List, private section included so
 * that two tenants of a shared host (`a.herokuapp.com`, `b.herokuapp.com`) stay apart. A name the list cannot
 * place (an IP literal, a single label) is kept whole.
 */
export function registrableDomain(domain: string): string {
  return getDomain(domain, { allowPrivateDomains: true }) ?? domain;
}

/** For display: `xn--bcher-kva.de` → `bücher.de`. */
export function displayDomain(domain: string): string {
  if (domain === NULL_SENDER) return "<> (bounces)";
  if (domain === UNKNOWN_SENDER) return "(sender not in the log)";
  return domainToUnicode(domain) || domain;
}

/**
 * Envelope-sender (return-path) domains of bulk-mail services: a site that sends through them shows up as
 * their domain, not its own, so mail from them is no evidence either way. A leak through one of them is not
 * flagged; add more with `relatedSenders` "*".
 */
export const SHARED_SENDERS = [
  "amazonses.com", // Amazon SES without a custom MAIL FROM domain
  "sendgrid.net", // Twilio SendGrid
  "mcsv.net", // Mailchimp
  "mcdlv.net", // Mailchimp
  "rsgsv.net", // Mailchimp
  "mandrillapp.com", // Mailchimp Transactional (Mandrill)
  "sparkpostmail.com", // SparkPost
  "mtasv.net", // Postmark
  "mailjet.com", // Mailjet (bnc3.mailjet.com)
  "exacttarget.com", // Salesforce Marketing Cloud
  "hubspotemail.net", // HubSpot
  "cmail19.com", // Campaign Monitor
  "cmail20.com", // Campaign Monitor
];

/** How a sender relates to the site a per-site address was given to. */
export type Relation =
  /** One of our own domains (or a subdomain): mail from ourselves. */
  | "own"
  /** Its name matches the site name. */
  | "site"
  /** Listed in `relatedSenders` for this address, its site name or "*". */
  | "related"
  /** No evidence either way: a bulk-mail service, the null sender, an unknown sender. */
  | "shared"
  | "unrelated";

/** `bilibili` → [bilibili]; `amazon-de` → [amazon, de]; `shop2019` → [shop]; `news.ycombinator.com` → [news, ycombinator, com]. */
export function nameTokens(name: string): string[] {
  const tokens = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((t) => t.replace(/(?<=[a-z])\d+$/, ""))
    .filter(Boolean);
  return [...new Set(tokens)];
}

/**
 * Whether a registrable domain's name matches a site name: a token equal to one of the domain label's
 * (split at `-`), or, for tokens of four letters and more, one containing the other (`steam` ↔
 * `steampowered`, `ebay` ↔ `ebay-kleinanzeigen`). A site name that is a domain itself (`bilibili.com@`) matches
 * its registrable domain. Generous on purpose: a leak missed costs less than the site's own mail flagged.
 */
export function matchesSiteName(siteName: string, registrable: string): boolean {
  const unicode = domainToUnicode(registrable) || registrable;
  if (siteName.includes(".") && registrableDomain(domainToASCII(siteName) || siteName) === registrable) return true;
  const label = getDomainWithoutSuffix(registrable, { allowPrivateDomains: true }) ?? registrable.split(".")[0];
  const labelUnicode = domainToUnicode(label) || label;
  const labels = new Set([label, labelUnicode, ...label.split("-"), label.replace(/-/g, "")].filter(Boolean));
  for (const t of nameTokens(siteName)) {
    for (const u of labels) {
      if (t === u) return true;
      if (t.length >= 4 && u.length >= 4 && (u.includes(t) || t.includes(u))) return true;
    }
  }
  return unicode === siteName;
}

/** A sender domain matches a listed domain when it is that domain or below it. */
export const withinDomain = (domain: string, listed: string) => domain === listed || domain.endsWith(`.${listed}`);

/** The relation of a sender domain to a site name (`relatedSenders` is applied by the caller). */
export function relationOf(senderDomain: string, siteName: string, ownDomains: string[]): Relation {
  if (senderDomain === NULL_SENDER || senderDomain === UNKNOWN_SENDER) return "shared";
  if (ownDomains.some((own) => withinDomain(senderDomain, own))) return "own";
  const registrable = registrableDomain(senderDomain);
  if (matchesSiteName(siteName, registrable)) return "site";
  if (SHARED_SENDERS.some((shared) => withinDomain(registrable, shared))) return "shared";
  return "unrelated";
}
