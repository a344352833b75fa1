import * as pulumi from "@pulumi/pulumi";
import { MailConfig } from "../lib/config-types";
import { ZoneAdoption } from "../lib/dns-adoption";
import { DnsRecordSpec } from "../lib/dns-record";
import { planDkimRecord, planDnsRecords } from "../lib/render/dns-records";
import { renderZoneFile } from "../lib/dns-format";
import {
  CONFIG_DIR,
  dkimKeyPath,
  renderOpenDkim,
  renderReceiveAccess,
  renderVirtual,
  routedRoles,
} from "../lib/render/mailserver-files";
import { CERT_PATH, KEY_PATH, MAIL_PORTS, renderContainerEnv } from "../lib/render/container-env";
import { renderSaslPassword } from "../lib/render/postfix-sasl-password";
import {
  renderRspamdDkimSigning,
  renderRspamdDmarc,
  renderRspamdForceActions,
  rspamdDkimKeyPath,
} from "../lib/render/rspamd";
import { renderPostfixMain, renderSenderLoginMaps, SENDER_LOGIN_MAPS_PATH } from "../lib/render/sender-login-maps";
import { ROLE_ADDRESSES } from "../lib/config-mailboxes";
import { CLIENT_USERNAME, PlannedDeployment } from "../lib/planned";
import { DkimKey } from "./dkim";
import { TlsCertificate } from "./tls";
import { MailAccounts } from "./accounts";
import { MailDns } from "./dns";
import { dockerEngine, MailServer, ServerFile } from "./mailserver";
import { AcmeRenewer } from "./acme";
import { planAcmeTls, planCaaRecords } from "../lib/render/acme";
import { Relay } from "./relay";
import { Backup } from "./backup";
import { planBackup } from "../lib/render/backup";
import { ClientSetupWorker } from "./client-setup";
import { planWellKnown } from "../lib/well-known/plan";

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
   * @param zone the Cloudflare zone, read and checked before (lib/stack-config.ts readDnsZone); undefined with
   *   `dns: none`.
   */
  constructor(name: string, cfg: MailConfig, zone?: ZoneAdoption, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:index:MailStack", name, {}, opts);
    const child = { parent: this };
    for (const w of cfg.warnings) pulumi.log.warn(w, this);

    const dkim = new DkimKey(
      `${name}-dkim`,
      { bits: cfg.dkim.bits, importedPrivateKeyPem: cfg.dkim.privateKeyPem && pulumi.secret(cfg.dkim.privateKeyPem) },
      child,
    );
    // --- the certificate: the renewer's (acme), or one kept in state (manual, self-signed) --------------
    const engine = dockerEngine(name, cfg.docker.host, this);
    const acme = cfg.tls.acme;
    const renewerContainer = `${cfg.docker.containerName}-certs`;
    const renewer =
      acme && zone
        ? new AcmeRenewer(
            `${name}-acme`,
            { hostname: cfg.hostname, acme, zoneId: zone.zoneId, containerName: renewerContainer, provider: engine },
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
    const accounts = new MailAccounts(
      `${name}-accounts`,
      { accounts: cfg.accounts, configured: Object.keys(cfg.passwords), passwords: pulumi.secret(cfg.passwords) },
      child,
    );
    const relay = new Relay(`${name}-relay`, { domain: cfg.domain, relay: cfg.relay, resend: cfg.resend, zone }, child);

    // --- DNS: the set is known from config; only the DKIM record's content waits on the key -------------
    const known = planDnsRecords({
      domain: cfg.domain,
      hostname: cfg.hostname,
      serverIp: cfg.serverIp,
      serverIpv6: cfg.serverIpv6,
      dmarc: cfg.dmarc,
    });
    const dkimRecord = (publicKey: string) =>
      planDkimRecord({ domain: cfg.domain, selector: cfg.dkim.selector, publicKey });
    // MTA-STS, TLS-RPT, SRV and autoconfiguration; the Worker serving the HTTPS parts needs managed DNS.
    const wellKnown = planWellKnown({ domain: cfg.domain, hostname: cfg.hostname, setup: cfg.clientSetup });
    const worker =
      zone && cfg.clientSetup.worker && wellKnown.site
        ? new ClientSetupWorker(
            `${name}-client-setup`,
            { accountId: cfg.clientSetup.worker.accountId, zoneId: zone.zoneId, site: wellKnown.site },
            child,
          )
        : undefined;
    const records = [
      ...known.map((spec) => ({ key: spec, spec: pulumi.output(spec) })),
      { key: dkimRecord(""), spec: dkim.publicKey.apply(dkimRecord) },
      ...relay.manualRecords.map((spec) => ({ key: spec, spec: pulumi.output(spec) })),
      ...wellKnown.records.map((spec) => ({ key: spec, spec: pulumi.output(spec) })),
      // `_mta-sts` only once its host serves the policy: senders that find the record fetch the policy at once.
      ...wellKnown.announcements.map(({ record, host }) => ({
        key: record,
        spec: pulumi.output(record),
        dependsOn: worker && [worker.domains[host]],
      })),
    ];
    if (renewer && acme) {
      // The CAA record names the account, known once it is registered; its type and name are known now.
      const caa = (accountUri: string) => planCaaRecords({ hostname: cfg.hostname, acme, accountUri });
      for (const [i, key] of caa("").entries())
        records.push({ key, spec: renewer.accountUri.apply((uri) => caa(uri)[i]) });
    }
    if (zone) {
      const importId = zone.importIds(records.map((r) => r.key));
      new MailDns(
        `${name}-dns`,
        { zoneId: zone.zoneId, records: records.map((r) => ({ ...r, importId: importId(r.key) })) },
        child,
      );
    }
    const allRecords: pulumi.Output<DnsRecordSpec[]> = pulumi
      .all([pulumi.all(records.map((r) => r.spec)), relay.provisionedRecords])
      .apply(([own, provisioned]) => [...own, ...provisioned]);

    // --- the server and its files ---------------------------------------------------------------------
    const conf = (file: string) => `${CONFIG_DIR}/${file}`;
    const mailboxes = {
      domain: cfg.domain,
      accounts: cfg.accounts,
      aliases: cfg.aliases,
      catchAll: cfg.catchAll,
      postmaster: cfg.postmaster,
      roles: ROLE_ADDRESSES,
    };
    const file = (path: string, content: pulumi.Input<string>, permissions = "0644"): ServerFile => ({
      path,
      content,
      permissions,
    });
    // One key, selector and DNS record whoever signs: Rspamd when it filters (OpenDKIM is then off), else
    // OpenDKIM. Only the signer's files are uploaded; docker-mailserver ignores the other's.
    const signer = { domain: cfg.domain, selector: cfg.dkim.selector };
    const openDkim = renderOpenDkim(signer);
    const signingFiles: ServerFile[] =
      cfg.spam.filter === "rspamd"
        ? [
            file(conf(rspamdDkimKeyPath(signer)), dkim.privateKeyPem, "0600"),
            file(conf("rspamd/override.d/dkim_signing.conf"), renderRspamdDkimSigning(signer)),
            file(conf("rspamd/override.d/dmarc.conf"), renderRspamdDmarc()),
            file(conf("rspamd/override.d/force_actions.conf"), renderRspamdForceActions()),
          ]
        : [
            file(conf("opendkim/KeyTable"), openDkim.keyTable),
            file(conf("opendkim/SigningTable"), openDkim.signingTable),
            file(conf("opendkim/TrustedHosts"), openDkim.trustedHosts),
            file(conf(dkimKeyPath(signer)), dkim.privateKeyPem, "0600"),
          ];
    // The docker provider refuses an upload without content, so a table with nothing to say is left out
    // (docker-mailserver does without postfix-virtual.cf and only wires postfix-receive-access.cf if present).
    const optional = (path: string, content: string): ServerFile[] => (content ? [file(path, content)] : []);
    const files: ServerFile[] = [
      file(conf("postfix-accounts.cf"), accounts.accountsFile, "0600"),
      ...optional(conf("postfix-virtual.cf"), renderVirtual(mailboxes)),
      ...optional(conf("postfix-receive-access.cf"), renderReceiveAccess(cfg.blocked)),
      file(conf("postfix-main.cf"), renderPostfixMain()),
      file(
        SENDER_LOGIN_MAPS_PATH,
        renderSenderLoginMaps({ ...mailboxes, roles: routedRoles(mailboxes), blocked: cfg.blocked }),
      ),
      ...signingFiles,
      ...(tls ? [file(CERT_PATH, tls.certificatePem), file(KEY_PATH, tls.privateKeyPem, "0600")] : []),
    ];
    // The relay credentials in the form every docker-mailserver 15.x reads (secret: apply keeps it secret).
    if (relay.password)
      files.push(
        file(
          conf("postfix-sasl-password.cf"),
          relay.password.apply((password) => renderSaslPassword(cfg.relay, password)),
          "0600",
        ),
      );

    const server = new MailServer(
      `${name}-server`,
      {
        hostname: cfg.hostname,
        image: cfg.docker.image,
        containerName: cfg.docker.containerName,
        provider: engine,
        envs: renderContainerEnv({
          domain: cfg.domain,
          relay: cfg.relay,
          fail2ban: cfg.fail2ban,
          tls: renewer ? { type: "letsencrypt", domain: cfg.hostname } : { type: "manual" },
          spam: cfg.spam,
          extra: cfg.env,
        }),
        files,
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
        mailData: server.volume("mail-data"),
        mailState: server.volume("mail-state"),
        provider: engine,
      },
      child,
    );

    // --- outputs --------------------------------------------------------------------------------------
    const ptr = [cfg.serverIp, cfg.serverIpv6]
      .filter((ip): ip is string => !!ip)
      .map((ip) => ({ ip, hostname: cfg.hostname }));
    const out = <T>(v: T) => pulumi.output(v) as pulumi.Output<T>;
    this.planned = {
      domain: out(cfg.domain),
      hostname: out(cfg.hostname),
      serverIp: out(cfg.serverIp),
      serverIpv6: out(cfg.serverIpv6),
      dnsRecords: allRecords,
      zoneFile: allRecords.apply((rs) => renderZoneFile(cfg.domain, rs)),
      dkim: dkim.publicKey.apply((publicKey) => ({ selector: cfg.dkim.selector, publicKey })),
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
      accounts: out(cfg.accounts),
      aliases: out(cfg.aliases),
      catchAll: out(cfg.catchAll),
      blocked: out(cfg.blocked),
      relatedSenders: out(cfg.relatedSenders),
      docker: out({ host: cfg.docker.host, containerName: cfg.docker.containerName }),
      tls: renewer
        ? renewer.accountUri.apply((accountUri) =>
            planAcmeTls({ hostname: cfg.hostname, acme: acme!, accountUri, container: renewerContainer }),
          )
        : tls!.summary,
      backup: pulumi
        .all([server.volume("mail-data").name, server.volume("mail-state").name])
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
