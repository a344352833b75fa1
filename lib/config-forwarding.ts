import { RELAY_PRESETS } from "./relay-presets";
import { Scope } from "./config-reader";
import { Mailboxes } from "./config-mailboxes";

/**
 * Forwarding outside the domain through a relay. Forwarded mail keeps its outside sender (From:
 * someone@gmail.com), and relays that only send for verified senders refuse it, so the mail bounces. For those
 * relays such a target is refused with the reason and what to do instead; for a relay mailstack knows nothing
 * about (custom, mailgun) it is a warning. Sending directly (`relay.provider: none`) forwards as any MTA does.
 * Reads the targets of `aliases.<name>`, `catchAll` and `postmaster`.
 */
export function checkForwarding(scope: Scope, hosted: string | string[], provider: string, m: Mailboxes): void {
  const domains = typeof hosted === "string" ? [hosted] : hosted;
  const domain = domains[0];
  if (provider === "none") return;
  const forwards = [
    ...m.aliases.flatMap((a) => a.targets.map((target) => ({ key: `aliases.${a.address.split("@")[0]}`, target }))),
    ...(m.catchAll ? [{ key: "catchAll", target: m.catchAll }] : []),
    { key: "postmaster", target: m.postmaster },
  ];
  const refuses = RELAY_PRESETS[provider]?.refusesForeignSenders;
  for (const { key, target } of forwards) {
    // A target at any hosted domain is delivered here, not forwarded.
    if (domains.some((d) => target.endsWith(`@${d}`))) continue;
    const what = `forwards to ${target}, outside ${domains.length > 1 ? "the hosted domains" : domain}`;
    if (refuses)
      scope.fail(
        key,
        `${what}. Forwarded mail keeps its outside sender (e.g. From: someone@gmail.com), and the ${provider} relay only sends mail from senders verified with it: it answers ${refuses}, so the forwarded mail would bounce. Deliver it to an account here instead and read it over IMAP (your other mail client or mailbox can fetch it from there), or forward it with ${provider}'s own inbound features`,
      );
    else
      scope.warn(
        key,
        `${what} through the ${provider} relay: forwarded mail keeps its outside sender, so a relay that only sends for verified senders refuses it and receivers checking that sender's DMARC policy may reject it`,
      );
  }
}
