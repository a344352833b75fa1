/**
 * `domains`: several mail domains on one server. Each entry describes one domain with the same settings a
 * single-domain stack has at its top level (lib/config-mailboxes.ts, -dkim, -dmarc, -relay read it through its
 * own Scope, so every message names `domains[1].accounts`). The server's settings (hostname, addresses, TLS,
 * Docker, spam filter, backups) stay at the top level, and so do the secrets, keyed by address or domain:
 * `passwords["hi@b.example"]`, `relayPasswords["b.example"]`, `dkimPrivateKeys["b.example"]`, `resendApiKey`. A
 * secret inside `domains` would make Pulumi treat the whole list as one secret (it only marks top-level keys),
 * so a plain-text password beside it could not be told apart, and every message about it would hide its value.
 *
 *   mailstack:domains:
 *     - domain: example.com
 *       accounts: [hi, me]
 *       catchAll: hi
 *     - domain: family.example
 *       accounts: [mom, dad]
 *       aliases: { kids: [mom, dad, me@example.com] }
 *       relay: { provider: resend }
 */
import { DomainConfig, RelayConfig } from "./config-types";
import { Scope, show } from "./config-reader";
import { readDomain } from "./config-server";
import { readMailboxes, readPasswords } from "./config-mailboxes";
import { readRelay } from "./config-relay";
import { readDkim, SecretAt } from "./config-dkim";
import { readDmarc } from "./config-dmarc";
import { checkForwarding } from "./config-forwarding";
import { checkAcrossDomains } from "./config-delivery";

export const DOMAINS_KEYS = ["domains", "relayPasswords", "dkimPrivateKeys"];

/** What one entry of `domains` may hold. */
const ENTRY_KEYS = [
  "domain",
  "accounts",
  "catchAll",
  "aliases",
  "blocked",
  "postmaster",
  "dkim",
  "dmarc",
  "relay",
  "resend",
  "cloudflareZoneId",
];

/** Top-level keys that describe the one domain of a single-domain stack: with `domains`, each entry has its own.
 * Every entry key but `relay`: a top-level relay stays valid beside `domains`, as the relay the domains share. */
const SINGLE_DOMAIN_KEYS = ENTRY_KEYS.filter((k) => k !== "relay");

/** Secrets stay at the top level, keyed by address or domain: where each one goes instead. */
const SECRETS_AT_TOP: Record<string, (domain: string) => string> = {
  passwords: (d) => `passwords["<account>@${d}"] (pulumi config set --secret --path 'passwords["hi@${d}"]' <password>)`,
  relayPassword: (d) =>
    `relayPasswords["${d}"] (pulumi config set --secret --path 'relayPasswords["${d}"]' <password>)`,
  dkimPrivateKey: (d) =>
    `dkimPrivateKeys["${d}"] (pulumi config set --secret --path 'dkimPrivateKeys["${d}"]' < key.pem)`,
  resendApiKey: () =>
    "resendApiKey, one full-access key for every domain (pulumi config set --secret resendApiKey <key>)",
};

export interface HostedDomains {
  domains: DomainConfig[];
  /** secret: by full address, for the accounts of every domain. */
  passwords: Record<string, string>;
}

/** Whether the stack lists its domains in `domains` (else the single-domain keys describe one domain). */
export const usesDomainList = (top: Scope) => isSet(top, "domains");

/**
 * Whether a key holds a value. Pulumi.yaml gives the optional lists and mappings empty defaults (`[]`, `{}`),
 * which the CLI hands the program like any value: they mean "not set".
 */
export function isSet(scope: Scope, name: string): boolean {
  const v = scope.value(name);
  if (v === undefined) return false;
  if (Array.isArray(v)) return v.length > 0;
  return typeof v !== "object" || v === null || Object.keys(v).length > 0;
}

/**
 * Reads `domains` and the secrets keyed by its domains. Refuses the single-domain keys beside it, two entries for
 * one domain, and a domain sending directly while the first relays (Postfix would relay its mail too:
 * lib/plan/relay-routes.ts). Then checks the domains together: targets at another hosted domain are local and
 * must exist there, loops may cross domains, and forwarding goes out through the first domain's relay.
 */
