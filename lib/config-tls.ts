import { isIPv4, isIPv6 } from "node:net";
import { AcmeConfig, AcmeKeyType, TlsConfig } from "./config-types";
import { field, isAddress, isDomainName, RawConfig, Reader, show, unknownFields } from "./config-reader";
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

export interface TlsContext {
  hostname: string;
  domain: string;
  managedDns: boolean;
}

/**
 * The `tls` section. `mode` defaults to `acme` (Let's Encrypt over DNS-01) when DNS is managed on Cloudflare
 * and no certificate of the user's own is configured; an older stack that names one keeps `manual`.
 */
export function readTls(r: Reader, raw: RawConfig, ctx: TlsContext, warnings: string[]): TlsConfig {
  const obj = r.object("tls");
  unknownFields(r, obj, "tls", ["mode", "certFile", "keyFile", "acme"]);
  const ownCertificate =
    obj?.certFile !== undefined || obj?.keyFile !== undefined || MANUAL_KEYS.some((k) => r.secret(k) !== undefined);
  const mode = field(r, obj, "mode", "tls.mode", "string") ?? (ctx.managedDns && !ownCertificate ? "acme" : "manual");
  if (mode !== "acme" && obj?.acme !== undefined)
    r.fail("tls.acme", `is set but tls.mode is ${show(mode)}; remove it or set tls.mode: acme`);
  if (mode === "acme") return { mode, acme: readAcme(r, obj?.acme, ctx) };
  if (mode === "self-signed") return { mode };
  if (mode !== "manual") {
    r.fail(
      "tls.mode",
      `is ${show(mode)}; expected "acme" (Let's Encrypt, issued and renewed automatically), "manual" (your certificate) or "self-signed" (for trying it out)`,
    );
    return { mode: "self-signed" };
  }
  return readManual(r, raw, obj, ctx.hostname, warnings);
}

function readManual(
  r: Reader,
  raw: RawConfig,
  obj: Record<string, unknown> | undefined,
  hostname: string,
  warnings: string[],
): TlsConfig {
  const tls: TlsConfig = { mode: "manual" };
  const certFile = field(r, obj, "certFile", "tls.certFile", "string");
  const keyFile = field(r, obj, "keyFile", "tls.keyFile", "string");
  const read = (key: string, path: string) => {
    try {
      return raw.readFile(path);
    } catch (e) {
      return r.fail(
        key,
        `names ${show(path)}, which cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}); give a PEM file path relative to the project directory`,
      );
    }
  };
  const cert = certFile ? read("tls.certFile", certFile) : r.secret("tlsCertificate");
  const key = keyFile ? read("tls.keyFile", keyFile) : r.secret("tlsPrivateKey");
  if (!certFile && !r.string("tlsCertificate"))
    r.fail(
      "tls.certFile",
      "is required with tls.mode manual: a PEM certificate (full chain) for the hostname, or set tlsCertificate; use tls.mode acme to have Let's Encrypt issue one (DNS on Cloudflare), or self-signed to try things out",
    );
  if (!keyFile && !r.secret("tlsPrivateKey"))
    r.fail(
      "tls.keyFile",
      "is required with tls.mode manual: the certificate's PEM private key, or set the secret tlsPrivateKey",
    );
  if (cert && key) {
    const checked = checkManualCertificate(cert, key, hostname, raw.now);
    for (const p of checked.problems) r.fail(certFile ? "tls.certFile" : "tlsCertificate", p);
    warnings.push(...checked.warnings);
    tls.certificatePem = cert;
    tls.privateKeyPem = key;
  }
  return tls;
}

