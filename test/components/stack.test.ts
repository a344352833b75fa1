import { createPublicKey } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  containerEnv,
  containerFiles,
  ProgramRun,
  PROD_CONFIG,
  resourceOf,
  runProgram,
  SECOND_CONFIG,
  mailContainer,
} from "../support/run-program";
import { RESEND_DKIM } from "../support/fixtures";
import { sha512Crypt } from "../../lib/sha512-crypt";
import { unquoteTxt } from "../../lib/dns-format";

const DNS = "cloudflare:index/dnsRecord:DnsRecord";
const CONF = "/tmp/docker-mailserver";

/** MTA-STS, TLS-RPT and SRV records: test/components/client-setup.test.ts checks them. */
const clientSetupRecord = (r: { type: string; name: string }) =>
  r.type === "SRV" || /^_(smtp\._tls|mta-sts)\./.test(r.name);

/**
 * The Cloudflare records' inputs, in the planned order (registration order depends on when inputs resolve),
 * the mail server's own: without the client-setup records.
 */
const dnsOf = (run: ProgramRun) => {
  const order = run.outputs.dnsRecords.map((r: { type: string; name: string }) => `${r.type} ${r.name}`);
  return run.resources
    .filter((r) => r.type === DNS)
    .map((r) => ({
      type: r.inputs.type,
      name: r.inputs.name,
      content: r.inputs.content,
      priority: r.inputs.priority,
      proxied: r.inputs.proxied,
      ttl: r.inputs.ttl,
      zoneId: r.inputs.zoneId,
    }))
    .filter((r) => !clientSetupRecord(r))
    .sort((a, b) => order.indexOf(`${a.type} ${a.name}`) - order.indexOf(`${b.type} ${b.name}`));
};

/** The key file of whoever signs: Rspamd with the spam filter, else OpenDKIM. */
function signingKeyPath(run: ProgramRun, domain: string, selector: string): string {
  return containerEnv(run).ENABLE_RSPAMD === "1"
    ? `${CONF}/rspamd/dkim/rsa-${selector}-${domain}.private.txt`
    : `${CONF}/opendkim/keys/${domain}/${selector}.private`;
}

/** The DKIM `p=` value published in DNS must be the public half of the key handed to the signer. */
function expectDkimPair(run: ProgramRun, domain: string, selector: string) {
  const record = run.resources.find((r) => r.type === DNS && r.inputs.name === `${selector}._domainkey.${domain}`)!;
  const p = /p=([A-Za-z0-9+/=]+)/.exec(unquoteTxt(record.inputs.content))![1];
  const privatePem = containerFiles(run).get(signingKeyPath(run, domain, selector))!;
  const derived = createPublicKey(privatePem).export({ type: "spki", format: "der" }).toString("base64");
  expect(p).toBe(derived);
  expect(
    createPublicKey({ key: Buffer.from(p, "base64"), format: "der", type: "spki" }).asymmetricKeyDetails?.modulusLength,
  ).toBeGreaterThanOrEqual(1024);
}