export function readDomainList(top: Scope, managedDns: boolean): HostedDomains {
  for (const key of SINGLE_DOMAIN_KEYS)
    if (isSet(top, key))
      top.fail(
        key,
        `describes one domain and cannot be used beside mailstack:domains; move it into each entry of domains (domains[0].${key}), or drop domains and keep the single-domain keys`,
      );
  if (isSet(top, "dkimPrivateKey"))
    top.fail(
      "dkimPrivateKey",
      `cannot be used beside mailstack:domains; give each domain's key in dkimPrivateKeys["<domain>"]`,
    );

  const entries = top.list("domains") ?? [];
  // The names as given, for checks that look across entries before every entry is read.
  const listed = entries.map((e) =>
    String(e.value("domain") ?? "")
      .trim()
      .toLowerCase()
      .replace(/\.$/, ""),
  );
  const relayPasswords = top.object("relayPasswords");
  const dkimKeys = top.object("dkimPrivateKeys");

  const domains: DomainConfig[] = [];
  const read: { scope: Scope; d: DomainConfig }[] = [];
  for (const entry of entries) {
    const domain = readDomain(entry);
    for (const name of entry.names())
      if (name in SECRETS_AT_TOP)
        entry.fail(
          name,
          `is a secret and stays out of domains; set it at the top level as ${SECRETS_AT_TOP[name](domain)}`,
        );
    entry.only(
      [...ENTRY_KEYS, ...Object.keys(SECRETS_AT_TOP)],
      `a domain's entry takes ${ENTRY_KEYS.join(", ")}; server settings stay at the top level`,
    );
    if (domains.some((d) => d.domain === domain))
      entry.fail("domain", `is ${show(domain)}, listed twice; each domain once`);

    const mailboxes = readMailboxes(entry, domain, false);
    // The entry's own relay, else the top level's (one relay, and one credential, for every domain). Its own
    // password from relayPasswords; the shared relayPassword only for the shared relay.
    const ownRelay = entry.has("relay");
    const shared = !ownRelay || JSON.stringify(entry.value("relay")) === JSON.stringify(top.value("relay") ?? {});
    const own: SecretAt = relayPasswords
      ? { scope: relayPasswords, name: domain }
      : { scope: top, name: `relayPasswords.${domain}` };
    const { relay, resend } = readRelay(entry, managedDns, {
      relay: ownRelay ? entry : top,
      password: shared && !relayPasswords?.has(domain) ? { scope: top, name: "relayPassword" } : own,
      resend: entry,
      resendApiKey: { scope: top, name: "resendApiKey" },
    });
    const dkim = readDkim(entry, relay.provider, {
      scope: dkimKeys ?? top,
      name: dkimKeys ? domain : "dkimPrivateKeys",
    });
    const dmarc = readDmarc(entry, domain, listed);
    const zoneId = entry.string("cloudflareZoneId");
    if (zoneId && !/^[0-9a-f]{32}$/.test(zoneId))
      entry.fail(
        "cloudflareZoneId",
        `is ${show(zoneId)}; expected the 32-character hex zone ID from the Cloudflare dashboard`,
      );
    const d: DomainConfig = { domain, ...withoutPasswords(mailboxes), relay, resend, dkim, dmarc, zoneId };
    domains.push(d);
    read.push({ scope: entry, d });
  }

  checkRelays(read);
  const hosted = domains.map((d) => d.domain);
  for (const { scope, d } of read) checkForwarding(scope, hosted, domains[0].relay.provider, { ...d, passwords: {} });
  checkAcrossDomains(
    read.map(({ scope, d }) => ({
      scope,
      d: {
        ...d,
        aliasKeys: new Map(
          d.aliases.map((a) => [a.address, { key: `${scope.key("aliases")}.${a.address.split("@")[0]}` }]),
        ),
      },
    })),
  );
  for (const [name, s] of [
    ["relayPasswords", relayPasswords],
    ["dkimPrivateKeys", dkimKeys],
  ] as const)
    for (const key of s?.names() ?? [])
      if (!hosted.includes(key))
        s!.fail(
          key,
          `is not a domain in mailstack:domains (${hosted.join(", ")}); remove it from ${name}, or key it by one of them`,
        );

  if (isSet(top, "resendApiKey") && !domains.some((d) => d.relay.provider === "resend"))
    top.fail("resendApiKey", "is set but no domain relays through Resend (relay.provider: resend); remove it");
  const accounts = domains.flatMap((d) => d.accounts);
  return { domains, passwords: readPasswords(top, accounts) };
}

const withoutPasswords = <T extends { passwords: unknown }>({ passwords: _, ...rest }: T) => rest;

/**
 * A domain that sends directly cannot follow one that relays: the first domain's relay is Postfix's
 * `relayhost`, and a sender-dependent relay map can only name another relay, never "none".
 */
function checkRelays(read: { scope: Scope; d: { domain: string; relay: RelayConfig } }[]): void {
  const first = read[0]?.d;
  if (!first || first.relay.provider === "none") return;
  for (const { scope, d } of read.slice(1))
    if (d.relay.provider === "none")
      scope.fail(
        "relay",
        `sends ${d.domain}'s mail directly while ${first.domain}, the first domain, relays through ${first.relay.host}: Postfix's default relay would carry ${d.domain}'s mail too. Give ${d.domain} a relay, or list a directly sending domain first`,
      );
}
