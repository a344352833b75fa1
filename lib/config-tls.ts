import { isIPv4, isIPv6 } from "node:net";
import { AcmeConfig, AcmeKeyType, TlsConfig } from "./config-types";
import { RawConfig, Scope, show } from "./config-reader";
import { asciiLower, isAddress, isDomainName } from "./mail-syntax";
import { checkManualCertificate } from "./tls-check";
import { LEGO_IMAGE } from "./render/acme";

/** ACME directories known by name; any other `https://…` directory URL is accepted as is. */
export const ACME_SERVERS: Record<string, { url: string; caaIssuer: string; rfc8657: boolean }> = {
  letsencrypt: { url: "https://acme-v02.api.letsencrypt.org/directory", caaIssuer: "letsencrypt.org", rfc8657: true },
  "letsencrypt-staging": {
    url: "https://acme-staging-v02.api.letsencrypt.org/directory",
    caaIssuer: "letsencrypt.org",
    rfc8657: true,
  },
};
/** Key types both the pinned lego and Debian's lego 4.9.1 (the test's) accept for `--key-type`. */
export const ACME_KEY_TYPES: AcmeKeyType[] = ["rsa2048", "rsa4096", "ec256", "ec384"];
export const DEFAULT_RENEW_DAYS = 30;
export const DEFAULT_CHECK_HOURS = 12;
/** Settings that select a certificate of the user's own: their presence keeps an older stack on `manual`. */
const MANUAL_KEYS = ["tlsCertificate", "tlsPrivateKey"];

export const TLS_KEYS = ["tls", ...MANUAL_KEYS];

export interface TlsContext {
  hostname: string;
  domain: string;
  managedDns: boolean;
}

/**
 * The `tls` section. `mode` defaults to `acme` (Let's Encrypt over DNS-01) when DNS is managed on Cloudflare
 * and no certificate of the user's own is configured; an older stack that names one keeps `manual`.
 */
export function readTls(scope: Scope, raw: RawConfig, ctx: TlsContext): TlsConfig {
  const s = scope.object("tls");
  s?.only(["mode", "certFile", "keyFile", "acme"]);
  const ownCertificate = !!s?.has("certFile") || !!s?.has("keyFile") || MANUAL_KEYS.some((k) => scope.has(k));
  const mode = s?.string("mode") ?? (ctx.managedDns && !ownCertificate ? "acme" : "manual");
  if (mode !== "acme" && s?.has("acme"))
    s.fail("acme", `is set but tls.mode is ${show(mode)}; remove it or set tls.mode: acme`);
  if (mode === "acme") return { mode, acme: readAcme(scope, s?.object("acme"), ctx) };
  if (mode === "self-signed") return { mode };
  if (mode !== "manual") {
    scope.fail(
      "tls.mode",
      `is ${show(mode)}; expected "acme" (Let's Encrypt, issued and renewed automatically), "manual" (your certificate) or "self-signed" (for trying it out)`,
    );
    return { mode: "self-signed" };
  }
  return readManual(scope, raw, s, ctx.hostname);
}

/**
 * Why no public CA vouches for the certificate the server will present, or undefined: senders that enforce
 * MTA-STS validate it like a browser (lib/config-client-setup.ts).
 */
export function untrustedCertificate(tls: TlsConfig): string | undefined {
  if (tls.mode === "self-signed") return "tls.mode self-signed";
  if (tls.acme?.server === ACME_SERVERS["letsencrypt-staging"].url)
    return "the Let's Encrypt staging CA (tls.acme.server)";
  return undefined;
}

function readManual(scope: Scope, raw: RawConfig, s: Scope | undefined, hostname: string): TlsConfig {
  const tls: TlsConfig = { mode: "manual" };
  const certFile = s?.string("certFile");
  const keyFile = s?.string("keyFile");
  const read = (key: string, path: string) => {
    try {
      return raw.readFile(path);
    } catch (e) {
      return scope.fail(
        key,
        `names ${show(path)}, which cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}); give a PEM file path relative to the project directory`,
      );
    }
  };
  const cert = certFile ? read("tls.certFile", certFile) : scope.secret("tlsCertificate");
  const key = keyFile ? read("tls.keyFile", keyFile) : scope.secret("tlsPrivateKey");
  if (!certFile && !scope.has("tlsCertificate"))
    scope.fail(
      "tls.certFile",
      "is required with tls.mode manual: a PEM certificate (full chain) for the hostname, or set tlsCertificate; use tls.mode acme to have Let's Encrypt issue one (DNS on Cloudflare), or self-signed to try things out",
    );
  if (!keyFile && !scope.has("tlsPrivateKey"))
    scope.fail(
      "tls.keyFile",
      "is required with tls.mode manual: the certificate's PEM private key, or set the secret tlsPrivateKey",
    );
  if (cert && key) {
    const checked = checkManualCertificate(cert, key, hostname, raw.now);
    for (const p of checked.problems) scope.fail(certFile ? "tls.certFile" : "tlsCertificate", p);
    scope.r.warnings.push(...checked.warnings);
    tls.certificatePem = cert;
    tls.privateKeyPem = key;
  }
  return tls;
}