describe("the prod stack (qladgk.com)", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(PROD_CONFIG);
  });

  it("publishes every record with full names, proxy off and a fixed TTL in the looked-up zone", () => {
    const zone = "f".repeat(32);
    const records = dnsOf(run).filter((r) => r.name !== "mail._domainkey.qladgk.com");
    expect(records).toEqual([
      {
        type: "A",
        name: "mail.qladgk.com",
        content: "11.22.33.44",
        priority: undefined,
        proxied: false,
        ttl: 3600,
        zoneId: zone,
      },
      {
        type: "MX",
        name: "qladgk.com",
        content: "mail.qladgk.com",
        priority: 10,
        proxied: false,
        ttl: 3600,
        zoneId: zone,
      },
      {
        type: "TXT",
        name: "qladgk.com",
        content: '"v=spf1 mx -all"',
        priority: undefined,
        proxied: false,
        ttl: 3600,
        zoneId: zone,
      },
      {
        type: "TXT",
        name: "_dmarc.qladgk.com",
        content: '"v=DMARC1; p=none;"',
        priority: undefined,
        proxied: false,
        ttl: 3600,
        zoneId: zone,
      },
      {
        type: "MX",
        name: "send.qladgk.com",
        content: "feedback-smtp.us-east-1.amazonses.com",
        priority: 10,
        proxied: false,
        ttl: 3600,
        zoneId: zone,
      },
      {
        type: "TXT",
        name: "send.qladgk.com",
        content: '"v=spf1 include:amazonses.com ~all"',
        priority: undefined,
        proxied: false,
        ttl: 3600,
        zoneId: zone,
      },
      {
        type: "TXT",
        name: "resend._domainkey.qladgk.com",
        content: `"${RESEND_DKIM}"`,
        priority: undefined,
        proxied: false,
        ttl: 3600,
        zoneId: zone,
      },
    ]);
    const dkim = dnsOf(run).find((r) => r.name === "mail._domainkey.qladgk.com")!;
    expect(dkim).toMatchObject({ type: "TXT", proxied: false, ttl: 3600 });
    expect(unquoteTxt(dkim.content)).toMatch(/^v=DKIM1; h=sha256; k=rsa; p=[A-Za-z0-9+/]+=*$/);
    // A 2048-bit key is longer than one TXT string: it is published as several quoted strings.
    expect(dkim.content.match(/"[^"]*"/g)!.length).toBe(2);
    expect(
      dnsOf(run).filter((r) => r.type === "TXT" && r.name === "qladgk.com" && r.content.includes("v=spf1")),
    ).toHaveLength(1);
  });

  it("publishes the public half of the very key OpenDKIM signs with", () => {
    expectDkimPair(run, "qladgk.com", "mail");
  });

  it("runs the pinned docker-mailserver image with ports, restart, grace period and healthcheck", () => {
    const image = resourceOf(run, "docker:index/remoteImage:RemoteImage", "-server-image");
    expect(image.inputs).toMatchObject({
      name: "ghcr.io/docker-mailserver/docker-mailserver:15.1.0",
      keepLocally: true,
    });
    const c = mailContainer(run);
    expect(c.inputs.image).toMatch(/^sha256:/);
    expect(c.inputs).toMatchObject({
      name: "mailserver",
      hostname: "mail.qladgk.com",
      restart: "always",
      stopTimeout: 60,
      destroyGraceSeconds: 60,
    });
    // IPv4 only (no serverIpv6): the provider's default bridge and 0.0.0.0 bindings; Fail2ban's NET_ADMIN.
    expect(c.inputs.ports).toEqual([25, 143, 465, 587, 993].map((p) => ({ internal: p, external: p, ip: "0.0.0.0" })));
    expect(c.inputs.networksAdvanced).toBeUndefined();
    expect(run.resources.filter((r) => r.type === "docker:index/network:Network")).toEqual([]);
    expect(c.inputs.capabilities).toEqual({ adds: ["CAP_NET_ADMIN"] });
    expect(c.inputs.healthcheck).toEqual({
      tests: ["CMD-SHELL", "ss --listening --ipv4 --tcp | grep --silent ':smtp' || exit 1"],
      interval: "30s",
      timeout: "3s",
      retries: 3,
      startPeriod: "1m30s",
    });
    expect(c.options?.replaceOnChanges).toEqual(["healthcheck"]);
  });

  it("keeps mail in named volumes that survive container replacement and destroy", () => {
    const volumes = run.resources.filter((r) => r.type === "docker:index/volume:Volume");
    expect(volumes.map((v) => [v.inputs.name, v.options?.retainOnDelete])).toEqual([
      ["mailserver-mail-data", true],
      ["mailserver-mail-state", true],
      ["mailserver-mail-logs", true],
    ]);
    expect(mailContainer(run).inputs.volumes).toEqual([
      { volumeName: "mailserver-mail-data", containerPath: "/var/mail" },
      { volumeName: "mailserver-mail-state", containerPath: "/var/mail-state" },
      { volumeName: "mailserver-mail-logs", containerPath: "/var/log/mail" },
    ]);
  });

  it("configures TLS and the Resend relay without putting the relay key in the environment", () => {
    const env = containerEnv(run);
    expect(env).toMatchObject({
      SSL_TYPE: "manual",
      SSL_CERT_PATH: "/tmp/dms/custom-certs/cert.pem",
      SSL_KEY_PATH: "/tmp/dms/custom-certs/key.pem",
      DEFAULT_RELAY_HOST: "[smtp.resend.com]:587",
      ENABLE_CLAMAV: "0",
      ENABLE_SPAMASSASSIN: "0",
      ENABLE_RSPAMD: "1",
      ENABLE_OPENDKIM: "0",
      ENABLE_FAIL2BAN: "1",
      SPOOF_PROTECTION: "1",
      ACCOUNT_PROVISIONER: "FILE",
      POSTMASTER_ADDRESS: "postmaster@qladgk.com",
    });
    // No RELAY_PASSWORD__FILE (15.1.0+ only) nor RELAY_USER: the credentials are a file every 15.x reads.
    expect(Object.keys(env).filter((k) => k.startsWith("RELAY_"))).toEqual([]);
    expect(JSON.stringify(mailContainer(run).inputs.envs)).not.toContain(PROD_CONFIG.relayPassword as string);
    const files = containerFiles(run);
    expect(files.get(`${CONF}/postfix-sasl-password.cf`)).toBe(
      `[smtp.resend.com]:587 resend:${PROD_CONFIG.relayPassword}\n`,
    );
    expect(files.get("/tmp/dms/custom-certs/cert.pem")).toBe(PROD_CONFIG.tlsCertificate);
    expect(files.get("/tmp/dms/custom-certs/key.pem")).toBe(PROD_CONFIG.tlsPrivateKey);
  });

  it("writes one account line per mailbox whose hash verifies the exported password", () => {
    const lines = containerFiles(run).get(`${CONF}/postfix-accounts.cf`)!.trim().split("\n");
    // In grep-safe order (lib/render/postfix-accounts.ts grepSafeOrder), not config order.
    expect(lines.map((l) => l.split("|")[0])).toEqual(["hi@qladgk.com", "info@qladgk.com", "postmaster@qladgk.com"]);
    for (const line of lines) {
      const [address, hash] = line.split("|");
      const crypt = hash.replace("{SHA512-CRYPT}", "");
      const salt = crypt.split("$")[2];
      const password = run.outputs.passwords[address];
      expect(password).toMatch(/^[A-Za-z0-9]{20,}$/);
      expect(sha512Crypt(password, salt)).toBe(crypt);
    }
  });

  it("wires the graph: the DKIM record waits on the key, the container on its key, passwords, image and volumes", () => {
    const byName = (n: string) => run.resources.find((r) => r.name === n)!;
    expect(byName("mailstack-dns-txt-mail._domainkey.qladgk.com").options?.dependsOn).toEqual(["mailstack-dkim-key"]);
    expect(byName("mailstack-dns-a-mail.qladgk.com").options?.dependsOn).toEqual([]);
    const deps = mailContainer(run).options!.dependsOn;
    for (const d of [
      "mailstack-dkim-key",
      "mailstack-server-image",
      "mailstack-server-mail-data",
      "mailstack-accounts-hi@qladgk.com",
    ])
      expect(deps).toContain(d);
    // Components are parented under the stack, records under the DNS component.
    expect(byName("mailstack-dns").options?.parent).toBe("mailstack");
    expect(byName("mailstack-dns-mx-qladgk.com").options?.parent).toBe("mailstack-dns");
  });

  it("exports the records as a table and a zone file, client settings, the PTR request and secret passwords", () => {
    const o = run.outputs;
    expect(o.dnsRecords.map((r: { type: string; name: string }) => `${r.type} ${r.name}`)).toEqual([
      "A mail.qladgk.com",
      "MX qladgk.com",
      "TXT qladgk.com",
      "TXT _dmarc.qladgk.com",
      "TXT mail._domainkey.qladgk.com",
      "MX send.qladgk.com",
      "TXT send.qladgk.com",
      "TXT resend._domainkey.qladgk.com",
      "TXT _smtp._tls.qladgk.com",
      "SRV _submissions._tcp.qladgk.com",
      "SRV _submission._tcp.qladgk.com",
      "SRV _imaps._tcp.qladgk.com",
      "SRV _imap._tcp.qladgk.com",
      "SRV _pop3s._tcp.qladgk.com",
      "SRV _pop3._tcp.qladgk.com",
    ]);
    expect(o.zoneFile).toMatch(/^qladgk\.com\.\s+3600 IN MX\s+10 mail\.qladgk\.com\. ;/m);
    expect(o.zoneFile).toMatch(
      /^mail\._domainkey\.qladgk\.com\.\s+3600 IN TXT\s+"v=DKIM1; h=sha256; k=rsa; p=[^"]+" "[^"]+" ;/m,
    );
    expect(o.clientSettings).toEqual({
      imap: { host: "mail.qladgk.com", port: 993, security: "SSL/TLS" },
      smtp: { host: "mail.qladgk.com", port: 587, security: "STARTTLS" },
      username: "%EMAILADDRESS%",
    });
    expect(o.ptrRequest).toEqual([{ ip: "11.22.33.44", hostname: "mail.qladgk.com" }]);
    expect(o.relay).toEqual({ provider: "resend", host: "smtp.resend.com", port: 587, username: "resend" });
    expect(o.ports).toEqual([25, 143, 465, 587, 993]);
    // The default filter, for mailstack doctor; Rspamd's web interface (11334) is not among the published ports.
    expect(o.spam).toEqual({ filter: "rspamd", dnsbl: true, learning: true, greylisting: false });
    expect(run.secretOutputs).toEqual(["backupKey", "passwords"]);
  });
});

