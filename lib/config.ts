import { isIPv4, isIPv6 } from "node:net";
import { MailConfig, RelayConfig, ResendConfig, TlsConfig, DkimConfig } from "./config-types";
import { AliasLine } from "./render/mailserver-files";
import { DmarcPolicy } from "./render/dns-records";
import { resolveRelay } from "./relay-presets";
import { parseRsaPrivateKey, rsaKeyBits } from "./dkim";
import { checkManualCertificate } from "./tls-check";

/**
 * Parsing and validation of the whole `mailstack:` configuration, in one place. Runs before any resource is
 * registered; every problem is collected and reported at once, each naming the key, the bad value (never a
 * secret's value) and what is expected.
 */

/** The docker-mailserver release whose daemons match Debian 12 (Postfix 3.7, Dovecot 2.3, OpenDKIM 2.11). */
export const DEFAULT_IMAGE = "ghcr.io/docker-mailserver/docker-mailserver:15.1.0";
export const RESEND_REGIONS = ["us-east-1", "eu-west-1", "sa-east-1", "ap-northeast-1"];
const DMARC_POLICIES: DmarcPolicy[] = ["none", "quarantine", "reject"];
const DKIM_BITS = [1024, 2048, 3072, 4096];
/** Secret config keys: rejected when stored in plain text. */
const SECRET_KEYS = ["passwords", "relayPassword", "resendApiKey", "tlsPrivateKey", "dkimPrivateKey"];
/** docker-mailserver variables the program owns; `env` may not override them. */
const OWNED_ENV = ["SSL_TYPE", "SSL_CERT_PATH", "SSL_KEY_PATH", "DEFAULT_RELAY_HOST", "RELAY_USER", "RELAY_PASSWORD", "RELAY_PASSWORD__FILE", "OVERRIDE_HOSTNAME", "ACCOUNT_PROVISIONER"];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`mailstack: invalid configuration, nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Raw stack configuration as Pulumi stores it: strings, objects as JSON text. */
export interface RawConfig {
  /** `mailstack:*` values by key without the namespace. */
  values: Record<string, string | undefined>;
  /** Keys (without namespace) whose values are stored as secrets. */
  secretKeys: ReadonlySet<string>;
  /** Whether a Cloudflare API token is available (`cloudflare:apiToken` or CLOUDFLARE_API_TOKEN). */
  hasCloudflareToken: boolean;
  /** Reads a file named in config (relative to the project directory). */
  readFile: (path: string) => string;
  now: Date;
}

const show = (v: unknown) => JSON.stringify(v);
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const LOCAL_PART = /^(?!\.)(?!.*\.\.)[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\.)$/;

export function isDomainName(s: string): boolean {
  const labels = s.split(".");
  return s.length <= 253 && labels.length >= 2 && labels.every((l) => LABEL.test(l)) && /^[a-z]{2,63}$|^xn--/.test(labels[labels.length - 1]);
}

export function isAddress(s: string): boolean {
  const at = s.lastIndexOf("@");
  return at > 0 && LOCAL_PART.test(s.slice(0, at)) && isDomainName(s.slice(at + 1));
}

/** Addresses that must never be published in an A/AAAA record for a public mail server. */
function isNonPublicIp(ip: string): boolean {
  if (isIPv4(ip)) {
    const [a, b] = ip.split(".").map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const x = ip.toLowerCase();
  return x === "::" || x === "::1" || /^f[cd]/.test(x) || /^fe[89ab]/.test(x) || /^ff/.test(x);
}

/** Collects problems while reading; `fail` records one and returns undefined so parsing can go on. */
class Reader {
  readonly problems: string[] = [];
  constructor(readonly raw: RawConfig) {}

  fail(key: string, message: string): undefined {
    this.problems.push(`mailstack:${key} ${message}`);
    return undefined;
  }
  string(key: string): string | undefined {
    const v = this.raw.values[key];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  }
  /** A secret's raw value, untrimmed (a password may end in a space); empty means unset. */
  secret(key: string): string | undefined {
    const v = this.raw.values[key];
    return v === undefined || v === "" ? undefined : v;
  }
  /** A structured value; Pulumi stores objects and arrays as JSON text. */
  json(key: string): unknown {
    const v = this.raw.values[key];
    if (v === undefined || v.trim() === "") return undefined;
    try {
      return JSON.parse(v);
    } catch {
      // A plain string where an object/array was expected: let the caller report the type.
      return v;
    }
  }
  object(key: string): Record<string, unknown> | undefined {
    const v = this.json(key);
    if (v === undefined) return undefined;
    if (typeof v !== "object" || v === null || Array.isArray(v)) return this.fail(key, `must be an object (got ${this.isSecret(key) ? "a secret value" : show(v)}); set it in Pulumi.<stack>.yaml as a YAML mapping or with pulumi config set --path`);
    return v as Record<string, unknown>;
  }
  isSecret(key: string): boolean {
    return this.raw.secretKeys.has(key);
  }
}

/** Field of a config object, checked for type; `key` is the dotted path for messages. */
function field<T extends "string" | "number" | "boolean">(r: Reader, obj: Record<string, unknown> | undefined, name: string, key: string, type: T): (T extends "string" ? string : T extends "number" ? number : boolean) | undefined {
  const v = obj?.[name];
  if (v === undefined || v === null || v === "") return undefined;
  if (type === "number" && typeof v === "string" && /^\d+$/.test(v)) return Number(v) as never;
  if (type === "boolean" && (v === "true" || v === "false")) return (v === "true") as never;
  if (typeof v !== type) return r.fail(key, `must be a ${type} (got ${show(v)})`) as never;
  return (type === "string" ? (v as string).trim() : v) as never;
}

function unknownFields(r: Reader, obj: Record<string, unknown> | undefined, key: string, allowed: string[]): void {
  for (const k of Object.keys(obj ?? {})) {
    if (!allowed.includes(k)) r.fail(`${key}.${k}`, `is not a known setting; expected one of ${allowed.join(", ")}`);
  }
}

export function parseConfig(raw: RawConfig): MailConfig {
  const r = new Reader(raw);
  const warnings: string[] = [];

  for (const key of SECRET_KEYS) {
    if (raw.values[key]?.trim() && !r.isSecret(key)) {
      r.fail(key, `is stored in plain text; remove it and set it with: pulumi config set --secret ${key} <value>`);
    }
  }

  // --- dns (decides how strict the domain/hostname/IP checks are) ---------------------------------------
  const dnsProvider = (r.string("dns") ?? "cloudflare").toLowerCase();
  if (dnsProvider !== "cloudflare" && dnsProvider !== "none") r.fail("dns", `is ${show(dnsProvider)}; expected "cloudflare" or "none" (records only exported)`);
  const managedDns = dnsProvider === "cloudflare";
  const zoneId = r.string("cloudflareZoneId");
  if (zoneId && !/^[0-9a-f]{32}$/.test(zoneId)) r.fail("cloudflareZoneId", `is ${show(zoneId)}; expected the 32-character hex zone ID from the Cloudflare dashboard`);
  if (managedDns && !raw.hasCloudflareToken) r.problems.push("cloudflare:apiToken is not set; create a token with Zone:DNS:Edit and run: pulumi config set --secret cloudflare:apiToken <token> (or set dns: none)");

  // --- names ----------------------------------------------------------------------------------------
  const domain = r.string("domain")?.toLowerCase().replace(/\.$/, "");
  if (!domain) r.fail("domain", "is required: the mail domain, e.g. pulumi config set domain example.com");
  else if (!isDomainName(domain)) r.fail("domain", `is ${show(domain)}, not a domain name; expected something like example.com`);
  const validDomain = domain && isDomainName(domain) ? domain : "invalid.invalid";

  const hostname = (r.string("hostname") ?? `mail.${validDomain}`).toLowerCase().replace(/\.$/, "");
  if (!isDomainName(hostname)) r.fail("hostname", `is ${show(hostname)}, not a fully qualified host name; expected e.g. mail.${validDomain}`);
  else if (managedDns && hostname !== validDomain && !hostname.endsWith(`.${validDomain}`)) {
    r.fail("hostname", `is ${show(hostname)}, outside the zone ${validDomain} managed on Cloudflare; use a name under ${validDomain} (e.g. mail.${validDomain}) or set dns: none and publish its A record yourself`);
  }

  const serverIp = r.string("serverIp");
  if (serverIp && !isIPv4(serverIp)) r.fail("serverIp", `is ${show(serverIp)}, not an IPv4 address; expected the server's public IPv4, e.g. 203.0.113.10`);
  else if (serverIp && isNonPublicIp(serverIp)) r.fail("serverIp", `is ${show(serverIp)}, a private or reserved address; the A record must carry the server's public IPv4`);
  else if (!serverIp && managedDns) r.fail("serverIp", "is required when DNS is managed (dns: cloudflare): the server's public IPv4 for the A record");
  const serverIpv6 = r.string("serverIpv6");
  if (serverIpv6 && !isIPv6(serverIpv6)) r.fail("serverIpv6", `is ${show(serverIpv6)}, not an IPv6 address`);
  else if (serverIpv6 && isNonPublicIp(serverIpv6)) r.fail("serverIpv6", `is ${show(serverIpv6)}, a private or reserved address; the AAAA record must carry the server's public IPv6`);

  // --- addresses ------------------------------------------------------------------------------------
  /** `hi` → `hi@domain`; full addresses are lower-cased. */
  const full = (s: string) => (s.includes("@") ? s : `${s}@${validDomain}`).toLowerCase();

  const rawAccounts = r.json("accounts");
  const accounts: string[] = [];
  if (rawAccounts === undefined) r.fail("accounts", "is required: the mailboxes to create, e.g. [postmaster, hi]");
  else if (!Array.isArray(rawAccounts) || rawAccounts.length === 0) r.fail("accounts", `must be a non-empty list of local parts or addresses at ${validDomain} (got ${show(rawAccounts)})`);
  else {
    for (const a of rawAccounts) {
      if (typeof a !== "string") { r.fail("accounts", `has ${show(a)}; expected a local part like "hi" or an address at ${validDomain}`); continue; }
      const address = full(a.trim());
      if (!isAddress(address)) r.fail("accounts", `has ${show(a)}, not a valid address; expected a local part like "hi" or hi@${validDomain}`);
      else if (!address.endsWith(`@${validDomain}`)) r.fail("accounts", `has ${show(a)}, which is not at ${validDomain}; this server hosts mailboxes for ${validDomain} only`);
      else if (accounts.includes(address)) r.fail("accounts", `lists ${show(address)} twice; each mailbox once`);
      else accounts.push(address);
    }
  }
  const isAccount = (a: string) => accounts.includes(a);

  /** A delivery target: an account (local part) or any valid address. */
  const target = (key: string, t: unknown): string | undefined => {
    if (typeof t !== "string" || !t.trim()) return r.fail(key, `has target ${show(t)}; expected an account or an email address`);
    const v = t.trim().toLowerCase();
    if (!v.includes("@") && !isAccount(full(v))) return r.fail(key, `targets ${show(t)}, which is not an account; use one of ${accounts.map((a) => a.split("@")[0]).join(", ")} or a full address`);
    const address = full(v);
    if (!isAddress(address)) return r.fail(key, `targets ${show(t)}, not a valid email address`);
    return address;
  };

  const catchAllRaw = r.string("catchAll");
  const catchAll = catchAllRaw ? target("catchAll", catchAllRaw) : undefined;

  const aliases: AliasLine[] = [];
  const aliasObj = r.object("aliases");
  for (const [name, value] of Object.entries(aliasObj ?? {})) {
    const address = full(name.trim());
    const key = `aliases.${name}`;
    if (!isAddress(address)) { r.fail(key, `is not a valid alias address; expected a local part or an address at ${validDomain}`); continue; }
    if (!address.endsWith(`@${validDomain}`)) { r.fail(key, `is not at ${validDomain}; aliases answer for addresses at the domain`); continue; }
    if (isAccount(address)) { r.fail(key, `shadows the account ${address}: an alias would take its mail; remove the alias or the account`); continue; }
    if (aliases.some((a) => a.address === address)) { r.fail(key, `is listed twice (as ${address})`); continue; }
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) { r.fail(key, "has no targets; expected an address or a list of addresses"); continue; }
    const targets = list.map((t) => target(key, t)).filter((t): t is string => !!t);
    if (targets.length === list.length) aliases.push({ address, targets: [...new Set(targets)] });
  }

  const blocked: string[] = [];
  const rawBlocked = r.json("blocked");
  if (rawBlocked !== undefined && !Array.isArray(rawBlocked)) r.fail("blocked", `must be a list of addresses (got ${show(rawBlocked)})`);
  for (const b of Array.isArray(rawBlocked) ? rawBlocked : []) {
    const address = typeof b === "string" ? full(b.trim()) : "";
    if (!isAddress(address)) r.fail("blocked", `has ${show(b)}, not a valid address`);
    else if (!address.endsWith(`@${validDomain}`)) r.fail("blocked", `has ${show(b)}, which is not at ${validDomain}; only mail to this domain can be refused here`);
    else if (isAccount(address)) r.fail("blocked", `has ${show(address)}, which is an account; blocking it would refuse all its mail — remove it from accounts or from blocked`);
    else if (!blocked.includes(address)) blocked.push(address);
  }

  const passwords: Record<string, string> = {};
  const pwObj = r.json("passwords");
  if (pwObj !== undefined && (typeof pwObj !== "object" || pwObj === null || Array.isArray(pwObj))) r.fail("passwords", "must be a secret object of account → password, e.g. pulumi config set --secret --path 'passwords.hi' <password>");
  else {
    for (const [name, pw] of Object.entries((pwObj as Record<string, unknown>) ?? {})) {
      const address = full(name.trim());
      if (!isAccount(address)) r.fail(`passwords.${name}`, `is not an account; list it in mailstack:accounts or remove the password`);
      else if (typeof pw !== "string" || pw.length < 8) r.fail(`passwords.${name}`, "must be a string of at least 8 characters (value not shown)");
      else if (/[\r\n]/.test(pw)) r.fail(`passwords.${name}`, "must not contain a line break (value not shown)");
      else passwords[address] = pw;
    }
  }

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
      r.fail("relayPassword", `is required for the ${relay.provider} relay: pulumi config set --secret relayPassword <${relay.provider === "resend" ? "Resend API key" : "SMTP password"}>${relay.provider === "resend" ? " (or set resendApiKey to have one minted)" : ""}`);
    } else if (relayPassword && /[\r\n]/.test(relayPassword)) r.fail("relayPassword", "must be a single line (value not shown)");
    if (relayPassword) relay.password = relayPassword;
  }
  if (resendApiKey && relay.provider !== "resend") r.fail("resendApiKey", `is set but relay.provider is ${show(relay.provider)}; Resend provisioning needs relay.provider: resend`);

  // --- resend ---------------------------------------------------------------------------------------
  const resendObj = r.object("resend");
  unknownFields(r, resendObj, "resend", ["region", "returnPath", "dkim", "verifyWaitSeconds", "strictVerify", "keyRotation", "deleteOnDestroy"]);
  const region = field(r, resendObj, "region", "resend.region", "string") ?? "us-east-1";
  if (!RESEND_REGIONS.includes(region)) r.fail("resend.region", `is ${show(region)}; Resend's regions are ${RESEND_REGIONS.join(", ")}`);
  const returnPath = (field(r, resendObj, "returnPath", "resend.returnPath", "string") ?? "send").toLowerCase();
  if (!LABEL.test(returnPath)) r.fail("resend.returnPath", `is ${show(returnPath)}; expected one DNS label such as "send"`);
  const resendDkim = field(r, resendObj, "dkim", "resend.dkim", "string");
  if (resendDkim && !/^(v=DKIM1;\s*)?(k=rsa;\s*)?p=[A-Za-z0-9+/=]{100,}$/.test(resendDkim.replace(/\s+/g, " ").replace(/"\s*"/g, ""))) {
    r.fail("resend.dkim", `does not look like the DKIM value Resend shows (expected "p=MIGf…" from the resend._domainkey TXT record)`);
  }
  const verifyWaitSeconds = field(r, resendObj, "verifyWaitSeconds", "resend.verifyWaitSeconds", "number") ?? 300;
  if (verifyWaitSeconds < 0 || verifyWaitSeconds > 3600) r.fail("resend.verifyWaitSeconds", `is ${verifyWaitSeconds}; expected 0–3600 seconds`);
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
    r.fail("resend.dkim", "is required with the Resend relay and managed DNS: copy the resend._domainkey value from Resend's domain page, or set resendApiKey to have the domain and its records provisioned");
  }

  // --- tls ------------------------------------------------------------------------------------------
  const tlsObj = r.object("tls");
  unknownFields(r, tlsObj, "tls", ["mode", "certFile", "keyFile"]);
  const mode = field(r, tlsObj, "mode", "tls.mode", "string") ?? "manual";
  const tls: TlsConfig = { mode: mode === "self-signed" ? "self-signed" : "manual" };
  if (mode !== "manual" && mode !== "self-signed") r.fail("tls.mode", `is ${show(mode)}; expected "manual" (your certificate) or "self-signed" (for trying it out)`);
  else if (mode === "manual") {
    const certFile = field(r, tlsObj, "certFile", "tls.certFile", "string");
    const keyFile = field(r, tlsObj, "keyFile", "tls.keyFile", "string");
    const read = (key: string, path: string) => {
      try {
        return raw.readFile(path);
      } catch (e) {
        return r.fail(key, `names ${show(path)}, which cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}); give a PEM file path relative to the project directory`);
      }
    };
    const cert = certFile ? read("tls.certFile", certFile) : r.secret("tlsCertificate");
    const key = keyFile ? read("tls.keyFile", keyFile) : r.secret("tlsPrivateKey");
    if (!certFile && !r.string("tlsCertificate")) r.fail("tls.certFile", "is required with tls.mode manual: a PEM certificate (full chain) for the hostname, or set tlsCertificate; use tls.mode self-signed to try things out");
    if (!keyFile && !r.secret("tlsPrivateKey")) r.fail("tls.keyFile", "is required with tls.mode manual: the certificate's PEM private key, or set the secret tlsPrivateKey");
    if (cert && key) {
      const checked = checkManualCertificate(cert, key, hostname, raw.now);
      for (const p of checked.problems) r.fail(certFile ? "tls.certFile" : "tlsCertificate", p);
      warnings.push(...checked.warnings);
      tls.certificatePem = cert;
      tls.privateKeyPem = key;
    }
  }

  // --- dkim -----------------------------------------------------------------------------------------
  const dkimObj = r.object("dkim");
  unknownFields(r, dkimObj, "dkim", ["selector", "bits"]);
  const selector = (field(r, dkimObj, "selector", "dkim.selector", "string") ?? "mail").toLowerCase();
  if (!selector.split(".").every((l) => LABEL.test(l))) r.fail("dkim.selector", `is ${show(selector)}; expected a DNS label such as "mail"`);
  if (selector === "resend" && relay.provider === "resend") r.fail("dkim.selector", `is "resend", which Resend's own DKIM record uses; pick another, e.g. "mail"`);
  const bits = field(r, dkimObj, "bits", "dkim.bits", "number") ?? 2048;
  if (!DKIM_BITS.includes(bits)) r.fail("dkim.bits", `is ${show(bits)}; expected one of ${DKIM_BITS.join(", ")} (below 1024 is refused by receivers)`);
  const dkim: DkimConfig = { selector, bits };
  const dkimPem = r.secret("dkimPrivateKey");
  if (dkimPem) {
    try {
      const k = parseRsaPrivateKey(dkimPem);
      if (rsaKeyBits(k) < 1024) r.fail("dkimPrivateKey", `is a ${rsaKeyBits(k)}-bit key; receivers require at least 1024 bits (2048 recommended)`);
      else dkim.privateKeyPem = dkimPem;
    } catch (e) {
      r.fail("dkimPrivateKey", `is malformed: ${(e as Error).message} (value not shown)`);
    }
  }

  // --- dmarc ----------------------------------------------------------------------------------------
  const dmarcObj = r.object("dmarc");
  unknownFields(r, dmarcObj, "dmarc", ["policy", "rua"]);
  const policy = (field(r, dmarcObj, "policy", "dmarc.policy", "string") ?? "none") as DmarcPolicy;
  if (!DMARC_POLICIES.includes(policy)) r.fail("dmarc.policy", `is ${show(policy)}; expected one of ${DMARC_POLICIES.join(", ")}`);
  const rua = field(r, dmarcObj, "rua", "dmarc.rua", "string");
  if (rua && !isAddress(rua.replace(/^mailto:/, "").toLowerCase())) r.fail("dmarc.rua", `is ${show(rua)}; expected an address for aggregate reports, e.g. dmarc@${validDomain}`);

  // --- docker ---------------------------------------------------------------------------------------
  const dockerObj = r.object("docker");
  unknownFields(r, dockerObj, "docker", ["host", "image", "containerName"]);
  const dockerHost = field(r, dockerObj, "host", "docker.host", "string");
  if (dockerHost && !/^(ssh:\/\/[^@\s]+@[^\s/]+|tcp:\/\/\S+|unix:\/\/\/\S+)$/.test(dockerHost)) r.fail("docker.host", `is ${show(dockerHost)}; expected ssh://user@server (remote engine over SSH), tcp://…, unix:///…, or empty for the local engine`);
  const image = field(r, dockerObj, "image", "docker.image", "string") ?? DEFAULT_IMAGE;
  if (/\s/.test(image)) r.fail("docker.image", `is ${show(image)}; expected an image reference like ${DEFAULT_IMAGE}`);
  const containerName = field(r, dockerObj, "containerName", "docker.containerName", "string") ?? "mailserver";
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(containerName)) r.fail("docker.containerName", `is ${show(containerName)}; expected letters, digits, '_', '.', '-'`);

  // --- env ------------------------------------------------------------------------------------------
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.object("env") ?? {})) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) r.fail(`env.${k}`, "is not a valid environment variable name; docker-mailserver variables are upper case, e.g. ENABLE_FAIL2BAN");
    else if (OWNED_ENV.includes(k)) r.fail(`env.${k}`, `is set by mailstack itself; use the matching setting (tls, relay, relayPassword, hostname) instead`);
    else if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") r.fail(`env.${k}`, `must be a string, number or boolean (got ${show(v)})`);
    else env[k] = String(v);
  }

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
    relay,
    resend,
    tls,
    dkim,
    dmarc: { policy, rua: rua ? (rua.startsWith("mailto:") ? rua : `mailto:${rua}`) : undefined },
    dns: { provider: managedDns ? "cloudflare" : "none", zoneId },
    docker: { host: dockerHost, image, containerName },
    env,
    warnings,
  };
}
