import { InputError } from "../doctor/planned-input";
import { PlannedDeployment } from "../lib/planned";

/** The stack outputs with what this command reads besides the doctor's fields. */
export type AddressPlan = PlannedDeployment &
  Required<Pick<PlannedDeployment, "aliases" | "blocked" | "relatedSenders">>;

/** Outputs from before `mailstack addresses` lack its fields: say so rather than misreport aliases as catch-all. */
export function requireAddressOutputs(planned: PlannedDeployment): AddressPlan {
  const missing = (["aliases", "blocked", "relatedSenders"] as const).filter((key) => planned[key] === undefined);
  if (missing.length)
    throw new InputError(
      `the stack outputs have no ${missing.join(", ")}: they predate mailstack addresses; run pulumi up once to refresh them`,
    );
  return planned as AddressPlan;
}

/** How the server treats mail to an address, by the deployed configuration. */
export type DeliveryKind =
  /** A mailbox. */
  | "account"
  /** An alias of `aliases`. */
  | "alias"
  /** `name+tag@`: delivered to the account or alias `name@` (docker-mailserver's recipient_delimiter is `+`). */
  | "tag"
  /** Any other address, taken by the catch-all. */
  | "catch-all"
  /** Listed in `blocked`: refused at RCPT time. */
  | "blocked"
  /** No account, alias or catch-all: refused as unknown. */
  | "unknown";

export interface AddressInfo {
  kind: DeliveryKind;
  domain: string;
  /**
   * The site a per-site address was given to, by its name: the local part of a catch-all or blocked address,
   * the tag of a tagged one. Undefined for accounts, aliases and unknown addresses.
   */
  siteName?: string;
}

/**
 * Who receives mail at our domains, from the stack outputs. Built per domain: addresses are full, and an
 * address is ours when its domain is one of `domains`.
 */
export class AddressBook {
  readonly domains: string[];
  readonly accounts: Set<string>;
  readonly aliases: Map<string, string[]>;
  readonly blocked: string[];
  /** The domains of `mailstack:domains`, in config order; undefined for a single-domain stack. */
  readonly listed?: string[];
  /** Each domain's catch-all target (several domains: each its own, from the `domains` output). */
  readonly catchAlls: ReadonlyMap<string, string>;
  /** Our domains and the server's host name: mail from them is ours. */
  readonly ownDomains: string[];

  constructor(planned: AddressPlan) {
    const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1);
    this.accounts = new Set(planned.accounts);
    this.aliases = new Map(planned.aliases.map((a) => [a.address, a.targets]));
    this.blocked = planned.blocked;
    this.domains = [
      ...new Set([
        planned.domain,
        ...(planned.domains ?? []).map((d) => d.domain),
        ...planned.accounts.map(domainOf),
        ...[...this.aliases.keys()].map(domainOf),
      ]),
    ].sort();
    this.listed = planned.domains?.map((d) => d.domain);
    // One domain: its catch-all serves it (and, as before, any other domain its addresses name).
    this.catchAlls = new Map(
      planned.domains
        ? planned.domains.flatMap((d) => (d.catchAll ? [[d.domain, d.catchAll] as const] : []))
        : planned.catchAll
          ? this.domains.map((d) => [d, planned.catchAll!] as const)
          : [],
    );
    this.ownDomains = [...this.domains, planned.hostname];
  }

  isLocal = (address: string): boolean => this.domains.includes(address.slice(address.lastIndexOf("@") + 1));

  /**
   * The config list an address at `domain` is blocked in: `blocked`, or its domain's `domains[i].blocked` (the
   * `domains` output lists the domains in config order).
   */
  blockedListOf(domain: string): string {
    const i = this.listed?.indexOf(domain) ?? -1;
    return i >= 0 ? `domains[${i}].blocked` : "blocked";
  }

  /** The domain's catch-all target (docker-mailserver's `@domain` line). */
  catchAllOf(domain: string): string | undefined {
    return this.catchAlls.get(domain);
  }

  info(address: string): AddressInfo {
    const at = address.lastIndexOf("@");
    const local = address.slice(0, at);
    const domain = address.slice(at + 1);
    const plus = local.indexOf("+");
    const base = plus > 0 ? `${local.slice(0, plus)}@${domain}` : undefined;
    const tag = plus > 0 ? local.slice(plus + 1) : undefined;
    if (this.blocked.includes(address)) return { kind: "blocked", domain, siteName: tag || local };
    if (this.accounts.has(address)) return { kind: "account", domain };
    if (this.aliases.has(address)) return { kind: "alias", domain };
    if (base && tag && (this.accounts.has(base) || this.aliases.has(base)))
      return { kind: "tag", domain, siteName: tag };
    if (this.catchAllOf(domain)) return { kind: "catch-all", domain, siteName: local };
    return { kind: "unknown", domain };
  }
}