describe("a second domain (example.org)", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(SECOND_CONFIG);
  });

  it("writes into the configured zone, with AAAA, DMARC reject and its own DKIM selector", () => {
    const zone = "0123456789abcdef0123456789abcdef";
    const records = dnsOf(run);
    expect(records.every((r) => r.zoneId === zone && r.proxied === false)).toBe(true);
    expect(records.map((r) => `${r.type} ${r.name}`)).toEqual([
      "A mx1.example.org",
      "AAAA mx1.example.org",
      "MX example.org",
      "TXT example.org",
      "TXT _dmarc.example.org",
      "TXT s2026._domainkey.example.org",
    ]);
    expect(records.find((r) => r.type === "MX")!.content).toBe("mx1.example.org");
    expect(records.find((r) => r.type === "AAAA")!.content).toBe("2001:db8::25");
    expect(records.find((r) => r.name === "_dmarc.example.org")!.content).toBe(
      '"v=DMARC1; p=reject; rua=mailto:dmarc@example.org;"',
    );
    expect(resourceOf(run, "tls:index/privateKey:PrivateKey", "-dkim-key").inputs).toMatchObject({
      algorithm: "RSA",
      rsaBits: 1024,
    });
    expectDkimPair(run, "example.org", "s2026");
  });

  it("runs on the remote engine over SSH with a self-signed certificate for the hostname", () => {
    const provider = resourceOf(run, "pulumi:providers:docker");
    expect(provider.inputs.host).toBe("ssh://deploy@203.0.113.25");
    const cert = resourceOf(run, "tls:index/selfSignedCert:SelfSignedCert");
    expect(cert.inputs).toMatchObject({
      subject: { commonName: "mx1.example.org" },
      dnsNames: ["mx1.example.org"],
      allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
    });
    const files = containerFiles(run);
    expect(files.get("/tmp/dms/custom-certs/cert.pem")).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(mailContainer(run).inputs).toMatchObject({ name: "mail", hostname: "mx1.example.org" });
  });

  it("exports who receives mail and where the container runs, for mailstack addresses", () => {
    expect(run.outputs).toMatchObject({
      aliases: [
        { address: "sales@example.org", targets: ["alice@example.org", "bob@example.org"] },
        { address: "abuse@example.org", targets: ["bob@example.org"] },
      ],
      catchAll: "bob@example.org",
      blocked: ["leaked-shop@example.org"],
      relatedSenders: {},
      docker: { host: "ssh://deploy@203.0.113.25", containerName: "mail" },
    });
    expect(run.secretOutputs).toEqual(["backupKey", "passwords"]);
  });

  it("without the spam filter, hands OpenDKIM the same kind of key and lets OpenDMARC and policyd-spf check", () => {
    expect(containerEnv(run)).toMatchObject({
      ENABLE_RSPAMD: "0",
      ENABLE_RSPAMD_REDIS: "0",
      ENABLE_OPENDKIM: "1",
      ENABLE_OPENDMARC: "1",
      ENABLE_POLICYD_SPF: "1",
      ENABLE_DNSBL: "0",
      MOVE_SPAM_TO_JUNK: "1",
    });
    const files = containerFiles(run);
    expect(files.get(`${CONF}/opendkim/KeyTable`)).toBe(
      "s2026._domainkey.example.org example.org:s2026:/etc/opendkim/keys/example.org/s2026.private\n",
    );
    expect(files.get(`${CONF}/opendkim/SigningTable`)).toBe("*@example.org s2026._domainkey.example.org\n");
    expect([...files.keys()].filter((f) => f.startsWith(`${CONF}/rspamd/`))).toEqual([]);
    expect(run.outputs.spam).toEqual({ filter: "none", dnsbl: false, learning: false, greylisting: false });
  });

  it("relays through SES, without Fail2ban, and merges extra environment last", () => {
    expect(containerEnv(run)).toMatchObject({
      DEFAULT_RELAY_HOST: "[email-smtp.eu-west-1.amazonaws.com]:587",
      ENABLE_FAIL2BAN: "0",
      ENABLE_UPDATE_CHECK: "0",
      POSTFIX_MESSAGE_SIZE_LIMIT: "25000000",
      TZ: "Europe/Berlin",
      POSTMASTER_ADDRESS: "postmaster@example.org",
    });
    expect(containerFiles(run).get(`${CONF}/postfix-sasl-password.cf`)).toBe(
      "[email-smtp.eu-west-1.amazonaws.com]:587 AKIAEXAMPLE:ses-smtp-password\n",
    );
    expect(mailContainer(run).inputs.capabilities).toBeUndefined();
  });

  it("publishes AAAA only with IPv6 that works: an IPv6 network and [::] bindings beside 0.0.0.0", () => {
    // docker-mailserver's IPv6 page: on the default IPv4 bridge, IPv6 connections fail, hang or lose the client IP.
    const network = resourceOf(run, "docker:index/network:Network");
    expect(network.inputs).toEqual({ name: "mail-network", driver: "bridge", ipv6: true });
    // Docker 27+ allocates the IPv6 subnet; a partial ipamConfigs would be read back different and replace it.
    expect(network.inputs.ipamConfigs).toBeUndefined();
    expect(network.options?.parent).toBe("mailstack-server");
    const c = mailContainer(run);
    expect(c.inputs.networksAdvanced).toEqual([{ name: "mail-network" }]);
    expect(c.options?.dependsOn).toContain("mailstack-server-network");
    expect(c.inputs.ports).toEqual(
      [25, 143, 465, 587, 993].flatMap((p) => [
        { internal: p, external: p, ip: "0.0.0.0" },
        { internal: p, external: p, ip: "::" },
      ]),
    );
  });

  it("uses the configured password and generates the other", () => {
    expect(run.outputs.passwords["alice@example.org"]).toBe("alice-password-1");
    expect(run.outputs.passwords["bob@example.org"]).toMatch(/^[A-Za-z0-9]{20,}$/);
    const generated = run.resources
      .filter((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.includes("-accounts-"))
      .map((r) => r.name);
    expect(generated).toEqual(["mailstack-accounts-bob@example.org"]);
    expect(run.outputs.ptrRequest).toEqual([
      { ip: "203.0.113.25", hostname: "mx1.example.org" },
      { ip: "2001:db8::25", hostname: "mx1.example.org" },
    ]);
  });
});

describe("dns: none", () => {
  it("creates no Cloudflare record and exports the zone file to paste", async () => {
    const run = await runProgram({ ...PROD_CONFIG, dns: "none", "cloudflare:apiToken": undefined });
    expect(run.resources.filter((r) => r.type === DNS)).toEqual([]);
    expect(run.outputs.zoneFile).toMatch(/^mail\.qladgk\.com\.\s+3600 IN A\s+11\.22\.33\.44/m);
    expect(run.outputs.dnsRecords.filter((r: { type: string; name: string }) => !clientSetupRecord(r))).toHaveLength(8);
  });
});

describe("invalid config through the real program", () => {
  it("stops with the message before any resource is registered", async () => {
    const error = await runProgram({ ...PROD_CONFIG, relay: { provider: "resend", port: 465 } }).catch((e) => e);
    expect(error.message).toMatch(/mailstack:relay\.port is 465: docker-mailserver only relays with STARTTLS/);
    expect(error.resources).toEqual([]);
  });
});
