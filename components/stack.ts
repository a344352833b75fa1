import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { MailConfig } from "../lib/config-types";
import { DnsRecordSpec } from "../lib/dns-record";
import { planDkimRecord, planDnsRecords } from "../lib/render/dns-records";
import { renderZoneFile } from "../lib/dns-format";
import {
  CONFIG_DIR,
  dkimKeyPath,
  renderOpenDkim,
  renderReceiveAccess,
  renderVirtual,
} from "../lib/render/mailserver-files";
import { CERT_PATH, KEY_PATH, MAIL_PORTS, RELAY_PASSWORD_PATH, renderContainerEnv } from "../lib/render/container-env";
import { CLIENT_USERNAME, PlannedDeployment } from "../lib/planned";
import { DkimKey } from "./dkim";
import { TlsCertificate } from "./tls";
import { MailAccounts } from "./accounts";
import { MailDns } from "./dns";
import { MailServer, ServerFile } from "./mailserver";
import { Relay } from "./relay";

type Outputs<T> = { [K in keyof T]: pulumi.Output<T[K]> };

/**
 * The whole mail stack as one graph: keys, certificate, accounts, relay credentials, the container and
 * every DNS record. Built from a validated `MailConfig` (lib/config.ts); nothing here re-validates.
 */
export class MailStack extends pulumi.ComponentResource {
  readonly planned: Outputs<PlannedDeployment>;
  /** address → password (secret). */
  readonly passwords: pulumi.Output<Record<string, string>>;

  constructor(name: string, cfg: MailConfig, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:index:MailStack", name, {}, opts);
    const child = { parent: this };
    for (const w of cfg.warnings) pulumi.log.warn(w, this);

    const zoneId: pulumi.Output<string> | undefined =
      cfg.dns.provider === "none"
        ? undefined
        : cfg.dns.zoneId
          ? pulumi.output(cfg.dns.zoneId)
          : cloudflare.getZoneOutput({ filter: { name: cfg.domain } }, child).zoneId.apply((id) => {
              if (!id)
                throw new Error(
                  `mailstack:domain: no Cloudflare zone named ${cfg.domain} is visible to cloudflare:apiToken; add the zone or set mailstack:cloudflareZoneId`,
                );
              return id;
            });

    const dkim = new DkimKey(
      `${name}-dkim`,
      { bits: cfg.dkim.bits, importedPrivateKeyPem: cfg.dkim.privateKeyPem && pulumi.secret(cfg.dkim.privateKeyPem) },
      child,
    );
    const tls = new TlsCertificate(
      `${name}-tls`,
      {
        hostname: cfg.hostname,
        mode: cfg.tls.mode,
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
    const relay = new Relay(
      `${name}-relay`,
      { domain: cfg.domain, relay: cfg.relay, resend: cfg.resend, zoneId },
      child,
    );

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
    const records = [
      ...known.map((spec) => ({ key: spec, spec: pulumi.output(spec) })),
      { key: dkimRecord(""), spec: dkim.publicKey.apply(dkimRecord) },
      ...relay.manualRecords.map((spec) => ({ key: spec, spec: pulumi.output(spec) })),
    ];
    if (zoneId) new MailDns(`${name}-dns`, { zoneId, records }, child);
    const allRecords: pulumi.Output<DnsRecordSpec[]> = pulumi
      .all([pulumi.all(records.map((r) => r.spec)), relay.provisionedRecords])
      .apply(([own, provisioned]) => [...own, ...provisioned]);

    // --- the server and its files ---------------------------------------------------------------------
    const openDkim = renderOpenDkim({ domain: cfg.domain, selector: cfg.dkim.selector });
    const conf = (file: string) => `${CONFIG_DIR}/${file}`;
    const files: ServerFile[] = [
      { path: conf("postfix-accounts.cf"), content: accounts.accountsFile, permissions: "0600" },
      {
        path: conf("postfix-virtual.cf"),
        content: renderVirtual({
          domain: cfg.domain,
          accounts: cfg.accounts,
          aliases: cfg.aliases,
          catchAll: cfg.catchAll,
        }),
        permissions: "0644",
      },
      { path: conf("postfix-receive-access.cf"), content: renderReceiveAccess(cfg.blocked), permissions: "0644" },
      { path: conf("opendkim/KeyTable"), content: openDkim.keyTable, permissions: "0644" },
      { path: conf("opendkim/SigningTable"), content: openDkim.signingTable, permissions: "0644" },
      { path: conf("opendkim/TrustedHosts"), content: openDkim.trustedHosts, permissions: "0644" },
      {
        path: conf(dkimKeyPath({ domain: cfg.domain, selector: cfg.dkim.selector })),
        content: dkim.privateKeyPem,
        permissions: "0600",
      },
      { path: CERT_PATH, content: tls.certificatePem, permissions: "0644" },
      { path: KEY_PATH, content: tls.privateKeyPem, permissions: "0600" },
    ];
    if (relay.password) files.push({ path: RELAY_PASSWORD_PATH, content: relay.password, permissions: "0600" });

    new MailServer(
      `${name}-server`,
      {
        hostname: cfg.hostname,
        image: cfg.docker.image,
        containerName: cfg.docker.containerName,
        dockerHost: cfg.docker.host,
        envs: renderContainerEnv({ domain: cfg.domain, accounts: cfg.accounts, relay: cfg.relay, extra: cfg.env }),
        files,
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
    };
    this.passwords = accounts.passwords;
    this.registerOutputs({ ...this.planned, passwords: this.passwords });
  }
}
