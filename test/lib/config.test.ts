import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, RawConfig } from "../../lib/config";
import { PROD_CERT, PROD_CONFIG, PROD_SECRETS, RESEND_DKIM, SECOND_CONFIG, SECOND_SECRETS } from "../support/fixtures";
import { makeCa, makeServerCert, selfSignedCertificate } from "../support/certificates";
import { rawConfig } from "../support/raw-config";

/** `secrets`: the keys stored as secrets; null when the Pulumi CLI did not say. */
const parse = (config: Record<string, unknown>, secrets: string[] | null = PROD_SECRETS, extra = {}) =>
  parseConfig(rawConfig(config, secrets ?? undefined, extra));

function problemsOf(
  config: Record<string, unknown>,
  secrets: string[] | null = PROD_SECRETS,
  extra: Partial<RawConfig> = {},
): string[] {
  try {
    parse(config, secrets, extra);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

const smallKey = generateKeyPairSync("rsa", { modulusLength: 512 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();
const ecKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();
const otherCert = selfSignedCertificate({ hostname: "mail.qladgk.com", days: 90 });
const wrongName = selfSignedCertificate({ hostname: "www.qladgk.com", days: 90 });
const expired = selfSignedCertificate({ hostname: "mail.qladgk.com", days: 10, notBeforeDays: 40 });
const SECRET_PW = "s3cr3t-never-shown";
const caFirst = (() => {
  const ca = makeCa();
  const server = makeServerCert(ca, ["mail.qladgk.com"]);
  return { chain: ca.cert + server.cert, key: server.key };
})();

describe("parseConfig: the prod config", () => {
  it("reads the seed's setup with its defaults", () => {
    const c = parse(PROD_CONFIG);
    expect(c.domain).toBe("qladgk.com");
    expect(c.hostname).toBe("mail.qladgk.com");
    expect(c.accounts).toEqual(["postmaster@qladgk.com", "hi@qladgk.com", "info@qladgk.com"]);
    expect(c.catchAll).toBe("info@qladgk.com");
    expect(c.relay).toMatchObject({ provider: "resend", host: "smtp.resend.com", port: 587, username: "resend" });
    expect(c.resend).toMatchObject({ region: "us-east-1", returnPath: "send" });
    expect(c.dkim).toEqual({ selector: "mail", bits: 2048 });
    expect(c.dmarc).toEqual({ policy: "none", rua: [] });
    expect(c.docker).toEqual({
      host: undefined,
      image: "ghcr.io/docker-mailserver/docker-mailserver:15.1.0",
      containerName: "mailserver",
    });
    expect(c.dns).toEqual({ provider: "cloudflare", zoneId: undefined, adopt: [] });
  });

  it("reads the second config: aliases, blocked, passwords, SES relay, Fail2ban off", () => {
    const c = parse(SECOND_CONFIG, SECOND_SECRETS);
    expect(c.aliases).toEqual([
      { address: "sales@example.org", targets: ["alice@example.org", "bob@example.org"] },
      { address: "abuse@example.org", targets: ["bob@example.org"] },
    ]);
    expect(c.blocked).toEqual(["leaked-shop@example.org"]);
    expect(c.passwords).toEqual({ "alice@example.org": "alice-password-1" });
    expect(c.relay).toMatchObject({ host: "email-smtp.eu-west-1.amazonaws.com", port: 587, username: "AKIAEXAMPLE" });
    expect(c.env).toEqual({ POSTFIX_MESSAGE_SIZE_LIMIT: "25000000", TZ: "Europe/Berlin", ENABLE_UPDATE_CHECK: "0" });
    expect(c.fail2ban).toBe(false);
  });

  it("filters spam by default: Rspamd, blocklists, learning; greylisting off; each switch on its own", () => {
    expect(parse(PROD_CONFIG).spam).toEqual({ filter: "rspamd", dnsbl: true, learning: true, greylisting: false });
    expect(parse({ ...PROD_CONFIG, spam: { greylisting: true, learning: "false" } }).spam).toEqual({
      filter: "rspamd",
      dnsbl: true,
      learning: false,
      greylisting: true,
    });
    // Without Rspamd there is nothing to train: learning follows the filter.
    expect(parse({ ...PROD_CONFIG, spam: { filter: "None" } }).spam).toEqual({
      filter: "none",
      dnsbl: true,
      learning: false,
      greylisting: false,
    });
  });

  it("turns Fail2ban on by default and routes postmaster@/abuse@ to the catch-all, else the first account", () => {
    expect(parse(PROD_CONFIG).fail2ban).toBe(true);
    expect(parse(PROD_CONFIG).postmaster).toBe("info@qladgk.com");
    expect(parse({ ...PROD_CONFIG, catchAll: undefined }).postmaster).toBe("postmaster@qladgk.com");
    expect(parse({ ...PROD_CONFIG, catchAll: undefined, postmaster: "hi" }).postmaster).toBe("hi@qladgk.com");
  });

  it("accepts any pinned docker-mailserver 15.x.y, on GHCR, Docker Hub or a mirror, with or without a digest", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    for (const image of [
      "ghcr.io/docker-mailserver/docker-mailserver:15.0.2",
      "mailserver/docker-mailserver:15.1.0",
      "docker.io/mailserver/docker-mailserver:15.1.0",
      "registry.example.net:5000/docker-mailserver/docker-mailserver:15.1.0",
      `ghcr.io/docker-mailserver/docker-mailserver:15.1.0@${digest}`,
    ])
      expect(parse({ ...PROD_CONFIG, docker: { image } }).docker.image).toBe(image);
  });

  it("forwards outside the domain when mail is sent directly, and warns for a relay it knows nothing about", () => {
    const direct = parse({ ...PROD_CONFIG, relay: { provider: "none" }, aliases: { me: "me@gmail.com" } });
    expect(direct.aliases).toEqual([{ address: "me@qladgk.com", targets: ["me@gmail.com"] }]);
    // The only warnings: MTA-STS and autoconfiguration are not served (no cloudflareAccountId), and backups
    // without a destination go to the server's own disk.
    expect(direct.warnings).toEqual([
      expect.stringMatching(/^MTA-STS and mail client autoconfiguration are not served/),
      expect.stringMatching(/^mailstack:backup\.destination is not set/),
    ]);
    const custom = parse({
      ...PROD_CONFIG,
      relay: { provider: "custom", host: "smtp.example.net", username: "u" },
      catchAll: "me@gmail.com",
    });
    expect(custom.warnings.join("\n")).toMatch(
      /mailstack:catchAll forwards to me@gmail\.com, outside qladgk\.com through the custom relay/,
    );
  });

  it("warns, without failing, when the certificate expires within 20 days", () => {
    const soon = selfSignedCertificate({ hostname: "mail.qladgk.com", days: 20, notBeforeDays: 10 });
    const c = parse({ ...PROD_CONFIG, tlsCertificate: soon.certPem, tlsPrivateKey: soon.keyPem });
    expect(c.warnings.join("\n")).toMatch(/expires in \d+ days/);
  });

  it("reads relatedSenders: per-site names, addresses and *, domains lower-cased, IDN in punycode, no repeats", () => {
    const c = parse({
      ...PROD_CONFIG,
      relatedSenders: {
        steam: "ValveSoftware.com",
        "Shop@qladgk.com": ["Bücher.de", "a.example", "a.example"],
        "*": ["esp.example."],
      },
    });
    expect(c.relatedSenders).toEqual({
      steam: ["valvesoftware.com"],
      "shop@qladgk.com": ["xn--bcher-kva.de", "a.example"],
      "*": ["esp.example"],
    });
    expect(parse(PROD_CONFIG).relatedSenders).toEqual({});
  });

  it("reads certFile/keyFile through the file reader", () => {
    const files: Record<string, string> = {
      "certs/c.pem": PROD_CONFIG.tlsCertificate as string,
      "certs/k.pem": PROD_CONFIG.tlsPrivateKey as string,
    };
    const c = parse(
      {
        ...PROD_CONFIG,
        tlsCertificate: undefined,
        tlsPrivateKey: undefined,
        tls: { mode: "manual", certFile: "certs/c.pem", keyFile: "certs/k.pem" },
      },
      PROD_SECRETS,
      { readFile: (p: string) => files[p] },
    );
    expect(c.tls.certificatePem).toBe(files["certs/c.pem"]);
  });
});

// Each invalid config, and the message it must produce (a fragment naming the key and what is expected); the
// fourth column lists the keys stored as secrets (default PROD_SECRETS; null: the Pulumi CLI did not say), the
// fifth changes what else the program sees.
const INVALID: [string, Record<string, unknown>, RegExp, (string[] | null)?, Partial<RawConfig>?][] = [
  ["missing domain", { domain: undefined }, /mailstack:domain is required/],
  ["malformed domain", { domain: "qladgk..com" }, /mailstack:domain is "qladgk\.\.com", not a domain name/],
  [
    "malformed hostname",
    { hostname: "mail_server" },
    /mailstack:hostname is "mail_server", not a fully qualified host name/,
  ],
  [
    "hostname outside the zone",
    { hostname: "mail.other.net" },
    /mailstack:hostname is "mail\.other\.net", outside the zone qladgk\.com/,
  ],
  ["bad IPv4", { serverIp: "11.22.33.444" }, /mailstack:serverIp is "11\.22\.33\.444", not an IPv4 address/],
  [
    "private IPv4",
    { serverIp: "192.168.1.10" },
    /mailstack:serverIp is "192\.168\.1\.10", a private \(RFC 1918\) address/,
  ],
  ["missing IPv4 with managed DNS", { serverIp: undefined }, /mailstack:serverIp is required when DNS is managed/],
  ["bad IPv6", { serverIpv6: "2001:db8::zz" }, /mailstack:serverIpv6 is "2001:db8::zz", not an IPv6 address/],
  ["no accounts", { accounts: [] }, /mailstack:accounts must be a non-empty list/],
  ["duplicate account", { accounts: ["hi", "HI@qladgk.com"] }, /mailstack:accounts lists "hi@qladgk\.com" twice/],
  ["malformed account", { accounts: ["hi there"] }, /mailstack:accounts has "hi there", not a valid address/],
  [
    "account at another domain",
    { accounts: ["hi@other.net"], catchAll: undefined },
    /mailstack:accounts has "hi@other\.net", which is not at qladgk\.com/,
  ],
  [
    "catch-all to an unknown account",
    { catchAll: "nobody" },
    /mailstack:catchAll targets "nobody", which is not an account/,
  ],
  [
    "alias target neither account nor address",
    { aliases: { sales: "bob" } },
    /mailstack:aliases\.sales targets "bob", which is not an account/,
  ],
  [
    "alias shadowing an account",
    { aliases: { hi: "info" } },
    /mailstack:aliases\.hi shadows the account hi@qladgk\.com/,
  ],
  ["relatedSenders not a mapping", { relatedSenders: ["x.com"] }, /mailstack:relatedSenders must be a mapping/],
  [
    "relatedSenders key that is no name",
    { relatedSenders: { "a b": ["x.com"] } },
    /mailstack:relatedSenders\.a b is not a per-site name, an address or "\*"/,
  ],
  [
    "relatedSenders address at another domain",
    { relatedSenders: { "shop@other.net": ["x.com"] } },
    /mailstack:relatedSenders\.shop@other\.net is an address outside qladgk\.com/,
  ],
  ["relatedSenders empty list", { relatedSenders: { steam: [] } }, /mailstack:relatedSenders\.steam is empty/],
  [
    "relatedSenders value that is no domain",
    { relatedSenders: { steam: ["valve software"] } },
    /mailstack:relatedSenders\.steam has "valve software", not a domain name/,
  ],
  [
    "blocked address that is an account",
    { blocked: ["hi"] },
    /mailstack:blocked has "hi@qladgk\.com", which is an account/,
  ],
  [
    "relay port 465",
    { relay: { provider: "resend", port: 465 } },
    /mailstack:relay\.port is 465: docker-mailserver only relays with STARTTLS/,
  ],
  [
    "unknown relay provider",
    { relay: { provider: "sparkpost" } },
    /mailstack:relay\.provider is "sparkpost": expected one of/,
  ],
  ["missing relay password", { relayPassword: undefined }, /mailstack:relayPassword is required for the resend relay/],
  [
    "relay password in plain text",
    { relayPassword: SECRET_PW },
    /mailstack:relayPassword is stored in plain text; .*pulumi config set --secret relayPassword/,
    ["tlsPrivateKey", "cloudflare:apiToken"],
  ],
  [
    "unknown Resend region",
    { resend: { region: "eu-central-1", dkim: "p=" + "A".repeat(120) } },
    /mailstack:resend\.region is "eu-central-1"; Resend's regions are us-east-1, eu-west-1, sa-east-1, ap-northeast-1/,
  ],
  [
    "unknown DMARC policy",
    { dmarc: { policy: "block" } },
    /mailstack:dmarc\.policy is "block"; expected one of none, quarantine, reject/,
  ],
  [
    "DKIM bits below 1024",
    { dkim: { bits: 512 } },
    /mailstack:dkim\.bits is 512; expected one of 1024, 2048, 3072, 4096/,
  ],
  [
    "unreadable certificate file",
    {
      tlsCertificate: undefined,
      tlsPrivateKey: undefined,
      tls: { mode: "manual", certFile: "missing.crt", keyFile: "missing.key" },
    },
    /mailstack:tls\.certFile names "missing\.crt", which cannot be read \(ENOENT\)/,
  ],
  [
    "certificate and key that do not match",
    { tlsPrivateKey: otherCert.keyPem },
    /mailstack:tlsCertificate does not match its private key/,
  ],
  [
    "certificate for another name",
    { tlsCertificate: wrongName.certPem, tlsPrivateKey: wrongName.keyPem },
    /mailstack:tlsCertificate does not cover the hostname mail\.qladgk\.com/,
  ],
  [
    "expired certificate",
    { tlsCertificate: expired.certPem, tlsPrivateKey: expired.keyPem },
    /mailstack:tlsCertificate expired on \d{4}-\d\d-\d\d; renew it/,
  ],
  [
    "malformed DKIM key",
    { dkimPrivateKey: "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----" },
    /mailstack:dkimPrivateKey is malformed: it is not a PEM private key/,
    [...PROD_SECRETS, "dkimPrivateKey"],
  ],
  [
    "DKIM key that is not RSA",
    { dkimPrivateKey: ecKey },
    /mailstack:dkimPrivateKey is malformed: it is a ec key/,
    [...PROD_SECRETS, "dkimPrivateKey"],
  ],
  [
    "DKIM key below 1024 bits",
    { dkimPrivateKey: smallKey },
    /mailstack:dkimPrivateKey is a 512-bit key/,
    [...PROD_SECRETS, "dkimPrivateKey"],
  ],
  ["unknown dns provider", { dns: "route53" }, /mailstack:dns is "route53"; expected "cloudflare" or "none"/],
  [
    "malformed zone id",
    { cloudflareZoneId: "zone-1" },
    /mailstack:cloudflareZoneId is "zone-1"; expected the 32-character hex zone ID/,
  ],
  ["missing Cloudflare token", { "cloudflare:apiToken": undefined }, /cloudflare:apiToken is not set/],
  [
    "adopted record IDs that are not Cloudflare IDs",
    { adoptDnsRecords: ["mx-record"] },
    /mailstack:adoptDnsRecords is \["mx-record"\]; expected a list of 32-character hex Cloudflare record IDs/,
  ],
  [
    "bad docker host",
    { docker: { host: "deploy@server" } },
    /mailstack:docker\.host is "deploy@server"; expected ssh:\/\/user@server/,
  ],
  [
    "env overriding a managed variable",
    { env: { RELAY_PASSWORD: "x" } },
    /mailstack:env\.RELAY_PASSWORD is set by mailstack itself/,
  ],
  [
    "image without a tag",
    { docker: { image: "ghcr.io/docker-mailserver/docker-mailserver" } },
    /mailstack:docker\.image is "ghcr\.io\/docker-mailserver\/docker-mailserver" without a tag, which Docker pulls as :latest/,
  ],
  [
    "image :latest",
    { docker: { image: "mailserver/docker-mailserver:latest" } },
    /mailstack:docker\.image is "mailserver\/docker-mailserver:latest", tagged "latest"; .*pin a 15\.x\.y release.*moves to new major versions/,
  ],
  [
    "image of another major version",
    { docker: { image: "ghcr.io/docker-mailserver/docker-mailserver:16.0.1" } },
    /mailstack:docker\.image is .*tagged "16\.0\.1"; mailstack's file formats are docker-mailserver 15's/,
  ],
  [
    "image with a moving 15 tag",
    { docker: { image: "ghcr.io/docker-mailserver/docker-mailserver:15.1" } },
    /mailstack:docker\.image is .*:15\.1", a moving tag/,
  ],
  [
    "image by digest alone",
    { docker: { image: `ghcr.io/docker-mailserver/docker-mailserver@sha256:${"b".repeat(64)}` } },
    /mailstack:docker\.image is .*a digest without a tag, so its version cannot be checked/,
  ],
  [
    "image that is not docker-mailserver",
    { docker: { image: "mailu/postfix:2024.06" } },
    /mailstack:docker\.image is "mailu\/postfix:2024\.06", not docker-mailserver/,
  ],
  [
    "alias forwarding outside through Resend",
    { aliases: { me: ["hi", "me@gmail.com"] } },
    /mailstack:aliases\.me forwards to me@gmail\.com, outside qladgk\.com\. Forwarded mail keeps its outside sender .* the resend relay only sends mail from senders verified with it: it answers 403 "The … domain is not verified", so the forwarded mail would bounce\. Deliver it to an account here instead and read it over IMAP/,
  ],
  [
    "catch-all forwarding outside through SES",
    {
      relay: { provider: "ses", region: "eu-west-1", username: "AKIA" },
      catchAll: "me@gmail.com",
      resend: {},
    },
    /mailstack:catchAll forwards to me@gmail\.com, outside qladgk\.com\..* the ses relay .*554 "Message rejected: Email address is not verified"/,
  ],
  [
    "postmaster forwarding outside through Resend",
    { postmaster: "admin@gmail.com" },
    /mailstack:postmaster forwards to admin@gmail\.com, outside qladgk\.com/,
  ],
  [
    "postmaster naming itself",
    { postmaster: "postmaster@qladgk.com", accounts: ["hi"], catchAll: "hi" },
    /mailstack:postmaster is "postmaster@qladgk\.com", one of the addresses it routes/,
  ],
  [
    "blocking postmaster@",
    { blocked: ["abuse"] },
    /mailstack:blocked has "abuse@qladgk\.com", which must always accept mail/,
  ],
  ["fail2ban not a boolean", { fail2ban: "yes" }, /mailstack:fail2ban must be true or false \(got "yes"\)/],
  [
    "env owning Fail2ban or spoof protection",
    { env: { ENABLE_FAIL2BAN: 0, SPOOF_PROTECTION: 0 } },
    /mailstack:env\.ENABLE_FAIL2BAN is set by mailstack itself.*\n.*mailstack:env\.SPOOF_PROTECTION is set by mailstack itself/,
  ],
  [
    "relay password with an edge space",
    { relayPassword: " re_key" },
    /mailstack:relayPassword must not begin or end with whitespace/,
  ],
  [
    "password for a non-account",
    { passwords: { bob: "long-enough-pw" } },
    /mailstack:passwords\.bob is not an account/,
    [...PROD_SECRETS, "passwords"],
  ],
  [
    "unknown setting in an object",
    { tls: { mode: "manual", cert: "x" } },
    /mailstack:tls\.cert is not a known setting \(did you mean "certFile"\?\); expected one of mode, certFile, keyFile/,
  ],

  // --- values that would change the structure of a file the server reads (issue 18) -----------------------
  [
    "account with | (forged password field)",
    { accounts: ["a|{PLAIN}x", "hi"] },
    /mailstack:accounts has "a\|\{PLAIN\}x", not a valid address: it contains "\|": "\|" separates the fields of postfix-accounts\.cf/,
  ],
  [
    "account starting with # (a comment)",
    { accounts: ["#hi", "info"] },
    /mailstack:accounts has "#hi", not a valid address: it contains "#": "#" starts a comment/,
  ],
  [
    "account with : (passwd-file field)",
    { accounts: ["a:b", "info"] },
    /mailstack:accounts has "a:b".*":" separates the fields of Dovecot's passwd-file/,
  ],
  [
    "account with a line break",
    { accounts: ["hi\nroot@qladgk.com", "info"] },
    /mailstack:accounts has "hi\\nroot@qladgk\.com", not a valid address: it contains "\\n": a line break/,
  ],
  [
    "account with / (a path)",
    { accounts: ["hi/../info", "info"] },
    /mailstack:accounts has "hi\/\.\.\/info".*"\/" separates path parts/,
  ],
  [
    "account with % (percent hack)",
    { accounts: ["x%evil.test", "info"] },
    /mailstack:accounts has "x%evil\.test".*user%domain becomes user@domain/,
  ],
  [
    "account with ! (bang path)",
    { accounts: ["evil.test!x", "info"] },
    /mailstack:accounts has "evil\.test!x".*host!user becomes user@host/,
  ],
  [
    "account with a quote (shell)",
    { accounts: ["o'brien", "info"] },
    /mailstack:accounts has "o'brien".*may only use letters, digits/,
  ],
  [
    "account with + (recipient delimiter)",
    { accounts: ["hi+shop", "info"] },
    /mailstack:accounts has "hi\+shop".*recipient delimiter: mail to hi\+anything already reaches hi/,
  ],
  ["account starting with -", { accounts: ["-hi", "info"] }, /mailstack:accounts has "-hi".*starts with "-"/],
  [
    "alias name starting with #",
    { aliases: { "#sales": "hi" } },
    /mailstack:aliases\.#sales is "#sales", not a valid address: it contains "#"/,
  ],
  [
    "alias target with , (an extra target)",
    { aliases: { sales: "hi@qladgk.com,spy@evil.test" } },
    /mailstack:aliases\.sales targets "hi@qladgk\.com,spy@evil\.test", not a valid address: it contains ","/,
  ],
  [
    "alias target with a line break",
    { aliases: { sales: "spy@evil.test\n@qladgk.com spy@evil.test" } },
    /mailstack:aliases\.sales targets .*a line break/,
  ],
  [
    "catch-all with whitespace (key and value)",
    { catchAll: "info@qladgk.com spy@evil.test" },
    /mailstack:catchAll targets "info@qladgk\.com spy@evil\.test", not a valid address: it contains " "/,
  ],
  [
    "blocked with whitespace (an access action)",
    { blocked: ["leak@qladgk.com OK"] },
    /mailstack:blocked has "leak@qladgk\.com OK", not a valid address/,
  ],
  [
    "relay username with a line break",
    { relay: { provider: "ses", region: "eu-west-1", username: "AKIA\n[smtp.evil.test]:587 u" } },
    /mailstack:relay\.username contains "\\n"; the relay credential is written as user:password in one table line/,
  ],
  [
    "relay username with :",
    { relay: { provider: "ses", region: "eu-west-1", username: "user:pass" } },
    /mailstack:relay\.username contains ":"/,
  ],
  [
    "relay host with a line break",
    { relay: { provider: "custom", host: "smtp.a.test\n[smtp.evil.test]:587", username: "u" } },
    /mailstack:relay\.host is .*contains whitespace/,
  ],
  [
    "relay host with a scheme",
    { relay: { provider: "custom", host: "smtp://smtp.example.net", username: "u" } },
    /mailstack:relay\.host is "smtp:\/\/smtp\.example\.net": it has a scheme \(smtp:\/\/\); give the bare host name, e.g\. smtp\.example\.net/,
  ],
  [
    "relay host with a port",
    { relay: { provider: "custom", host: "smtp.example.net:2525", username: "u" } },
    /mailstack:relay\.host is "smtp\.example\.net:2525": it has a port; give the bare host name and put the port in relay\.port \(2525\)/,
  ],

  [
    "a look-alike letter that lower-cases to ASCII (Kelvin sign)",
    { accounts: ["\u212Ai", "info"] },
    /mailstack:accounts has "\u212ai", not a valid address: it may only use letters, digits/,
  ],
  [
    "a look-alike letter in the relay host",
    { relay: { provider: "custom", host: "smtp.\u212Aelvin.net", username: "u" } },
    /mailstack:relay\.host is "smtp\.\u212aelvin\.net": it is not a host name/,
  ],

  // --- env: an allow-list -------------------------------------------------------------------------------------
  [
    "env opening the server (PERMIT_DOCKER)",
    { env: { PERMIT_DOCKER: "network" } },
    /mailstack:env\.PERMIT_DOCKER is set by mailstack itself: mailstack keeps it at none/,
  ],
  [
    "env turning off spoofing protection",
    { env: { SPOOF_PROTECTION: 0 } },
    /mailstack:env\.SPOOF_PROTECTION is set by mailstack itself/,
  ],
  [
    "env reading a variable from a file",
    { env: { PERMIT_DOCKER__FILE: "/etc/hostname" } },
    /mailstack:env\.PERMIT_DOCKER__FILE makes docker-mailserver read a variable from a file/,
  ],
  [
    "env setting a process variable",
    { env: { PATH: "/tmp" } },
    /mailstack:env\.PATH is a variable of the container's processes/,
  ],
  [
    "env with LD_PRELOAD",
    { env: { LD_PRELOAD: "/tmp/x.so" } },
    /mailstack:env\.LD_PRELOAD is a variable of the container's processes/,
  ],
  [
    "env with a mistyped variable",
    { env: { POSTFIX_MESAGE_SIZE_LIMIT: 1 } },
    /mailstack:env\.POSTFIX_MESAGE_SIZE_LIMIT is not a docker-mailserver 15\.1 setting mailstack lets you change \(did you mean "POSTFIX_MESSAGE_SIZE_LIMIT"\?\)/,
  ],
  [
    "env with a lower-case name",
    { env: { tz: "UTC" } },
    /mailstack:env\.tz is not an environment variable name \(did you mean "TZ"\?\)/,
  ],
  [
    "env value with a quote (dms-settings)",
    { env: { SPAM_SUBJECT: "x'; touch /pwned; '" } },
    /mailstack:env\.SPAM_SUBJECT is "x'; touch \/pwned; '"; expected up to 100 characters without quotes/,
  ],
  [
    "env value with a line break",
    { env: { TZ: "UTC\nPERMIT_DOCKER=network" } },
    /mailstack:env\.TZ is "UTC\\nPERMIT_DOCKER=network"; expected a tz database name/,
  ],
  [
    "env value with shell arithmetic",
    { env: { POSTFIX_MESSAGE_SIZE_LIMIT: "a[$(id)]" } },
    /mailstack:env\.POSTFIX_MESSAGE_SIZE_LIMIT is "a\[\$\(id\)\]"; expected a whole number/,
  ],
  [
    "env value out of its set",
    { env: { LOG_LEVEL: "verbose" } },
    /mailstack:env\.LOG_LEVEL is "verbose"; expected one of error, warn, info, debug, trace/,
  ],
  [
    "env needing ports mailstack does not publish",
    { env: { ENABLE_POP3: 1 } },
    /mailstack:env\.ENABLE_POP3 needs ports mailstack does not publish/,
  ],
  [
    "env sending every delivery elsewhere",
    { env: { POSTFIX_DAGENT: "lmtp:evil.test:24" } },
    /mailstack:env\.POSTFIX_DAGENT would hand every delivery to another program or host/,
  ],

  // --- addresses, in every spelling ---------------------------------------------------------------------------
  [
    "IPv4-mapped loopback in serverIpv6",
    { serverIpv6: "::ffff:127.0.0.1" },
    /mailstack:serverIpv6 is "::ffff:127\.0\.0\.1", which is ::ffff:7f00:1, an IPv4 address written as IPv6/,
  ],
  [
    "IPv4-compatible address in serverIpv6",
    { serverIpv6: "::7f00:1" },
    /mailstack:serverIpv6 is "::7f00:1", an IPv4 address written as IPv6/,
  ],
  [
    "long-form IPv6 loopback",
    { serverIpv6: "0:0:0:0:0:0:0:1" },
    /mailstack:serverIpv6 is "0:0:0:0:0:0:0:1", which is ::1, a loopback address/,
  ],
  [
    "IPv6 with a zone ID",
    { serverIpv6: "fe80::1%eth0" },
    /mailstack:serverIpv6 is "fe80::1%eth0", a zone-scoped address/,
  ],
  [
    "unique-local IPv6",
    { serverIpv6: "fd12:3456::1" },
    /mailstack:serverIpv6 is "fd12:3456::1", a unique-local \(private\) IPv6 address/,
  ],
  [
    "IPv6 benchmarking range",
    { serverIpv6: "2001:2::1" },
    /mailstack:serverIpv6 is "2001:2::1", a benchmarking address/,
  ],
  [
    "IPv4 in serverIpv6",
    { serverIpv6: "11.22.33.44" },
    /mailstack:serverIpv6 is "11\.22\.33\.44", an IPv4 address; put it in serverIp/,
  ],
  [
    "loopback as a short IPv4",
    { serverIp: "127.1" },
    /mailstack:serverIp is "127\.1", which is 127\.0\.0\.1, a loopback address/,
  ],
  [
    "loopback as one number",
    { serverIp: "2130706433" },
    /mailstack:serverIp is "2130706433", which is 127\.0\.0\.1, a loopback address/,
  ],
  [
    "loopback in hex",
    { serverIp: "0x7f.0.0.1" },
    /mailstack:serverIp is "0x7f\.0\.0\.1", which is 127\.0\.0\.1, a loopback address/,
  ],
  [
    "octal-looking IPv4",
    { serverIp: "011.22.33.44" },
    /mailstack:serverIp is "011\.22\.33\.44", not written as four decimal numbers: it reads as 9\.22\.33\.44/,
  ],
  [
    "IPv4-mapped loopback in serverIp",
    { serverIp: "::ffff:127.0.0.1" },
    /mailstack:serverIp is "::ffff:127\.0\.0\.1", which is 127\.0\.0\.1, a loopback address/,
  ],
  [
    "a public IPv4 written as IPv6",
    { serverIp: "::ffff:11.22.33.44" },
    /mailstack:serverIp is "::ffff:11\.22\.33\.44", not written as four decimal numbers: it reads as 11\.22\.33\.44/,
  ],
  ["link-local IPv4", { serverIp: "169.254.10.1" }, /mailstack:serverIp is "169\.254\.10\.1", a link-local address/],
  [
    "carrier-grade NAT",
    { serverIp: "100.64.1.1" },
    /mailstack:serverIp is "100\.64\.1\.1", a carrier-grade NAT address/,
  ],
  [
    "IPv4 benchmarking range",
    { serverIp: "198.18.0.1" },
    /mailstack:serverIp is "198\.18\.0\.1", a benchmarking address/,
  ],
  [
    "IPv6 in serverIp",
    { serverIp: "2001:db8::1" },
    /mailstack:serverIp is "2001:db8::1", an IPv6 address; put it in serverIpv6/,
  ],

  // --- mail never goes nowhere -----------------------------------------------------------------------------
  [
    "alias to an address at the domain that is nobody",
    { aliases: { sales: "nobody@qladgk.com" } },
    /mailstack:aliases\.sales targets nobody@qladgk\.com, which is not an account or an alias at qladgk\.com: mail to it would be accepted and then lost/,
  ],
  [
    "catch-all to an address at the domain that is nobody",
    { catchAll: "nobody@qladgk.com" },
    /mailstack:catchAll targets nobody@qladgk\.com, which is not an account or an alias at qladgk\.com/,
  ],
  [
    "alias to itself",
    { aliases: { sales: ["hi", "sales"] } },
    /mailstack:aliases\.sales targets itself \(sales@qladgk\.com\)/,
  ],
  [
    "aliases in a loop",
    { aliases: { a: "b", b: "c", c: ["a", "hi"] } },
    /mailstack:aliases\.a is part of a loop: a@qladgk\.com → b@qladgk\.com → c@qladgk\.com → a@qladgk\.com/,
  ],
  [
    "alias to a blocked address",
    { aliases: { sales: "leak@qladgk.com" }, blocked: ["leak"] },
    /mailstack:aliases\.sales targets leak@qladgk\.com, which is in blocked/,
  ],
  [
    "catch-all to a blocked address",
    { catchAll: "leak+x@qladgk.com", blocked: ["leak"] },
    /mailstack:catchAll targets leak\+x@qladgk\.com, which is in blocked/,
  ],
  [
    "blocked address that is an alias",
    { aliases: { sales: "hi" }, blocked: ["sales"] },
    /mailstack:blocked has "sales@qladgk\.com", which is an alias/,
  ],
  [
    "catch-all to an unknown name with no accounts to suggest",
    { accounts: ["hi@other.net"], catchAll: "nobody" },
    /mailstack:catchAll targets "nobody", which is not an account or an alias at qladgk\.com; list it in accounts, or give a full address/,
  ],

  // --- keys, secrets, the Docker API ------------------------------------------------------------------------
  [
    "a mistyped top-level key (block)",
    { block: ["leak"] },
    /mailstack:block is not a known setting \(did you mean "blocked"\?\)/,
  ],
  [
    "a top-level key in the wrong case (catchall)",
    { catchall: "info" },
    /mailstack:catchall is not a known setting \(did you mean "catchAll"\?\)/,
  ],
  [
    "a client-setup key in the wrong case (mtasts)",
    { mtasts: { mode: "enforce" } },
    /mailstack:mtasts is not a known setting \(did you mean "mtaSts"\?\)/,
  ],
  [
    "a spam key mistyped (spam.greylist)",
    { spam: { greylist: true } },
    /mailstack:spam\.greylist is not a known setting \(did you mean "greylisting"\?\)/,
  ],
  [
    "a TLS-RPT address with a separator of the record",
    { tlsRpt: { rua: ["tls,reports@qladgk.com"] } },
    /mailstack:tlsRpt\.rua has "tls,reports@qladgk\.com", an address that contains ",": .*; expected an address/,
  ],
  [
    "a TLS-RPT URL that would split the record's URI list",
    { tlsRpt: { rua: ["https://reports.example.net/a,mailto:spy@evil.test"] } },
    /mailstack:tlsRpt\.rua has "https:\/\/reports\.example\.net\/a,mailto:spy@evil\.test"; expected an address/,
  ],
  [
    "SpamAssassin's settings, which mailstack keeps off",
    { env: { SA_KILL: "10", POSTGREY_TEXT: "later" } },
    /mailstack:env\.SA_KILL belongs to Amavis and SpamAssassin, which mailstack keeps off: Rspamd filters \(mailstack:spam\)\n.*env\.POSTGREY_TEXT belongs to Postgrey/,
  ],
  [
    "ClamAV without Rspamd (Amavis is off: nothing would scan)",
    { spam: { filter: "none" }, env: { ENABLE_CLAMAV: 1 } },
    /mailstack:env\.ENABLE_CLAMAV works through Rspamd, which spam\.filter: none turns off/,
  ],
  [
    "a top-level key nothing resembles",
    { webmail: true },
    /mailstack:webmail is not a known setting; README\.md lists every setting/,
  ],
  [
    "the Cloudflare token in plain text",
    {},
    /cloudflare:apiToken is stored in plain text; remove it and set it with: pulumi config set --secret cloudflare:apiToken/,
    ["relayPassword", "tlsPrivateKey"],
  ],
  [
    "secrets when the CLI does not say which values are secrets",
    {},
    /mailstack:relayPassword cannot be shown to be stored as a secret: this Pulumi CLI did not tell the program which values are secrets/,
    null,
  ],
  [
    "a private key in a plain value",
    { tlsCertificate: `${PROD_CERT.certPem}${PROD_CERT.keyPem}` },
    /mailstack:tlsCertificate contains a PEM private key but is not a secret/,
  ],
  [
    "a private key where a name belongs, never shown",
    { hostname: PROD_CERT.keyPem },
    /mailstack:hostname is \(a value holding a private key, not shown\)/,
  ],
  [
    "docker.host over tcp:// without TLS",
    { docker: { host: "tcp://203.0.113.25:2375" } },
    /mailstack:docker\.host is "tcp:\/\/203\.0\.113\.25:2375", a Docker API without TLS: whoever reaches that port controls the server as root/,
  ],
  [
    "docker.host over tcp:// with a client certificate but no CA",
    { docker: { host: "tcp://203.0.113.25:2376" } },
    /a Docker API without TLS/,
    undefined,
    { environment: { DOCKER_CERT_MATERIAL: "x", DOCKER_KEY_MATERIAL: "y" } },
  ],

  // --- messages that say what to do --------------------------------------------------------------------------
  [
    "an internationalised domain",
    { domain: "bücher.de", hostname: undefined },
    /mailstack:domain is "bücher\.de", an internationalised name; DNS and the mail server need its ASCII \(punycode\) form: xn--bcher-kva\.de/,
  ],
  [
    "a chain with the CA first",
    { tlsCertificate: caFirst.chain, tlsPrivateKey: caFirst.key },
    /mailstack:tlsCertificate has the server's certificate in position 2 of 2; it must come first/,
  ],
  [
    "two DMARC report addresses in one string",
    { dmarc: { rua: "a@qladgk.com, mailto:b@qladgk.com" } },
    /mailstack:dmarc\.rua is "a@qladgk\.com, mailto:b@qladgk\.com", several addresses in one string; give them as a list: rua: \[a@qladgk\.com, b@qladgk\.com\]/,
  ],
  [
    "a Resend DKIM value that is not one",
    { resend: { dkim: '"v=spf1 include:amazonses.com ~all"' } },
    /mailstack:resend\.dkim does not look like the DKIM value Resend shows/,
  ],
  [
    "unknown spam filter",
    { spam: { filter: "spamassassin" } },
    /mailstack:spam\.filter is "spamassassin"; expected "rspamd" .* or "none"/,
  ],
  [
    "spam learning without the filter",
    { spam: { filter: "none", learning: true, greylisting: true } },
    /mailstack:spam\.learning needs the Rspamd filter; remove it or set spam\.filter: rspamd\n.*mailstack:spam\.greylisting needs the Rspamd filter/,
  ],
  [
    "spam switch not a boolean",
    { spam: { dnsbl: "off" } },
    /mailstack:spam\.dnsbl must be true or false \(got "off"\)/,
  ],
  [
    "unknown spam setting",
    { spam: { junkScore: 5 } },
    /mailstack:spam\.junkScore is not a known setting; expected one of filter, dnsbl, learning, greylisting/,
  ],
  [
    "env switching the filter or what it replaces",
    { env: { ENABLE_RSPAMD: 0, ENABLE_OPENDKIM: 1, MOVE_SPAM_TO_JUNK: 0 } },
    /mailstack:env\.ENABLE_RSPAMD is set by mailstack itself: use mailstack:spam\.filter\n.*env\.ENABLE_OPENDKIM is set by mailstack itself.*spam\.filter.*\n.*env\.MOVE_SPAM_TO_JUNK is set by mailstack itself/,
  ],
];

describe("parseConfig: invalid values", () => {
  it.each(INVALID)("%s", (_name, change, message, secrets, extra) => {
    const problems = problemsOf({ ...PROD_CONFIG, ...change }, secrets === undefined ? PROD_SECRETS : secrets, extra);
    expect(problems.join("\n")).toMatch(message);
  });

  it("has a case for every class of issue 18 (at least 100 in all)", () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(100);
  });

  it("reports every problem at once and never a secret's value", () => {
    let error: unknown;
    try {
      parse(
        {
          ...PROD_CONFIG,
          domain: "bad domain",
          relayPassword: SECRET_PW,
          passwords: { hi: "short" },
          dmarc: { policy: "x" },
        },
        ["tlsPrivateKey", "passwords"],
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect((error as ConfigError).problems.length).toBeGreaterThanOrEqual(4);
    expect(message).toMatch(/nothing was changed/);
    expect(message).not.toContain(SECRET_PW);
    expect(message).not.toContain("short");
  });

  it("does not need a token, an IP or Resend's DKIM value when DNS is not managed", () => {
    const c = parse({
      ...PROD_CONFIG,
      dns: "none",
      serverIp: undefined,
      resend: {},
      "cloudflare:apiToken": undefined,
      hostname: "mx.elsewhere.net",
      tls: { mode: "self-signed" },
    });
    expect(c.dns.provider).toBe("none");
    expect(c.hostname).toBe("mx.elsewhere.net");
  });
});

describe("parseConfig: accepted, with a warning or normalised", () => {
  it("accepts documentation addresses (the examples use them) with a warning, in canonical spelling", () => {
    const c = parse({ ...SECOND_CONFIG, serverIpv6: "2001:DB8:0:0:0:0:0:25" }, SECOND_SECRETS);
    expect(c.serverIp).toBe("203.0.113.25");
    expect(c.serverIpv6).toBe("2001:db8::25");
    expect(c.warnings.join("\n")).toMatch(
      /mailstack:serverIp is "203\.0\.113\.25", a documentation address \(RFC 5737\)/,
    );
    expect(c.warnings.join("\n")).toMatch(/mailstack:serverIpv6 is "2001:DB8:0:0:0:0:0:25", a documentation address/);
    expect(parse(PROD_CONFIG).warnings.join("\n")).not.toMatch(/documentation address/);
  });

  it("takes Resend's DKIM value as a zone file or a DNS tool shows it", () => {
    const key = RESEND_DKIM.slice(2);
    for (const pasted of [
      `"${RESEND_DKIM}"`,
      `"p=${key.slice(0, 100)}" "${key.slice(100)}"`,
      `( "p=${key.slice(0, 60)}"\n  "${key.slice(60)}" )`,
      `p=${key.slice(0, 80)}\n${key.slice(80)}`,
    ])
      expect(parse({ ...PROD_CONFIG, resend: { dkim: pasted } }).resend.dkim, pasted).toBe(RESEND_DKIM);
  });

  it("reads DMARC report addresses as a list, without mailto:, and warns about another domain's authorisation", () => {
    const c = parse({
      ...PROD_CONFIG,
      dmarc: { policy: "reject", rua: ["mailto:dmarc@qladgk.com", "r@reports.example"] },
    });
    expect(c.dmarc).toEqual({ policy: "reject", rua: ["dmarc@qladgk.com", "r@reports.example"] });
    expect(c.warnings.join("\n")).toMatch(
      /mailstack:dmarc\.rua sends reports to reports\.example, another domain: receivers only send them if qladgk\.com\._report\._dmarc\.reports\.example/,
    );
  });

  it("resolves aliases through aliases, +tags and outside addresses", () => {
    const c = parse({
      ...PROD_CONFIG,
      aliases: { sales: "team", team: ["hi", "info+sales@qladgk.com"], press: "agency@example.net" },
      blocked: ["hi+leaked", "old-shop"],
      relay: { provider: "none" },
      catchAll: "team",
    });
    expect(c.aliases.map((a) => a.address)).toEqual(["sales@qladgk.com", "team@qladgk.com", "press@qladgk.com"]);
    expect(c.catchAll).toBe("team@qladgk.com");
    expect(c.blocked).toEqual(["hi+leaked@qladgk.com", "old-shop@qladgk.com"]);
  });

  it("normalises env switches and accepts tcp:// when the Docker client has its TLS material", () => {
    const c = parse(
      {
        ...PROD_CONFIG,
        env: { ENABLE_CLAMAV: true, RSPAMD_NEURAL: "false", SPAM_SUBJECT: "[SPAM] " },
        docker: { host: "tcp://203.0.113.25:2376" },
      },
      PROD_SECRETS,
      { environment: { DOCKER_CERT_PATH: "/home/me/.docker/mail" } },
    );
    expect(c.env).toEqual({ ENABLE_CLAMAV: "1", RSPAMD_NEURAL: "0", SPAM_SUBJECT: "[SPAM] " });
    expect(c.docker.host).toBe("tcp://203.0.113.25:2376");
  });

  it("accepts a custom relay host (lower-cased) and an address as the relay username", () => {
    expect(
      parse({ ...PROD_CONFIG, relay: { provider: "custom", host: "SMTP.Example.NET.", username: "u" } }).relay.host,
    ).toBe("smtp.example.net");
    const c = parse({
      ...PROD_CONFIG,
      relay: { provider: "custom", host: "smtp.example.net", port: 2525, username: "me@qladgk.com" },
    });
    expect(c.relay).toMatchObject({ host: "smtp.example.net", port: 2525, username: "me@qladgk.com" });
  });

  it("warns when the intermediates of a chain are out of order", () => {
    const root = makeCa("Root");
    const server = makeServerCert(root, ["mail.qladgk.com"]);
    const c = parse({
      ...PROD_CONFIG,
      tlsCertificate: server.cert + makeCa("Unrelated").cert,
      tlsPrivateKey: server.key,
    });
    expect(c.warnings.join("\n")).toMatch(/chain is out of order: certificate 2 did not issue certificate 1/);
  });
});
