import { RelatedSenders } from "./config-related-senders";
import { MtaStsMode } from "./well-known/mta-sts";

export type DmarcPolicy = "none" | "quarantine" | "reject";

export interface AliasLine {
  /** Full address the alias answers to. */
  address: string;
  /** Full addresses (local or external) it delivers to. */
  targets: string[];
}

/**
 * The validated stack configuration. Produced only by `parseConfig` (lib/config.ts); every component takes
 * its values from here. Fields marked secret hold secret config values: components wrap them in
 * `pulumi.secret` before they reach any resource or output.
 */
export interface MailConfig {
  /**
   * The first (or only) mail domain. `accounts` … `dmarc` and `dns.zoneId` below are this domain's; every
   * hosted domain, this one first, is in `domains`.
   */
  domain: string;
  /** Every mail domain the server hosts, in config order: one for the single-domain keys, else `domains`. */
  domains: DomainConfig[];
  hostname: string;
  serverIp?: string;
  serverIpv6?: string;
  /** Full, lower-case addresses, in config order. */
  accounts: string[];
  /**
   * secret: passwords given in config, by full address, for the accounts of every domain. Accounts without one
   * get a generated password.
   */
  passwords: Record<string, string>;
  catchAll?: string;
  aliases: AliasLine[];
  blocked: string[];
  /** Receives postmaster@ and abuse@ unless they are accounts or aliases (an account or an address). */
  postmaster: string;
  /** Sender domains never counted as a leak of a per-site address (read by `mailstack addresses`). */
  relatedSenders: RelatedSenders;
  relay: RelayConfig;
  resend: ResendConfig;
  tls: TlsConfig;
  dkim: DkimConfig;
  /** `rua`: bare addresses for aggregate reports (the DMARC renderer writes the `mailto:`). */
  dmarc: { policy: DmarcPolicy; rua: string[] };
  /** `adopt`: IDs of records already in the zone that mailstack may take over (Pulumi import). */
  dns: { provider: "cloudflare" | "none"; zoneId?: string; adopt: string[] };
  /** MTA-STS, TLS-RPT, autoconfiguration and SRV records (lib/config-client-setup.ts). */
  clientSetup: ClientSetupConfig;
  docker: { host?: string; image: string; containerName: string };
  /** Fail2ban bans clients after repeated failed logins (ENABLE_FAIL2BAN, with the NET_ADMIN capability). */
  fail2ban: boolean;
  /** Inbound spam filtering (lib/config-spam.ts). */
  spam: SpamConfig;
  /** Extra docker-mailserver environment variables, merged last. */
  env: Record<string, string>;
  backup: BackupConfig;
  /** Things worth saying that do not stop the run (e.g. a certificate close to expiry). */
  warnings: string[];
}

/** One hosted mail domain: its mailboxes, how its mail is signed and relayed, and where its records go. */
export interface DomainConfig {
  domain: string;
  /** Full, lower-case addresses at the domain, in config order. */
  accounts: string[];
  catchAll?: string;
  aliases: AliasLine[];
  blocked: string[];
  postmaster: string;
  dkim: DkimConfig;
  dmarc: MailConfig["dmarc"];
  relay: RelayConfig;
  resend: ResendConfig;
  /** The Cloudflare zone ID from config; otherwise the zone is looked up by the domain's name. */
  zoneId?: string;
}

export interface RelayConfig {
  provider: string;
  /** Empty when mail is sent directly (`provider: none`). */
  host: string;
  port: number;
  username: string;
  /** secret: absent when the relay is `none` or the password is minted by Resend provisioning. */
  password?: string;
}

export interface ResendConfig {
  region: string;
  returnPath: string;
  /** The DKIM value Resend shows for the domain (manual path). */
  dkim?: string;
  /** secret: a full-access key; when set, the domain, its records and a sending key are provisioned. */
  apiKey?: string;
  verifyWaitSeconds: number;
  strictVerify: boolean;
  /** Change this value to mint a new sending key. */
  keyRotation?: string;
  /** Delete the domain in Resend when it leaves the stack. */
  deleteOnDestroy: boolean;
}