function readAcme(r: Reader, value: unknown, ctx: TlsContext): AcmeConfig {
  let obj: Record<string, unknown> | undefined;
  if (value !== undefined && value !== null) {
    if (typeof value !== "object" || Array.isArray(value)) r.fail("tls.acme", `must be an object (got ${show(value)})`);
    else obj = value as Record<string, unknown>;
  }
  unknownFields(r, obj, "tls.acme", [
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
    r.fail(
      "tls.mode",
      `is "acme", which proves control of ${ctx.hostname} through DNS records on Cloudflare; with dns: none use tls.mode manual (a certificate you obtain) or self-signed`,
    );

  const email = (field(r, obj, "email", "tls.acme.email", "string") ?? `postmaster@${ctx.domain}`).toLowerCase();
  if (!isAddress(email))
    r.fail("tls.acme.email", `is ${show(email)}; expected the address the CA may write to, e.g. admin@${ctx.domain}`);

  const rawServer = field(r, obj, "server", "tls.acme.server", "string") ?? "letsencrypt";
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
      r.fail(
        "tls.acme.server",
        `is ${show(rawServer)}; expected ${Object.keys(ACME_SERVERS).join(" or ")}, or an ACME directory URL (https://…/directory)`,
      );
      // Reported once: what follows is judged as for Let's Encrypt.
      known = ACME_SERVERS.letsencrypt;
      server = known.url;
    }
  }

  const keyType = (field(r, obj, "keyType", "tls.acme.keyType", "string") ?? "rsa2048").toLowerCase() as AcmeKeyType;
  if (!ACME_KEY_TYPES.includes(keyType))
    r.fail("tls.acme.keyType", `is ${show(keyType)}; expected one of ${ACME_KEY_TYPES.join(", ")}`);

  const renewDays = field(r, obj, "renewDays", "tls.acme.renewDays", "number") ?? DEFAULT_RENEW_DAYS;
  if (!Number.isInteger(renewDays) || renewDays < 7 || renewDays > 60)
    r.fail(
      "tls.acme.renewDays",
      `is ${show(renewDays)}; expected whole days left at which to renew, 7–60 (Let's Encrypt certificates last 90 days or less)`,
    );
  const checkHours = field(r, obj, "checkHours", "tls.acme.checkHours", "number") ?? DEFAULT_CHECK_HOURS;
  if (!Number.isInteger(checkHours) || checkHours < 1 || checkHours > 24)
    r.fail("tls.acme.checkHours", `is ${show(checkHours)}; expected how often to check, 1–24 hours`);

  const resolvers = readResolvers(r, obj?.resolvers);

  const caa = field(r, obj, "caa", "tls.acme.caa", "boolean") ?? true;
  const caaIssuer = (field(r, obj, "caaIssuer", "tls.acme.caaIssuer", "string") ?? known?.caaIssuer)?.toLowerCase();
  if (caaIssuer !== undefined && !isDomainName(caaIssuer))
    r.fail("tls.acme.caaIssuer", `is ${show(caaIssuer)}; expected the CA's CAA domain, e.g. letsencrypt.org`);
  if (caa && caaIssuer === undefined)
    r.fail(
      "tls.acme.caaIssuer",
      `is required for the ACME server ${show(server)}: the domain its CAA records name (see its documentation), or set tls.acme.caa: false`,
    );

  const image = field(r, obj, "image", "tls.acme.image", "string") ?? LEGO_IMAGE;
  if (/\s/.test(image)) r.fail("tls.acme.image", `is ${show(image)}; expected an image reference like ${LEGO_IMAGE}`);
  const tokenRotation = field(r, obj, "tokenRotation", "tls.acme.tokenRotation", "string") ?? "";
  if (!/^[\w.-]{0,40}$/.test(tokenRotation))
    r.fail("tls.acme.tokenRotation", `is ${show(tokenRotation)}; expected up to 40 letters, digits, '.', '_' or '-'`);

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
function readResolvers(r: Reader, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    r.fail("tls.acme.resolvers", `must be a list of resolver addresses (got ${show(value)})`);
    return [];
  }
  for (const v of value as string[])
    if (!isResolver(v))
      r.fail("tls.acme.resolvers", `has ${show(v)}; expected an IP address with an optional port, e.g. 1.1.1.1:53`);
  return value as string[];
}

/** `1.1.1.1`, `1.1.1.1:53`, `2606:4700::1111` or `[2606:4700::1111]:53`. */
function isResolver(v: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(v);
  const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : isIPv6(v) ? [v, undefined] : v.split(/:(?=\d+$)/);
  const portOk = port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
  return portOk && (bracketed || isIPv6(v) ? isIPv6(host) : isIPv4(host));
}
