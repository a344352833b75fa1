/**
 * Which relay each hosted domain's outbound mail leaves through, with which credential: docker-mailserver's
 * relay support (target/scripts/helpers/relay.sh at v15.1.0) reads three things, all written from here.
 *  - `DEFAULT_RELAY_HOST` becomes Postfix's `relayhost`: the first domain's relay. Mail whose envelope sender
 *    is at no hosted domain (forwarded mail keeps its sender) and bounces (null sender) leave through it.
 *  - `postfix-relaymap.cf` lines `@domain [host]:port` go to `sender_dependent_relayhost_maps`
 *    (`_populate_relayhost_map`): a domain whose relay is another host than the default.
 *  - `postfix-sasl-password.cf` lines are copied to `smtp_sasl_password_maps` and, because the file exists,
 *    `smtp_sender_dependent_authentication = yes` is set (`_relayhost_sasl`): Postfix looks the credential up
 *    by sender address, then `@domain`, then the relay host (Postfix SASL_README, "client_sasl_sender"), and
 *    keeps no cached connection across senders (postconf(5), smtp_sender_dependent_authentication). So the
 *    default relay's credential is keyed by `[host]:port`, and a domain with a credential of its own (one
 *    scoped Resend key per domain, another account, another host) gets an `@domain` line.
 * RELAY_HOST is never set, so relay.sh's `_legacy_support` adds nothing to the map behind our back.
 * With one domain this is exactly what a single-domain stack always had: DEFAULT_RELAY_HOST and one line.
 */
import { assertSafe, isDomainName } from "../mail-syntax";
import { relayHostKey, renderSaslLine } from "../render/postfix-sasl-password";

export interface DomainRelay {
  domain: string;
  /** Empty when the domain's mail is sent directly (`relay.provider: none`). */
  host: string;
  port: number;
  username: string;
}

export interface RelayRoute extends DomainRelay {
  /** `[host]:port`, Postfix's name of the next hop. */
  nextHop: string;
  /** Reached through `relayhost` (the default), or through its own line in the relay map. */
  via: "default" | "map";
}

export interface RelayRoutes {
  /** DEFAULT_RELAY_HOST (`[host]:port`); undefined when the first domain sends directly. */
  relayhost?: string;
  /** The domains that relay, in config order; a domain that sends directly is not listed. */
  routes: RelayRoute[];
}

/**
 * The routes. lib/config-domains.ts refuses a domain that sends directly while the first relays: with
 * `relayhost` set Postfix would relay its mail too (the relay map can only name another relay, not "none").
 */
export function planRelayRoutes(domains: DomainRelay[]): RelayRoutes {
  const [first] = domains;
  const relayhost = first?.host ? relayHostKey(first) : undefined;
  const routes: RelayRoute[] = [];
  for (const d of domains) {
    if (!d.host) {
      if (relayhost)
        throw new Error(`planRelayRoutes: ${d.domain} sends directly but ${first.domain}'s relay is the default`);
      continue;
    }
    const nextHop = relayHostKey(d);
    routes.push({ ...d, nextHop, via: nextHop === relayhost ? "default" : "map" });
  }
  return { relayhost, routes };
}

/** `postfix-relaymap.cf`: `@domain [host]:port` for each domain relayed elsewhere than the default; may be empty. */
export function renderPostfixRelaymap(routes: RelayRoutes): string {
  return routes.routes
    .filter((r) => r.via === "map")
    .map((r) => `@${domainKey(r.domain)} ${r.nextHop}\n`)
    .join("");
}

/**
 * `postfix-sasl-password.cf`: the default relay's credential keyed by its host (the first domain's), then an
 * `@domain` line for every other domain whose credential differs. `passwords` by domain; a relayed domain
 * without one (a relay that takes no login) gets no line. Empty when nothing relays with a credential.
 */
export function renderRelayCredentials(routes: RelayRoutes, passwords: Readonly<Record<string, string>>): string {
  const lines: string[] = [];
  let fallback: { nextHop: string; username: string; password: string } | undefined;
  for (const [i, r] of routes.routes.entries()) {
    const password = passwords[r.domain];
    if (password === undefined) continue;
    if (i === 0 && r.via === "default") {
      fallback = { nextHop: r.nextHop, username: r.username, password };
      lines.push(renderSaslLine(r.nextHop, r.username, password));
    } else if (
      !fallback ||
      fallback.nextHop !== r.nextHop ||
      fallback.username !== r.username ||
      fallback.password !== password
    )
      lines.push(renderSaslLine(`@${domainKey(r.domain)}`, r.username, password));
  }
  return lines.join("");
}

/** A domain as a table key: one DNS name, nothing Postfix's table syntax would read otherwise. */
function domainKey(domain: string): string {
  assertSafe(domain, isDomainName(domain), "the relay tables");
  return domain;
}
