/**
 * `spam`: how inbound mail is filtered. One object, every key optional:
 *
 *   mailstack:spam:
 *     filter: rspamd        # or none
 *     dnsbl: true           # refuse clients on DNS blocklists at connection time (postscreen)
 *     learning: true        # moving mail into or out of Junk over IMAP trains the filter
 *     greylisting: false    # ask doubtful senders to retry later
 */
import { SpamConfig } from "./config-types";
import { field, Reader, show, unknownFields } from "./config-reader";

export const SPAM_FILTERS = ["rspamd", "none"] as const;
export const SPAM_KEYS = ["filter", "dnsbl", "learning", "greylisting"];

/** What a stack without a `spam` section gets: the filter on, blocklists on, learning on, no greylisting. */
export const DEFAULT_SPAM: SpamConfig = { filter: "rspamd", dnsbl: true, learning: true, greylisting: false };

export function readSpam(r: Reader): SpamConfig {
  const obj = r.object("spam");
  unknownFields(r, obj, "spam", SPAM_KEYS);
  const filter = (field(r, obj, "filter", "spam.filter", "string") ?? DEFAULT_SPAM.filter).toLowerCase();
  if (!(SPAM_FILTERS as readonly string[]).includes(filter))
    r.fail(
      "spam.filter",
      `is ${show(filter)}; expected "rspamd" (docker-mailserver's Rspamd: scores every inbound message, refuses clear spam, files likely spam into Junk) or "none"`,
    );
  const spam: SpamConfig = {
    filter: filter === "none" ? "none" : "rspamd",
    dnsbl: field(r, obj, "dnsbl", "spam.dnsbl", "boolean") ?? DEFAULT_SPAM.dnsbl,
    learning: field(r, obj, "learning", "spam.learning", "boolean") ?? (filter !== "none" && DEFAULT_SPAM.learning),
    greylisting: field(r, obj, "greylisting", "spam.greylisting", "boolean") ?? DEFAULT_SPAM.greylisting,
  };
  // Both are Rspamd modules in docker-mailserver (RSPAMD_LEARN, RSPAMD_GREYLISTING): without it they do nothing.
  if (spam.filter === "none")
    for (const key of ["learning", "greylisting"] as const)
      if (spam[key]) r.fail(`spam.${key}`, `needs the Rspamd filter; remove it or set spam.filter: rspamd`);
  return spam;
}