export interface TlsConfig {
  mode: "manual" | "self-signed" | "acme";
  /** manual: PEM certificate (chain) and secret private key. */
  certificatePem?: string;
  privateKeyPem?: string;
  /** acme: how the renewer obtains and renews the certificate. */
  acme?: AcmeConfig;
}

export type AcmeKeyType = "rsa2048" | "rsa4096" | "ec256" | "ec384";

export interface AcmeConfig {
  /** The ACME account's contact address. */
  email: string;
  /** ACME directory URL. */
  server: string;
  /** Whether the CA honours RFC 8657 CAA parameters (accounturi, validationmethods). */
  caaParameters: boolean;
  /** The certificate's key type (lego `--key-type`). */
  keyType: AcmeKeyType;
  /** Renew when fewer days than this are left (lego `renew --days`). */
  renewDays: number;
  /** How often the renewer checks. */
  checkHours: number;
  /** DNS resolvers lego asks (`--dns.resolvers`); empty = the container's. */
  resolvers: string[];
  /** The CAA record restricting issuance for the hostname; absent when `tls.acme.caa` is false. */
  caa?: { issuer: string };
  /** The renewer's image (lego). */
  image: string;
  /** Changing it mints a new Cloudflare token for the renewer (and deletes the old one). */
  tokenRotation: string;
}

export interface DkimConfig {
  selector: string;
  bits: number;
  /** secret: an imported key instead of a generated one. */
  privateKeyPem?: string;
}

export interface BackupConfig {
  /** false only when `backup.enabled: false` is set. */
  enabled: boolean;
  /** Five-field crontab time (macros expanded), run by crond in `timezone`. */
  schedule: string;
  /** IANA zone the schedule is read in (the container's TZ). */
  timezone: string;
  destination: BackupDestination;
  /** Snapshots kept per period by `restic forget`. */
  retention: { daily: number; weekly: number; monthly: number };
  image: string;
  /** secret: the key of an existing repository (restoring onto a new stack); absent = generated once. */
  key?: string;
}

export type BucketLookup = "auto" | "path" | "dns";

export type BackupDestination =
  | {
      type: "local";
      /** Absolute directory on the Docker host. */
      path: string;
    }
  | {
      type: "s3";
      /** Service URL without the bucket, e.g. https://s3.eu-central-1.amazonaws.com. */
      endpoint: string;
      bucket: string;
      /** Key prefix inside the bucket, without leading or trailing slash; may be empty. */
      path: string;
      region?: string;
      bucketLookup: BucketLookup;
      /** secret */
      accessKeyId: string;
      /** secret */
      secretAccessKey: string;
    };

/**
 * What tells other servers to use TLS and mail clients how to connect. The HTTPS parts are served by a
 * Cloudflare Worker when `worker` is set, else only exported for the user to host (`dns: none`).
 */
export interface ClientSetupConfig {
  /** The Cloudflare account the Worker is deployed to; absent: no Worker. */
  worker?: { accountId: string };
  /** MTA-STS policy (RFC 8461); absent: none published. */
  mtaSts?: { mode: MtaStsMode; maxAge: number };
  /** TLS-RPT report URIs (`mailto:…`, `https://…`, RFC 8460); absent: no `_smtp._tls` record. */
  tlsRpt?: { rua: string[] };
  /** Thunderbird autoconfig and the Apple profile at `autoconfig.<domain>`. */
  autoconfig: boolean;
  /** Outlook's POX autodiscover at `autodiscover.<domain>`. */
  autodiscover: boolean;
  /** Also serve autoconfig and autodiscover at the apex (`https://<domain>/…`): the Worker then owns the apex. */
  apex: boolean;
  /** RFC 6186/8314 SRV records for IMAP and submission. */
  srv: boolean;
}

export interface SpamConfig {
  /** `rspamd`: docker-mailserver's Rspamd scores inbound mail, signs outbound mail and checks SPF/DKIM/DMARC. */
  filter: "rspamd" | "none";
  /** DNS blocklists at connection time (postscreen, ENABLE_DNSBL). */
  dnsbl: boolean;
  /** Moving mail into or out of Junk over IMAP trains Rspamd's Bayes classifier (RSPAMD_LEARN). */
  learning: boolean;
  /** Rspamd asks senders of doubtful mail to retry later (RSPAMD_GREYLISTING). */
  greylisting: boolean;
}
