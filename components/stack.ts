import * as pulumi from "@pulumi/pulumi";
import { MailConfig } from "../lib/config-types";
import { ZoneAdoption } from "../lib/dns-adoption";
import { DnsRecordSpec } from "../lib/dns-record";
import { renderZoneFile } from "../lib/dns-format";
import { MAIL_PORTS } from "../lib/render/container-env";
import { liveFileSpecs, planServerEnv, planServerFiles, relayFiles, serverInput } from "../lib/plan/server-files";
import { CLIENT_USERNAME, PlannedDeployment } from "../lib/planned";
import { DkimKey } from "./dkim";
import { perDomainName } from "./domain-names";
import { TlsCertificate } from "./tls";
import { MailAccounts } from "./accounts";
import { domainRecords, MailDns } from "./dns";
import { dockerEngine, MailServer } from "./mailserver";
import { AcmeRenewer } from "./acme";
import { planAcmeTls } from "../lib/render/acme";
import { Relay } from "./relay";
import { Backup } from "./backup";
import { planBackup } from "../lib/render/backup";
import { ClientSetupWorker } from "./client-setup";
import { planDomainWellKnown } from "../lib/plan/domain-records";

type Outputs<T> = { [K in keyof T]: pulumi.Output<T[K]> };

/**
 * The whole mail stack as one graph: keys, certificate, accounts, relay credentials, the container and
 * every DNS record. Built from a validated `MailConfig` (lib/config.ts); nothing here re-validates.
 */
export class MailStack extends pulumi.ComponentResource {
  readonly planned: Outputs<PlannedDeployment>;
  /** address → password (secret). */
  readonly passwords: pulumi.Output<Record<string, string>>;
  /** secret: the backup repository's key. */
  readonly backupKey: pulumi.Output<string>;

