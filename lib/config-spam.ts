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
import { Scope, show } from "./config-reader";

export const SPAM_KEYS = ["spam"];
export const SPAM_FILTERS = ["rspamd", "none"] as const;
const SPAM_SETTINGS = ["filter", "dnsbl", "learning", "greylisting"];

/** What a stack without a `spam` section gets: the filter on, blocklists on, learning on, no greylisting. */
export const DEFAULT_SPAM: SpamConfig = { filter: "rspamd", dnsbl: true, learning: true, greylisting: false };

export function readSpam(scope: Scope): SpamConfig {
  const s = scope.object("spam");
  s?.only(SPAM_SETTINGS);
  const filter = (s?.string("filter") ?? DEFAULT_SPAM.filter).toLowerCase();
  if (!(SPAM_FILTERS as readonly string[]).includes(filter))
    s!.fail(
      "filter",
      `is ${show(filter)}; expected "rspamd" (docker-mailserver's Rspamd: scores every inbound message, refuses clear spam, files likely spam into Junk) or "none"`,
    );
  const spam: SpamConfig = {
    filter: filter === "none" ? "none" : "rspamd",
    dnsbl: s?.boolean("dnsbl") ?? DEFAULT_SPAM.dnsbl,
    learning: s?.boolean("learning") ?? (filter !== "none" && DEFAULT_SPAM.learning),
    greylisting: s?.boolean("greylisting") ?? DEFAULT_SPAM.greylisting,
  };
  // Both are Rspamd modules in docker-mailserver (RSPAMD_LEARN, RSPAMD_GREYLISTING): without it they do nothing.
  if (spam.filter === "none")
    for (const key of ["learning", "greylisting"] as const)
      if (spam[key]) s!.fail(key, `needs the Rspamd filter; remove it or set spam.filter: rspamd`);
  return spam;
}
