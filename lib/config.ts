import { isIPv4, isIPv6 } from "node:net";
import { MailConfig, RelayConfig, ResendConfig, DkimConfig, DmarcPolicy } from "./config-types";
import { readMailboxes } from "./config-mailboxes";
import { readRelatedSenders } from "./config-related-senders";
import { readBackup } from "./config-backup";
import { resolveRelay } from "./relay-presets";
import { parseRsaPrivateKey, rsaKeyBits } from "./dkim";
import { ACME_SERVERS, readTls } from "./config-tls";
import { normalizeName } from "./dns-format";
import { RESEND_REGIONS } from "./resend/api";
import { DEFAULT_IMAGE, imageProblem } from "./config-image";
import { checkForwarding } from "./config-forwarding";
import { readClientSetup } from "./config-client-setup";
import { readSpam } from "./config-spam";
import {
  field,
  isAddress,
  isDomainName,
  isNonPublicIp,
  LABEL,
  RawConfig,
  Reader,
  show,
  unknownFields,
} from "./config-reader";

export type { RawConfig } from "./config-reader";
export { isAddress, isDomainName } from "./config-reader";

/**
 * Parsing and validation of the whole `mailstack:` configuration, in one place. Runs before any resource is
 * registered; every problem is collected and reported at once, each naming the key, the bad value (never a
 * secret's value) and what is expected.
 */