  /**
   * @param zones each domain's Cloudflare zone, read and checked before (lib/stack-config.ts readDnsZones);
   *   none with `dns: none`.
   */
  constructor(
    name: string,
    cfg: MailConfig,
    zones: Record<string, ZoneAdoption> = {},
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("mailstack:index:MailStack", name, {}, opts);
    const child = { parent: this };
    for (const w of cfg.warnings) pulumi.log.warn(w, this);
    const server = serverInput(cfg);

    // One DKIM key per domain, each under its own selector (components/domain-names.ts for the names).
    const dkims = cfg.domains.map((d, i) => {
      const { name: keyName, aliases } = perDomainName(`${name}-dkim`, d.domain, i, cfg.domains.length);
      return new DkimKey(
        keyName,
        { bits: d.dkim.bits, importedPrivateKeyPem: d.dkim.privateKeyPem && pulumi.secret(d.dkim.privateKeyPem) },
        { ...child, aliases },
      );
    });
    // --- the certificate: the renewer's (acme), or one kept in state (manual, self-signed) --------------
    const engine = dockerEngine(name, cfg.docker.host, this);
    const acme = cfg.tls.acme;
    const renewerContainer = `${cfg.docker.containerName}-certs`;
    // The zone of the domain that holds the host name, when DNS is managed (lib/config.ts refuses a host name
    // outside every hosted domain): the renewer answers the ACME challenge there.
    const hostDomain = server.domains.find((d) => d.host) ?? server.domains[0];
    const zone = zones[hostDomain.name];
    const renewer =
      acme && zone
        ? new AcmeRenewer(
            `${name}-acme`,
            {
              hostname: cfg.hostname,
              acme,
              zoneId: zone.zoneId,
              containerName: renewerContainer,
              provider: engine,
            },
            child,
          )
        : undefined;
    const tls = renewer
      ? undefined
      : new TlsCertificate(
          `${name}-tls`,
          {
            hostname: cfg.hostname,
            mode: cfg.tls.mode === "self-signed" ? "self-signed" : "manual",
            certificatePem: cfg.tls.certificatePem,
            privateKeyPem: cfg.tls.privateKeyPem && pulumi.secret(cfg.tls.privateKeyPem),
          },
          child,
        );
    // Every domain's accounts, each password resource named by its address: a new domain adds its own.
    const allAccounts = cfg.domains.flatMap((d) => d.accounts);
    const accounts = new MailAccounts(
      `${name}-accounts`,
      { accounts: allAccounts, configured: Object.keys(cfg.passwords), passwords: pulumi.secret(cfg.passwords) },
      child,
    );

    // --- client setup: a Cloudflare Worker serves MTA-STS and autoconfiguration (needs managed DNS) ------
    const wellKnown = planDomainWellKnown(server.domains[0]);
    const workerAccount = cfg.clientSetup.worker;
    const worker =
      zone && workerAccount && wellKnown.site
        ? new ClientSetupWorker(
            `${name}-client-setup`,
            { accountId: workerAccount.accountId, zoneId: zone.zoneId, site: wellKnown.site },
            child,
          )
        : undefined;
    // What serves each domain's HTTPS hosts, by host name: the records announcing them wait for it.
    const servers: Record<string, Record<string, pulumi.Resource>> = worker
      ? { [server.domains[0].name]: worker.domains }
      : {};

    // --- DNS: each domain's records (lib/plan/domain-records.ts), through one Cloudflare path -----------
    // server.domains is config's domains, in order: dkims[i] is domain i's key.
    const perDomain = server.domains.map((d, i) => ({
      domain: d.name,
      records: domainRecords(
        d,
        { dkimPublicKey: dkims[i].publicKey, acmeAccountUri: renewer?.accountUri },
        servers[d.name],
      ),
    }));
    const dns =
      Object.keys(zones).length > 0
        ? new MailDns(
            `${name}-dns`,
            { zones: perDomain.map((d) => ({ zone: zones[d.domain], records: d.records })) },
            child,
          )
        : undefined;
    // Each domain's relay credential: its own, the shared one, or a sending key Resend mints for the domain.
    const relays = cfg.domains.map((d, i) => {
      const { name: relayName, aliases } = perDomainName(`${name}-relay`, d.domain, i, cfg.domains.length);
      const zone = zones[d.domain];
      return new Relay(
        relayName,
        {
          domain: d.domain,
          relay: d.relay,
          resend: d.resend,
          // Resend's records exist once its API has answered: they join the same DNS path then.
          publish: dns && zone && ((returned, formerly) => dns.publishReturned(zone, "resend", returned, formerly)),
        },
        { ...child, aliases },
      );
    });
    const relayPasswords = pulumi.all(
      Object.fromEntries(
        cfg.domains.flatMap((d, i) => (relays[i].password ? [[d.domain, relays[i].password!] as const] : [])),
      ),
    );
    // Each domain's records, Resend's returned ones after its own.
    const domainRecordsOf = (i: number): pulumi.Output<DnsRecordSpec[]> =>
      pulumi
        .all([pulumi.all(perDomain[i].records.map((r) => r.spec)), relays[i].provisionedRecords])
        .apply(([own, provisioned]) => [...own, ...provisioned]);
    const allRecords = pulumi.all(perDomain.map((_, i) => domainRecordsOf(i))).apply((each) => each.flat());

    // --- the server: the plan of its files, evaluated over the credentials once they exist -------------
    // One apply over every credential makes the whole list a secret. That hides nothing a preview showed: the
    // container's `uploads` is one input property, and holding any secret it was sent as a secret whole.
    const files = pulumi
      .output({
        passwordHashes: accounts.passwordHashes,
        dkimPrivateKeys: Object.fromEntries(cfg.domains.map((d, i) => [d.domain, dkims[i].privateKeyPem])),
        tls: tls && { certificatePem: tls.certificatePem, privateKeyPem: tls.privateKeyPem },
        relayPasswords,
      })
      .apply((credentials) => planServerFiles(server, credentials));
    const mailServer = new MailServer(
      `${name}-server`,
      {
        plan: { hostname: server.hostname, env: planServerEnv(server), files },
        live: liveFileSpecs(relayFiles(server).credentials, relayFiles(server).map),
        image: cfg.docker.image,
        containerName: cfg.docker.containerName,
        provider: engine,
        dockerHost: cfg.docker.host,
        fail2ban: cfg.fail2ban,
        ipv6: !!cfg.serverIpv6,
        certificates: renewer && { volume: renewer.certsVolume, ready: renewer.container },
      },
      child,
    );

    const backupContainer = `${cfg.docker.containerName}-backup`;
    const backup = new Backup(
      `${name}-backup`,
      {
        backup: cfg.backup,
        hostname: cfg.hostname,
        containerName: backupContainer,
        mailData: mailServer.volume("mail-data"),
        mailState: mailServer.volume("mail-state"),
        provider: engine,
      },
      child,
    );

    // --- outputs --------------------------------------------------------------------------------------
    const ptr = [cfg.serverIp, cfg.serverIpv6]
      .filter((ip): ip is string => !!ip)
      .map((ip) => ({ ip, hostname: cfg.hostname }));
    const out = <T>(v: T) => pulumi.output(v) as pulumi.Output<T>;
    // Per domain, only when there are several: a single-domain stack's outputs stay what they were.
    const plannedDomains =
      cfg.domains.length > 1
        ? pulumi.all(
            cfg.domains.map((d, i) =>
              pulumi.all([dkims[i].publicKey, domainRecordsOf(i)]).apply(([publicKey, records]) => ({
                domain: d.domain,
                dkim: { selector: d.dkim.selector, publicKey },
                relay: {
                  provider: d.relay.provider,
                  host: d.relay.host,
                  port: d.relay.port,
                  username: d.relay.username,
                },
                accounts: d.accounts,
                aliases: d.aliases,
                catchAll: d.catchAll,
                blocked: d.blocked,
                dnsRecords: records,
                zoneFile: renderZoneFile(d.domain, records),
              })),
            ),
          )
        : out(undefined);
    this.planned = {
      domain: out(cfg.domain),
      domains: plannedDomains,
      hostname: out(cfg.hostname),
      serverIp: out(cfg.serverIp),
      serverIpv6: out(cfg.serverIpv6),
      dnsRecords: allRecords,
      zoneFile: allRecords.apply((rs) => renderZoneFile(cfg.domain, rs)),
      dkim: dkims[0].publicKey.apply((publicKey) => ({ selector: cfg.dkim.selector, publicKey })),
      relay: out({
        provider: cfg.relay.provider,
        host: cfg.relay.host,
        port: cfg.relay.port,
        username: cfg.relay.username,
      }),
      ports: out(MAIL_PORTS),
      clientSettings: out({
        imap: { host: cfg.hostname, port: 993, security: "SSL/TLS" as const },
        smtp: { host: cfg.hostname, port: 587, security: "STARTTLS" as const },
        username: CLIENT_USERNAME,
      }),
      ptrRequest: out(ptr),
      accounts: out(allAccounts),
      aliases: out(cfg.domains.flatMap((d) => d.aliases)),
      catchAll: out(cfg.catchAll),
      blocked: out(cfg.domains.flatMap((d) => d.blocked)),
      relatedSenders: out(cfg.relatedSenders),
      docker: out({ host: cfg.docker.host, containerName: cfg.docker.containerName }),
      tls: renewer
        ? renewer.accountUri.apply((accountUri) =>
            planAcmeTls({ hostname: cfg.hostname, acme: acme!, accountUri, container: renewerContainer }),
          )
        : tls!.summary,
      backup: pulumi
        .all([mailServer.volume("mail-data").name, mailServer.volume("mail-state").name])
        .apply(([mailData, mailState]) =>
          planBackup({
            host: cfg.hostname,
            backup: cfg.backup,
            container: backupContainer,
            volumes: { mailData, mailState },
          }),
        ),
      wellKnown: out(wellKnown.outputs),
      spam: out(cfg.spam),
    };
    this.passwords = accounts.passwords;
    this.backupKey = backup.key;
    this.registerOutputs({ ...this.planned, passwords: this.passwords, backupKey: this.backupKey });
  }
}
