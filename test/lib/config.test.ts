import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../lib/config";
import { PROD_CONFIG, PROD_SECRETS, SECOND_CONFIG, SECOND_SECRETS } from "../support/fixtures";
import { selfSignedCertificate } from "../support/certificates";
import { rawConfig } from "../support/raw-config";

const parse = (config: Record<string, unknown>, secrets = PROD_SECRETS, extra = {}) =>
  parseConfig(rawConfig(config, secrets, extra));

function problemsOf(config: Record<string, unknown>, secrets = PROD_SECRETS, extra = {}): string[] {
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
    expect(c.dmarc).toEqual({ policy: "none", rua: undefined });
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
    expect(c.env).toEqual({ TZ: "Europe/Berlin" });
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

// Each invalid config, and the message it must produce (a fragment naming the key and what is expected).
const INVALID: [string, Record<string, unknown>, RegExp, string[]?][] = [
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
    /mailstack:serverIp is "192\.168\.1\.10", a private or reserved address/,
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
  ["relatedSenders not a mapping", { relatedSenders: ["x.com"] }, /mailstack:relatedSenders must be an object/],
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
    /mailstack:tls\.cert is not a known setting; expected one of mode, certFile, keyFile/,
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
  ["spam switch not a boolean", { spam: { dnsbl: "off" } }, /mailstack:spam\.dnsbl must be a boolean \(got "off"\)/],
  [
    "unknown spam setting",
    { spam: { junkScore: 5 } },
    /mailstack:spam\.junkScore is not a known setting; expected one of filter, dnsbl, learning, greylisting/,
  ],
  [
    "env switching the filter or what it replaces",
    { env: { ENABLE_RSPAMD: 0, ENABLE_OPENDKIM: 1, MOVE_SPAM_TO_JUNK: 0 } },
    /mailstack:env\.ENABLE_RSPAMD is set by mailstack itself; use the matching setting \(.*spam\).*\n.*env\.ENABLE_OPENDKIM is set by mailstack itself.*\n.*env\.MOVE_SPAM_TO_JUNK is set by mailstack itself/,
  ],
];

describe("parseConfig: invalid values", () => {
  it.each(INVALID)("%s", (_name, change, message, secrets) => {
    const problems = problemsOf({ ...PROD_CONFIG, ...change }, secrets);
    expect(problems.join("\n")).toMatch(message);
  });

  it("has at least 20 cases", () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(20);
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