const DMARC_POLICIES: DmarcPolicy[] = ["none", "quarantine", "reject"];
const DKIM_BITS = [1024, 2048, 3072, 4096];
/** Secret config keys: rejected when stored in plain text. */
const SECRET_KEYS = [
  "passwords",
  "relayPassword",
  "resendApiKey",
  "tlsPrivateKey",
  "dkimPrivateKey",
  "backupKey",
  "backupS3AccessKeyId",
  "backupS3SecretAccessKey",
];
/** docker-mailserver variables the program owns; `env` may not override them. */
const OWNED_ENV = [
  "SSL_TYPE",
  "SSL_CERT_PATH",
  "SSL_KEY_PATH",
  "SSL_DOMAIN",
  "DEFAULT_RELAY_HOST",
  "RELAY_USER",
  "RELAY_PASSWORD",
  "RELAY_PASSWORD__FILE",
  "RELAY_HOST",
  "RELAY_PORT",
  "OVERRIDE_HOSTNAME",
  "ACCOUNT_PROVISIONER",
  "POSTMASTER_ADDRESS",
  "SPOOF_PROTECTION",
  "ENABLE_FAIL2BAN",
  // spam: the filter, what it replaces and where spam goes (lib/render/container-env.ts)
  "ENABLE_RSPAMD",
  "ENABLE_RSPAMD_REDIS",
  "RSPAMD_LEARN",
  "RSPAMD_GREYLISTING",
  "ENABLE_DNSBL",
  "MOVE_SPAM_TO_JUNK",
  "ENABLE_OPENDKIM",
  "ENABLE_OPENDMARC",
  "ENABLE_POLICYD_SPF",
  "ENABLE_AMAVIS",
  "ENABLE_SPAMASSASSIN",
  "ENABLE_POSTGREY",
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`mailstack: invalid configuration, nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseConfig(raw: RawConfig): MailConfig {
  const r = new Reader(raw);
  const warnings: string[] = [];

  for (const key of SECRET_KEYS) {
    // `{}` is Pulumi.yaml's default for the passwords object: nothing set, nothing to protect.
    const value = raw.values[key]?.trim();
    if (value && value !== "{}" && !r.isSecret(key)) {
      const how =
        key === "passwords"
          ? "pulumi config set --secret --path 'passwords.<account>' <password>"
          : `pulumi config set --secret ${key} <value>`;
      r.fail(key, `is stored in plain text; remove it and set it with: ${how}`);
    }
  }

  // --- dns (decides how strict the domain/hostname/IP checks are) ---------------------------------------
  const dnsProvider = (r.string("dns") ?? "cloudflare").toLowerCase();
  if (dnsProvider !== "cloudflare" && dnsProvider !== "none")
    r.fail("dns", `is ${show(dnsProvider)}; expected "cloudflare" or "none" (records only exported)`);
  const managedDns = dnsProvider === "cloudflare";
  const zoneId = r.string("cloudflareZoneId");
  if (zoneId && !/^[0-9a-f]{32}$/.test(zoneId))
    r.fail(
      "cloudflareZoneId",
      `is ${show(zoneId)}; expected the 32-character hex zone ID from the Cloudflare dashboard`,
    );
  // Records already in the zone that mailstack may take over (lib/dns-adoption.ts says which to list).
  const rawAdopt = r.json("adoptDnsRecords") ?? [];
  const adopt = Array.isArray(rawAdopt) ? rawAdopt.map(String) : [];
  if (!Array.isArray(rawAdopt) || adopt.some((id) => !/^[0-9a-f]{32}$/.test(id)))
    r.fail(
      "adoptDnsRecords",
      `is ${show(rawAdopt)}; expected a list of 32-character hex Cloudflare record IDs, as the conflict message prints them`,
    );
  if (managedDns && !raw.hasCloudflareToken)
    r.problems.push(
      "cloudflare:apiToken is not set; create a token with Zone → DNS → Edit and Zone → Zone → Read (and User → API Tokens → Edit for tls.mode acme, the default) and run: pulumi config set --secret cloudflare:apiToken <token> (or set dns: none)",
    );

  // --- names ----------------------------------------------------------------------------------------
  const rawDomain = r.string("domain");
  const domain = rawDomain && normalizeName(rawDomain);
  if (!domain) r.fail("domain", "is required: the mail domain, e.g. pulumi config set domain example.com");
  else if (!isDomainName(domain))
    r.fail("domain", `is ${show(domain)}, not a domain name; expected something like example.com`);
  const validDomain = domain && isDomainName(domain) ? domain : "invalid.invalid";

  const hostname = normalizeName(r.string("hostname") ?? `mail.${validDomain}`);
  if (!isDomainName(hostname))
    r.fail("hostname", `is ${show(hostname)}, not a fully qualified host name; expected e.g. mail.${validDomain}`);
  else if (managedDns && hostname !== validDomain && !hostname.endsWith(`.${validDomain}`)) {
    r.fail(
      "hostname",
      `is ${show(hostname)}, outside the zone ${validDomain} managed on Cloudflare; use a name under ${validDomain} (e.g. mail.${validDomain}) or set dns: none and publish its A record yourself`,
    );
  }

  const serverIp = r.string("serverIp");
  if (serverIp && !isIPv4(serverIp))
    r.fail(
      "serverIp",
      `is ${show(serverIp)}, not an IPv4 address; expected the server's public IPv4, e.g. 203.0.113.10`,
    );
  else if (serverIp && isNonPublicIp(serverIp))
    r.fail(
      "serverIp",
      `is ${show(serverIp)}, a private or reserved address; the A record must carry the server's public IPv4`,
    );
  else if (!serverIp && managedDns)
    r.fail("serverIp", "is required when DNS is managed (dns: cloudflare): the server's public IPv4 for the A record");
  const serverIpv6 = r.string("serverIpv6");
  if (serverIpv6 && !isIPv6(serverIpv6)) r.fail("serverIpv6", `is ${show(serverIpv6)}, not an IPv6 address`);
  else if (serverIpv6 && isNonPublicIp(serverIpv6))
    r.fail(
      "serverIpv6",
      `is ${show(serverIpv6)}, a private or reserved address; the AAAA record must carry the server's public IPv6`,
    );

  // --- mailboxes ------------------------------------------------------------------------------------
  const { accounts, passwords, catchAll, aliases, blocked, postmaster } = readMailboxes(r, validDomain);
  const relatedSenders = readRelatedSenders(r, validDomain);

  // --- relay ----------------------------------------------------------------------------------------
  const relayObj = r.object("relay");
  unknownFields(r, relayObj, "relay", ["provider", "host", "port", "username", "region"]);
  const resendApiKey = r.string("resendApiKey");
  let relay: RelayConfig = { provider: "none", host: "", port: 0, username: "" };
  try {
    relay = resolveRelay({
      provider: field(r, relayObj, "provider", "relay.provider", "string") ?? "resend",
      host: field(r, relayObj, "host", "relay.host", "string"),
      port: field(r, relayObj, "port", "relay.port", "number"),
      username: field(r, relayObj, "username", "relay.username", "string"),
      region: field(r, relayObj, "region", "relay.region", "string"),
    });
  } catch (e) {
    r.problems.push((e as Error).message);
  }
  const relayPassword = r.secret("relayPassword");
  if (relay.provider !== "none") {
    const minted = relay.provider === "resend" && resendApiKey;
    if (!relayPassword && !minted) {
      r.fail(
        "relayPassword",
        `is required for the ${relay.provider} relay: pulumi config set --secret relayPassword <${relay.provider === "resend" ? "Resend API key" : "SMTP password"}>${relay.provider === "resend" ? " (or set resendApiKey to have one minted)" : ""}`,
      );
    } else if (relayPassword && /[\r\n]/.test(relayPassword))
      r.fail("relayPassword", "must be a single line (value not shown)");
    // postfix-sasl-password.cf is `[host]:port user:password`: Postfix trims the value and splits it at the first ':'.
    else if (relayPassword && relayPassword.trim() !== relayPassword)
      r.fail("relayPassword", "must not begin or end with whitespace, which Postfix would drop (value not shown)");
    if (/[\s:]/.test(relay.username))
      r.fail("relay.username", `is ${show(relay.username)}; a relay login cannot contain whitespace or ':'`);
    if (relayPassword) relay.password = relayPassword;
  }
  if (resendApiKey && relay.provider !== "resend")
    r.fail(
      "resendApiKey",
      `is set but relay.provider is ${show(relay.provider)}; Resend provisioning needs relay.provider: resend`,
    );

  // --- resend ---------------------------------------------------------------------------------------
  const resendObj = r.object("resend");
  unknownFields(r, resendObj, "resend", [
    "region",
    "returnPath",
    "dkim",
    "verifyWaitSeconds",
    "strictVerify",
    "keyRotation",
    "deleteOnDestroy",
  ]);
  const region = field(r, resendObj, "region", "resend.region", "string") ?? "us-east-1";
  if (!RESEND_REGIONS.includes(region))
    r.fail("resend.region", `is ${show(region)}; Resend's regions are ${RESEND_REGIONS.join(", ")}`);
  const returnPath = (field(r, resendObj, "returnPath", "resend.returnPath", "string") ?? "send").toLowerCase();
  if (!LABEL.test(returnPath))
    r.fail("resend.returnPath", `is ${show(returnPath)}; expected one DNS label such as "send"`);
  const resendDkim = field(r, resendObj, "dkim", "resend.dkim", "string");
  if (
    resendDkim &&
    !/^(v=DKIM1;\s*)?(k=rsa;\s*)?p=[A-Za-z0-9+/=]{100,}$/.test(resendDkim.replace(/\s+/g, " ").replace(/"\s*"/g, ""))
  ) {
    r.fail(
      "resend.dkim",
      `does not look like the DKIM value Resend shows (expected "p=MIGf…" from the resend._domainkey TXT record)`,
    );
  }
  const verifyWaitSeconds = field(r, resendObj, "verifyWaitSeconds", "resend.verifyWaitSeconds", "number") ?? 300;
  if (verifyWaitSeconds < 0 || verifyWaitSeconds > 3600)
    r.fail("resend.verifyWaitSeconds", `is ${verifyWaitSeconds}; expected 0–3600 seconds`);
  const resend: ResendConfig = {
    region,
    returnPath,
    dkim: resendDkim?.replace(/"\s*"/g, "").replace(/^"|"$/g, ""),
    apiKey: resendApiKey,
    verifyWaitSeconds,
    strictVerify: field(r, resendObj, "strictVerify", "resend.strictVerify", "boolean") ?? false,
    keyRotation: field(r, resendObj, "keyRotation", "resend.keyRotation", "string"),
    deleteOnDestroy: field(r, resendObj, "deleteOnDestroy", "resend.deleteOnDestroy", "boolean") ?? false,
  };
  if (relay.provider === "resend" && !resendApiKey && !resendDkim && managedDns) {
    r.fail(
      "resend.dkim",
      "is required with the Resend relay and managed DNS: copy the resend._domainkey value from Resend's domain page, or set resendApiKey to have the domain and its records provisioned",
    );
  }

  // --- tls ----------------------------------------------------------------------------------------
  const tls = readTls(r, raw, { hostname, domain: validDomain, managedDns }, warnings);

  // --- client setup: MTA-STS, TLS-RPT, autoconfiguration, SRV ---------------------------------------------
  const untrustedCertificate =
    tls.mode === "self-signed"
      ? "tls.mode self-signed"
      : tls.acme?.server === ACME_SERVERS["letsencrypt-staging"].url
        ? "the Let's Encrypt staging CA (tls.acme.server)"
        : undefined;
  const clientSetup = readClientSetup(r, { domain: validDomain, hostname, managedDns, untrustedCertificate }, warnings);

  // --- dkim -----------------------------------------------------------------------------------------
  const dkimObj = r.object("dkim");
  unknownFields(r, dkimObj, "dkim", ["selector", "bits"]);
  const selector = (field(r, dkimObj, "selector", "dkim.selector", "string") ?? "mail").toLowerCase();
  if (!selector.split(".").every((l) => LABEL.test(l)))
    r.fail("dkim.selector", `is ${show(selector)}; expected a DNS label such as "mail"`);
  if (selector === "resend" && relay.provider === "resend")
    r.fail("dkim.selector", `is "resend", which Resend's own DKIM record uses; pick another, e.g. "mail"`);
  const bits = field(r, dkimObj, "bits", "dkim.bits", "number") ?? 2048;
  if (!DKIM_BITS.includes(bits))
    r.fail(
      "dkim.bits",
      `is ${show(bits)}; expected one of ${DKIM_BITS.join(", ")} (below 1024 is refused by receivers)`,
    );
  const dkim: DkimConfig = { selector, bits };
  const dkimPem = r.secret("dkimPrivateKey");
  if (dkimPem) {
    try {
      const k = parseRsaPrivateKey(dkimPem);
      if (rsaKeyBits(k) < 1024)
        r.fail(
          "dkimPrivateKey",
          `is a ${rsaKeyBits(k)}-bit key; receivers require at least 1024 bits (2048 recommended)`,
        );
      else dkim.privateKeyPem = dkimPem;
    } catch (e) {
      r.fail("dkimPrivateKey", `is malformed: ${(e as Error).message} (value not shown)`);
    }
  }

  // --- dmarc ----------------------------------------------------------------------------------------
  const dmarcObj = r.object("dmarc");
  unknownFields(r, dmarcObj, "dmarc", ["policy", "rua"]);
  const policy = (field(r, dmarcObj, "policy", "dmarc.policy", "string") ?? "none") as DmarcPolicy;
  if (!DMARC_POLICIES.includes(policy))
    r.fail("dmarc.policy", `is ${show(policy)}; expected one of ${DMARC_POLICIES.join(", ")}`);
  const rua = field(r, dmarcObj, "rua", "dmarc.rua", "string");
  if (rua && !isAddress(rua.replace(/^mailto:/, "").toLowerCase()))
    r.fail("dmarc.rua", `is ${show(rua)}; expected an address for aggregate reports, e.g. dmarc@${validDomain}`);

  // --- docker ---------------------------------------------------------------------------------------
  const dockerObj = r.object("docker");
  unknownFields(r, dockerObj, "docker", ["host", "image", "containerName"]);
  const dockerHost = field(r, dockerObj, "host", "docker.host", "string");
  if (dockerHost && !/^(ssh:\/\/[^@\s]+@[^\s/]+|tcp:\/\/\S+|unix:\/\/\/\S+)$/.test(dockerHost))
    r.fail(
      "docker.host",
      `is ${show(dockerHost)}; expected ssh://user@server (remote engine over SSH), tcp://…, unix:///…, or empty for the local engine`,
    );
  const image = field(r, dockerObj, "image", "docker.image", "string") ?? DEFAULT_IMAGE;
  const badImage = imageProblem(image);
  if (badImage) r.fail("docker.image", badImage);
  const containerName = field(r, dockerObj, "containerName", "docker.containerName", "string") ?? "mailserver";
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(containerName))
    r.fail("docker.containerName", `is ${show(containerName)}; expected letters, digits, '_', '.', '-'`);

  // --- fail2ban: bans addresses after repeated failed logins (needs NET_ADMIN, added by MailServer) --------
  const rawFail2ban = r.json("fail2ban");
  if (rawFail2ban !== undefined && typeof rawFail2ban !== "boolean")
    r.fail("fail2ban", `must be true or false (got ${show(rawFail2ban)})`);
  const fail2ban = typeof rawFail2ban === "boolean" ? rawFail2ban : true;

  const spam = readSpam(r);

  // --- forwarding outside the domain through a relay that refuses foreign senders ---------------------
  const forwarding = checkForwarding(validDomain, relay.provider, [
    ...aliases.flatMap((a) => a.targets.map((target) => ({ key: `aliases.${a.address.split("@")[0]}`, target }))),
    ...(catchAll ? [{ key: "catchAll", target: catchAll }] : []),
    { key: "postmaster", target: postmaster },
  ]);
  for (const p of forwarding.problems) r.fail(p.key, p.message);
  warnings.push(...forwarding.warnings);

  // --- env ------------------------------------------------------------------------------------------
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.object("env") ?? {})) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k))
      r.fail(
        `env.${k}`,
        "is not a valid environment variable name; docker-mailserver variables are upper case, e.g. ENABLE_FAIL2BAN",
      );
    else if (OWNED_ENV.includes(k))
      r.fail(
        `env.${k}`,
        `is set by mailstack itself; use the matching setting (tls, relay, relayPassword, hostname, postmaster, fail2ban, spam) instead`,
      );
    else if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")
      r.fail(`env.${k}`, `must be a string, number or boolean (got ${show(v)})`);
    else env[k] = String(v);
  }

  // --- backup ---------------------------------------------------------------------------------------
  const backup = readBackup(r, warnings);

  if (r.problems.length) throw new ConfigError(r.problems);
  return {
    domain: validDomain,
    hostname,
    serverIp,
    serverIpv6,
    accounts,
    passwords,
    catchAll,
    aliases,
    blocked,
    postmaster,
    relatedSenders,
    relay,
    resend,
    tls,
    dkim,
    dmarc: { policy, rua: rua ? (rua.startsWith("mailto:") ? rua : `mailto:${rua}`) : undefined },
    dns: { provider: managedDns ? "cloudflare" : "none", zoneId, adopt },
    clientSetup,
    docker: { host: dockerHost, image, containerName },
    fail2ban,
    spam,
    env,
    backup,
    warnings,
  };
}
