/**
 * The mail domains the plans work on. Every plan takes its values per domain (lib/plan/server-files.ts,
 * lib/plan/domain-records.ts), so hosting several domains on one server adds entries here and nothing to
 * the plans' shape: config's `domains` (or its one domain).
 */
import type { AcmeConfig, AliasLine, ClientSetupConfig, MailConfig } from "../config-types";

export interface MailDomain {
  /** The domain, lower case. */
  name: string;
  /** Full addresses of its mailboxes, in config order. */
  accounts: string[];
  aliases: AliasLine[];
  /** Receives mail for unknown addresses at the domain. */
  catchAll?: string;
  /** Receives postmaster@ and abuse@ unless they are accounts or aliases. */
  postmaster: string;
  /** Addresses refused at RCPT. */
  blocked: string[];
  /** The server that receives the domain's mail (its MX target). */
  mailHost: string;
  /**
   * The mail server's own records, published with this domain: the one whose zone holds the host name (or the
   * first domain, when none does); absent for the other domains. Its addresses (A/AAAA of `mailHost`) and, when
   * its certificate comes from ACME, the CAA record that lets only the renewer's account issue for it.
   */
  host?: { ipv4?: string; ipv6?: string; acme?: AcmeConfig };
  dkim: { selector: string };
  dmarc: MailConfig["dmarc"];
  /**
   * Resend as the domain's relay: its records typed in from config (`dkim`), or returned by its API
   * (`provisioned`), which then publishes them. Absent with any other relay.
   */
  resend?: { region: string; returnPath: string; dkim?: string; provisioned: boolean };
  /** MTA-STS, TLS-RPT, SRV and client autoconfiguration for the domain (lib/well-known/plan.ts). */
  clientSetup: ClientSetupConfig;
  /**
   * The other hosted domains whose DMARC aggregate reports come to an address here: this domain's zone says it
   * accepts them (RFC 7489 §7.1), or receivers do not send them.
   */
  dmarcReportsFor?: string[];
  /** The Cloudflare zone ID from config (otherwise the zone is looked up by the domain's name). */
  zoneId?: string;
}

/**
 * What the other domains publish for mail clients: the SRV records (RFC 6186/8314), which only name the one
 * host name. MTA-STS, TLS-RPT and the autoconfiguration documents are the first domain's: one Worker serves
 * one domain's HTTPS names.
 */
const srvOnly = (setup: ClientSetupConfig): ClientSetupConfig => ({
  autoconfig: false,
  autodiscover: false,
  apex: false,
  srv: setup.srv,
});

/**
 * The domains of a validated config, in config order. The server's own records (its addresses, the ACME CAA)
 * go with the domain whose zone holds the host name, the longest such name, else the first domain.
 */
export function mailDomains(cfg: MailConfig): MailDomain[] {
  const holders = cfg.domains
    .map((d) => d.domain)
    .filter((name) => cfg.hostname === name || cfg.hostname.endsWith(`.${name}`))
    .sort((a, b) => b.length - a.length);
  const hostDomain = holders[0] ?? cfg.domains[0]?.domain;
  return cfg.domains.map((d, i) => {
    const provisioned = !!d.resend.apiKey;
    return {
      name: d.domain,
      accounts: d.accounts,
      aliases: d.aliases,
      catchAll: d.catchAll,
      postmaster: d.postmaster,
      blocked: d.blocked,
      mailHost: cfg.hostname,
      host: d.domain === hostDomain ? { ipv4: cfg.serverIp, ipv6: cfg.serverIpv6, acme: cfg.tls.acme } : undefined,
      dkim: { selector: d.dkim.selector },
      dmarc: d.dmarc,
      resend:
        d.relay.provider === "resend"
          ? {
              region: d.resend.region,
              returnPath: d.resend.returnPath,
              dkim: provisioned ? undefined : d.resend.dkim,
              provisioned,
            }
          : undefined,
      clientSetup: i === 0 ? cfg.clientSetup : srvOnly(cfg.clientSetup),
      dmarcReportsFor: cfg.domains
        .filter((o) => o !== d && o.dmarc.rua.some((a) => a.slice(a.lastIndexOf("@") + 1) === d.domain))
        .map((o) => o.domain),
      zoneId: d.zoneId,
    };
  });
}
