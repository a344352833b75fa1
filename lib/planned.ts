/**
 * The program↔doctor contract: what the program plans, as exported by the stack (`pulumi stack output
 * --json`), and what `mailstack doctor` reads. One schema: the program's outputs are typed by it
 * (components/stack.ts), the doctor validates its input with it (doctor/planned-input.ts), and a field added
 * to the outputs is added here first.
 */
import { isIPv4, isIPv6 } from "node:net";
import { z } from "zod";
import { dnsRecordSchema } from "./dns-record";
import { isDnsName } from "./dns-format";
import { isAddress } from "./mail-syntax";
import { RELAY_PRESETS } from "./relay-presets";
import { isTimeZone, normalizeSchedule } from "./backup-schedule";
import { MTA_STS_MAX_AGE_LIMIT, MTA_STS_MODES } from "./well-known/mta-sts";
import { SPAM_FILTERS } from "./config-spam";

const hostName = z.string().refine(isDnsName, "is not a host name in lower case without the trailing dot");
const portBetween = (min: number, message: string) => z.number().int(message).min(min, message).max(65535, message);
const port = portBetween(1, "is not a port (1–65535)");
const ipv4 = z.string().refine((ip) => isIPv4(ip), "is not an IPv4 address");
const ipv6 = z.string().refine((ip) => isIPv6(ip), "is not an IPv6 address");
const address = z.string().refine((a) => isAddress(a), "is not an email address");
const httpsUrl = z.string().refine((s) => /^https:\/\/\S+$/.test(s), "is not an https URL");

/**
 * What tells other servers to use TLS and mail clients how to connect (lib/well-known/plan.ts), with the
 * documents themselves, so that with `dns: none` (or without the Worker) they can be hosted by hand.
 */
export const wellKnownSchema = z.object({
  /** "worker": the Cloudflare Worker serves the HTTPS parts; "you": host them yourself at these URLs. */
  servedBy: z.enum(["worker", "you"]),
  /** Every HTTPS host name the documents are served at. */
  hostnames: z.array(hostName),
  mtaSts: z
    .object({
      url: httpsUrl,
      mode: z.enum(MTA_STS_MODES),
      maxAge: z.number().int().min(0).max(MTA_STS_MAX_AGE_LIMIT),
      mx: z.array(hostName).min(1, "is empty"),
      /** What `_mta-sts.<domain>` publishes: 1–32 letters and digits. */
      id: z.string().regex(/^[A-Za-z0-9]{1,32}$/, "is not an MTA-STS id"),
      /** The policy file, byte for byte. */
      policy: z.string(),
    })
    .optional(),
  tlsRpt: z
    .object({ rua: z.array(z.string().regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, "is not a report URI")) })
    .optional(),
  /** Thunderbird's autoconfig: where it is served, and the file. */
  autoconfig: z.object({ urls: z.array(httpsUrl).min(1, "is empty"), xml: z.string() }).optional(),
  /** The Apple profile (add `?emailaddress=<address>`) and the page that asks for the address. */
  appleProfile: z.object({ url: httpsUrl, page: httpsUrl }).optional(),
  /** Outlook's POX autodiscover URLs. */
  autodiscover: z.object({ urls: z.array(httpsUrl).min(1, "is empty") }).optional(),
});

export type WellKnownOutputs = z.output<typeof wellKnownSchema>;

/**
 * The username mail clients log in with. docker-mailserver's logins are full addresses, so it is always
 * the address itself, written the way Thunderbird's autoconfig format writes it (`%EMAILADDRESS%`).
 */
export const CLIENT_USERNAME = "%EMAILADDRESS%" as const;

const count = z.number().int("is not a whole number").min(0, "is negative");

export const backupPlanSchema = z.discriminatedUnion("enabled", [
  z.object({ enabled: z.literal(false) }),
  z.object({
    enabled: z.literal(true),
    /** The restic repository as the Docker host addresses it: a directory there, or `s3:https://…/bucket/path`. */
    repository: z.string().min(1, "is empty"),
    /** restic `--option` values (S3 addressing style, region). */
    options: z.array(z.string()),
    /** The backup container's name (`docker logs` shows every run). */
    container: z.string().min(1, "is empty"),
    /** The snapshots' host name and tag: status and retention only look at these. */
    host: hostName,
    tag: z.string().min(1, "is empty"),
    /** Five-field crontab time, read in `timezone`. */
    schedule: z.string().refine((s) => "cron" in normalizeSchedule(s), "is not a crontab time"),
    timezone: z.string().refine(isTimeZone, "is not an IANA time zone"),
    retention: z.object({ daily: count, weekly: count, monthly: count }),
    /** One shell command that restores the newest snapshot into the mail volumes (README, "Restore"). */
    restoreCommand: z.string(),
  }),
]);
export type BackupPlan = z.output<typeof backupPlanSchema>;

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "is not a time");

/**
 * The certificate: for manual and self-signed, the one deployed (issuer, expiry); for acme, how it is issued
 * and renewed — the certificate itself changes without `pulumi up`, so `mailstack doctor` reads it live.
 */