function readAcme(scope: Scope, a: Scope | undefined, ctx: TlsContext): AcmeConfig {
  a?.only([
    "email",
    "server",
    "keyType",
    "renewDays",
    "checkHours",
    "resolvers",
    "caa",
    "caaIssuer",
    "image",
    "tokenRotation",
  ]);
  if (!ctx.managedDns)
    scope.fail(
      "tls.mode",
      `is "acme", which proves control of ${ctx.hostname} through DNS records on Cloudflare; with dns: none use tls.mode manual (a certificate you obtain) or self-signed`,
    );

  const email = asciiLower(a?.string("email") ?? `postmaster@${ctx.domain}`);
  if (!isAddress(email))
    scope.fail(
      "tls.acme.email",
      `is ${show(email)}; expected the address the CA may write to, e.g. admin@${ctx.domain}`,
    );

  const rawServer = a?.string("server") ?? "letsencrypt";
  let known: (typeof ACME_SERVERS)[string] | undefined = ACME_SERVERS[rawServer];
  let server = known?.url ?? rawServer;
  if (!known) {
    let url: URL | undefined;
    try {
      url = new URL(rawServer);
    } catch {
      /* reported below */
    }
    if (!url || url.protocol !== "https:" || url.username || url.password || /\s/.test(rawServer)) {
      scope.fail(
        "tls.acme.server",
        `is ${show(rawServer)}; expected ${Object.keys(ACME_SERVERS).join(" or ")}, or an ACME directory URL (https://…/directory)`,
      );
      // Reported once: what follows is judged as for Let's Encrypt.
      known = ACME_SERVERS.letsencrypt;
      server = known.url;
    }
  }

  const keyType = asciiLower(a?.string("keyType") ?? "rsa2048") as AcmeKeyType;
  if (!ACME_KEY_TYPES.includes(keyType))
    scope.fail("tls.acme.keyType", `is ${show(keyType)}; expected one of ${ACME_KEY_TYPES.join(", ")}`);

  const renewDays = a?.number("renewDays") ?? DEFAULT_RENEW_DAYS;
  if (!Number.isInteger(renewDays) || renewDays < 7 || renewDays > 60)
    scope.fail(
      "tls.acme.renewDays",
      `is ${show(renewDays)}; expected whole days left at which to renew, 7–60 (Let's Encrypt certificates last 90 days or less)`,
    );
  const checkHours = a?.number("checkHours") ?? DEFAULT_CHECK_HOURS;
  if (!Number.isInteger(checkHours) || checkHours < 1 || checkHours > 24)
    scope.fail("tls.acme.checkHours", `is ${show(checkHours)}; expected how often to check, 1–24 hours`);

  const resolvers = readResolvers(scope, a?.value("resolvers"));

  const caa = a?.boolean("caa") ?? true;
  const givenIssuer = a?.string("caaIssuer") ?? known?.caaIssuer;
  const caaIssuer = givenIssuer === undefined ? undefined : asciiLower(givenIssuer);
  if (caaIssuer !== undefined && !isDomainName(caaIssuer))
    scope.fail("tls.acme.caaIssuer", `is ${show(caaIssuer)}; expected the CA's CAA domain, e.g. letsencrypt.org`);
  if (caa && caaIssuer === undefined)
    scope.fail(
      "tls.acme.caaIssuer",
      `is required for the ACME server ${show(server)}: the domain its CAA records name (see its documentation), or set tls.acme.caa: false`,
    );

  const image = a?.string("image") ?? LEGO_IMAGE;
  if (/\s/.test(image))
    scope.fail("tls.acme.image", `is ${show(image)}; expected an image reference like ${LEGO_IMAGE}`);
  const tokenRotation = a?.string("tokenRotation") ?? "";
  if (!/^[\w.-]{0,40}$/.test(tokenRotation))
    scope.fail(
      "tls.acme.tokenRotation",
      `is ${show(tokenRotation)}; expected up to 40 letters, digits, '.', '_' or '-'`,
    );

  return {
    email,
    server,
    // RFC 8657's accounturi and validationmethods are honoured by Let's Encrypt (Boulder); other CAs get a
    // plain issuer record, since a CA that ignores unknown parameters would still honour it.
    caaParameters: known?.rfc8657 ?? false,
    keyType,
    renewDays,
    checkHours,
    resolvers,
    caa: caa ? { issuer: caaIssuer ?? "" } : undefined,
    image,
    tokenRotation,
  };
}

/** `host` or `host:port` DNS resolvers lego asks for the zone and the challenge record. */
function readResolvers(scope: Scope, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    scope.fail("tls.acme.resolvers", `must be a list of resolver addresses (got ${show(value)})`);
    return [];
  }
  for (const v of value as string[])
    if (!isResolver(v))
      scope.fail("tls.acme.resolvers", `has ${show(v)}; expected an IP address with an optional port, e.g. 1.1.1.1:53`);
  return value as string[];
}

/** `1.1.1.1`, `1.1.1.1:53`, `2606:4700::1111` or `[2606:4700::1111]:53`. */
function isResolver(v: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(v);
  const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : isIPv6(v) ? [v, undefined] : v.split(/:(?=\d+$)/);
  const portOk = port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
  return portOk && (bracketed || isIPv6(v) ? isIPv6(host) : isIPv4(host));
}
