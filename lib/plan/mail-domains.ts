/**
 * The mail domains the plans work on. Every plan takes its values per domain (lib/plan/server-files.ts,
 * lib/plan/domain-records.ts), so hosting several domains on one server adds entries here and nothing to
 * the plans' shape. Today's config describes one domain.
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
  /** The Cloudflare zone ID from config (otherwise the zone is looked up by the domain's name). */
  zoneId?: string;
}

/** The domains of a validated config. */
export function mailDomains(cfg: MailConfig): MailDomain[] {
  const provisioned = !!cfg.resend.apiKey;
  return [
    {
      name: cfg.domain,
      accounts: cfg.accounts,
      aliases: cfg.aliases,
      catchAll: cfg.catchAll,
      postmaster: cfg.postmaster,
      blocked: cfg.blocked,
      mailHost: cfg.hostname,
      host: { ipv4: cfg.serverIp, ipv6: cfg.serverIpv6, acme: cfg.tls.acme },
      dkim: { selector: cfg.dkim.selector },
      dmarc: cfg.dmarc,
      resend:
        cfg.relay.provider === "resend"
          ? {
              region: cfg.resend.region,
              returnPath: cfg.resend.returnPath,
              dkim: provisioned ? undefined : cfg.resend.dkim,
              provisioned,
            }
          : undefined,
      clientSetup: cfg.clientSetup,
      zoneId: cfg.dns.zoneId,
    },
  ];
}