export const tlsPlanSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("manual"), issuer: z.string(), notAfter: isoTime }),
  z.object({ mode: z.literal("self-signed"), issuer: z.string(), notAfter: isoTime }),
  z.object({
    mode: z.literal("acme"),
    /** ACME directory URL. */
    server: httpsUrl,
    /** The renewer's ACME account (the CAA record's accounturi). */
    accountUri: httpsUrl,
    /** The CAA issue value published for the hostname; absent when tls.acme.caa is false. */
    caa: z.string().optional(),
    renewDays: z.number().int().positive(),
    checkHours: z.number().int().positive(),
    /** The renewer container, its live certificate and its status file (read by the doctor over Docker). */
    container: z.string().min(1, "is empty"),
    certificatePath: z.string().min(1, "is empty"),
    statusFile: z.string().min(1, "is empty"),
  }),
]);
export type TlsPlan = z.output<typeof tlsPlanSchema>;

const relaySchema = z.object({
  provider: z.string().refine((p) => p in RELAY_PRESETS, `is not one of ${Object.keys(RELAY_PRESETS).join(", ")}`),
  host: z.union([z.literal(""), hostName]),
  port: portBetween(0, "is not a port (1–65535, or 0 without a relay)"),
  username: z.string(),
});

const dkimSchema = z.object({
  selector: z.string().regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/, "is not a DKIM selector"),
  publicKey: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "is not base64"),
});

const aliasSchema = z.object({ address, targets: z.array(address) });

/**
 * One hosted domain of a server with several (`mailstack:domains`): what the doctor checks for each domain and
 * what `mailstack addresses` reads per domain. The top-level fields describe the first domain.
 */
export const plannedDomainSchema = z.object({
  domain: hostName,
  /** This domain's DKIM key (its own selector and key). */
  dkim: dkimSchema,
  /** The relay this domain's mail leaves through. */
  relay: relaySchema,
  accounts: z.array(address),
  aliases: z.array(aliasSchema),
  catchAll: address.optional(),
  blocked: z.array(address),
  /** The records of this domain (its zone's share of `dnsRecords`), and as zone-file text. */
  dnsRecords: z.array(dnsRecordSchema),
  zoneFile: z.string(),
});
export type PlannedDomain = z.output<typeof plannedDomainSchema>;

export const plannedDeploymentSchema = z.object({
  /** Mail domain, e.g. `qladgk.com`; the first of several (`domains`). */
  domain: hostName,
  /**
   * Every hosted domain, the first one included; only present when the server hosts several. Top-level
   * `accounts`, `aliases` and `blocked` then list every domain's, `dnsRecords` every record, while `dkim`,
   * `relay`, `catchAll` and `zoneFile` are the first domain's.
   */
  domains: z.array(plannedDomainSchema).optional(),
  /** Server FQDN: MX target, TLS name, SMTP banner. */
  hostname: hostName,
  /** Public IPv4 of the server (absent only when DNS is not managed and none was given). */
  serverIp: ipv4.optional(),
  serverIpv6: ipv6.optional(),
  /** Every DNS record the program publishes (or asks the user to publish with `dns: none`). */
  dnsRecords: z.array(dnsRecordSchema),
  /** The same records as BIND zone-file text. */
  zoneFile: z.string(),
  /** DKIM selector and the base64 public key published at `<selector>._domainkey.<domain>`. */
  dkim: dkimSchema,
  /** The outbound relay; `host` empty when `relay.provider` is `none`. The password is never here. */
  relay: relaySchema.default({ provider: "none", host: "", port: 0, username: "" }),
  /** Ports the container publishes. */
  ports: z.array(port).default([]),
  /** What to put in a mail client. */
  clientSettings: z.object({
    imap: z.object({ host: hostName, port, security: z.literal("SSL/TLS") }),
    smtp: z.object({ host: hostName, port, security: z.literal("STARTTLS") }),
    username: z.literal(CLIENT_USERNAME),
  }),
  /** The reverse-DNS (PTR) entries to ask the server's provider for. */
  ptrRequest: z
    .array(
      z.object({ ip: z.string().refine((ip) => isIPv4(ip) || isIPv6(ip), "is not an IP address"), hostname: hostName }),
    )
    .default([]),
  /** Mail accounts (full addresses). Their passwords are in the secret `passwords` output. */
  accounts: z.array(address).default([]),

  // Read by `mailstack addresses`, which asks for `pulumi up` when they are absent (outputs from before them).
  /** Aliases and their targets. */
  aliases: z.array(aliasSchema).optional(),
  /** The account (or address) taking mail for every other address; absent without a catch-all. */
  catchAll: address.optional(),
  /** Addresses refused at RCPT time, in config order. */
  blocked: z.array(address).optional(),
  /** Config `relatedSenders`: per-site name, address or `*` → sender domains that are no sign of a leak. */
  relatedSenders: z.record(z.string(), z.array(hostName)).optional(),
  /** Where the container runs: its mail log is read over the same Docker connection. */
  docker: z.object({ host: z.string().optional(), containerName: z.string().min(1, "is empty") }).optional(),
  /** The backups (lib/render/backup.ts); absent in plans from before backups existed. The key is never here. */
  backup: backupPlanSchema.optional(),
  /** The certificate; absent in plans from before TLS automation. */
  tls: tlsPlanSchema.optional(),
  /** MTA-STS, TLS-RPT and client autoconfiguration; absent in outputs from before they were published. */
  wellKnown: wellKnownSchema.optional(),

  /** The spam filter and its options (config `spam`); absent in outputs from before it, shown by the doctor. */
  spam: z
    .object({
      filter: z.enum(SPAM_FILTERS),
      dnsbl: z.boolean(),
      learning: z.boolean(),
      greylisting: z.boolean(),
    })
    .optional(),
});

export type PlannedDeployment = z.output<typeof plannedDeploymentSchema>;
