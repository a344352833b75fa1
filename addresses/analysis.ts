import { AddressBook, DeliveryKind } from "./address-book";
import { AddressTally, SenderTally } from "./log/tally";
import {
  displayDomain,
  NULL_SENDER,
  registrableDomain,
  Relation,
  relationOf,
  UNKNOWN_SENDER,
  withinDomain,
} from "./senders";

export interface SenderReport {
  /** Registrable domain (punycode), `<>` for the null sender, `?` when unknown. */
  domain: string;
  /** The same for people: Unicode, or a description. */
  display: string;
  messages: number;
  refused: number;
  first: string;
  last: string;
  /** To the site of a per-site address; absent for accounts and aliases. */
  relation?: Relation;
}

export interface LeakHint {
  /**
   * likely: mail from a sender unrelated to the site, besides the site's own (or from two unrelated senders,
   * when no sender matches the name: at most one of them is the site).
   * unmatched: one sender only, and its name does not match the site name: the site, or the only sender of
   * a leaked address. Said, not flagged.
   */
  status: "likely" | "unmatched";
  /** Sender domains of the site itself (name match or relatedSenders). */
  site: string[];
  /** The unrelated senders, earliest first. */
  unrelated: SenderReport[];
  /** When the first unrelated sender appeared. */
  since: string;
  /** One sentence with the evidence. */
  summary: string;
}

export interface AddressReport {
  address: string;
  kind: DeliveryKind;
  siteName?: string;
  /** Final recipients of its delivered mail (the account, the alias targets, the catch-all target). */
  deliveredTo: string[];
  delivered: number;
  bounced: number;
  deferred: number;
  refused: number;
  refusals: { reason: string; count: number }[];
  first: string;
  last: string;
  /** By registrable domain, most messages first. */
  senders: SenderReport[];
  leak?: LeakHint;
}

export interface DomainReport {
  domain: string;
  addresses: AddressReport[];
}

const iso = (time: number) => new Date(time).toISOString();
/** The date of an ISO time, for people: `2025-03-01`. */
export const day = (time?: string) => (time ? time.slice(0, 10) : "–");

/** `relatedSenders` entries that apply to an address: its own, its site name's and "*". */
function relatedFor(address: string, siteName: string | undefined, related: Record<string, string[]>): string[] {
  return [...(related[address] ?? []), ...(siteName ? (related[siteName] ?? []) : []), ...(related["*"] ?? [])];
}

/** Sender tallies merged by registrable domain, each with its relation to the address's site. */
function senderReports(
  senders: Map<string, SenderTally>,
  siteName: string | undefined,
  ownDomains: string[],
  related: string[],
): SenderReport[] {
  const groups = new Map<string, { tally: SenderTally; members: string[] }>();
  for (const [domain, tally] of senders) {
    const key = domain === NULL_SENDER || domain === UNKNOWN_SENDER ? domain : registrableDomain(domain);
    const group = groups.get(key);
    if (!group) groups.set(key, { tally: { ...tally }, members: [domain] });
    else {
      group.members.push(domain);
      group.tally.messages += tally.messages;
      group.tally.refused += tally.refused;
      group.tally.first = Math.min(group.tally.first, tally.first);
      group.tally.last = Math.max(group.tally.last, tally.last);
    }
  }
  return [...groups]
    .map(([domain, { tally, members }]) => {
      // A relatedSenders entry may name a subdomain (mail.shop.example): any member below it counts.
      const relation: Relation | undefined =
        siteName === undefined
          ? undefined
          : members.some((m) => related.some((r) => withinDomain(m, r)))
            ? "related"
            : relationOf(members[0], siteName, ownDomains);
      return {
        domain,
        display: displayDomain(domain),
        messages: tally.messages,
        refused: tally.refused,
        first: iso(tally.first),
        last: iso(tally.last),
        relation,
      };
    })
    .sort((a, b) => b.messages + b.refused - (a.messages + a.refused) || a.domain.localeCompare(b.domain));
}

/** The leak heuristic for a per-site address (see README, "Which address leaked"). */
export function leakHint(senders: SenderReport[]): LeakHint | undefined {
  const site = senders.filter((s) => s.relation === "site" || s.relation === "related").map((s) => s.display);
  const unrelated = senders.filter((s) => s.relation === "unrelated").sort((a, b) => a.first.localeCompare(b.first));
  if (unrelated.length === 0) return undefined;
  const list = unrelated.map((s) => `${s.display} (${s.messages + s.refused}, since ${day(s.first)})`).join(", ");
  const since = unrelated[0].first;
  if (site.length > 0)
    return { status: "likely", site, unrelated, since, summary: `given to ${site.join(", ")}; also mail from ${list}` };
  if (unrelated.length >= 2)
    return {
      status: "likely",
      site,
      unrelated,
      since,
      summary: `mail from ${list}: none matches the name, at most one of them is the site`,
    };
  return {
    status: "unmatched",
    site,
    unrelated,
    since,
    summary: `only ${list} writes to it and does not match the name: if that is not the site you gave it to, it leaked`,
  };
}

/** The per-domain report from the log's tallies and the deployed configuration. */
export function analyse(
  tallies: Iterable<AddressTally>,
  book: AddressBook,
  related: Record<string, string[]>,
): DomainReport[] {
  const byDomain = new Map<string, AddressReport[]>(book.domains.map((d) => [d, []]));
  for (const t of tallies) {
    const info = book.info(t.address);
    const senders = senderReports(
      t.senders,
      info.siteName,
      book.ownDomains,
      relatedFor(t.address, info.siteName, related),
    );
    const perSite = info.kind === "catch-all" || info.kind === "tag" || info.kind === "blocked";
    const leak = perSite ? leakHint(senders) : undefined;
    const report: AddressReport = {
      address: t.address,
      kind: info.kind,
      siteName: info.siteName,
      deliveredTo: [...t.deliveredTo].sort(),
      delivered: t.delivered,
      bounced: t.bounced,
      deferred: t.deferred,
      refused: t.refused,
      refusals: [...t.refusals].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
      first: iso(t.first),
      last: iso(t.last),
      senders,
      // A blocked address keeps the evidence of its leak; doubts about it are moot.
      leak: info.kind === "blocked" && leak?.status !== "likely" ? undefined : leak,
    };
    byDomain.get(info.domain)?.push(report);
  }
  return [...byDomain].map(([domain, addresses]) => ({
    domain,
    addresses: addresses.sort((a, b) => a.address.localeCompare(b.address)),
  }));
}
