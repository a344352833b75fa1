import { ClientSetupConfig } from "./config-types";
import { field, isAddress, Reader, show, unknownFields } from "./config-reader";
import { MTA_STS_DEFAULT_MAX_AGE, MTA_STS_MAX_AGE_LIMIT, MTA_STS_MODES, MtaStsMode } from "./well-known/mta-sts";
import { tlsRptUri } from "./well-known/tls-rpt";

/**
 * The client-setup section: `cloudflareAccountId`, the switches in `clientSetup`, and the settings of two of
 * its parts, `mtaSts` and `tlsRpt`.
 *
 *   mailstack:cloudflareAccountId: 0123456789abcdef0123456789abcdef   # deploys the Worker
 *   mailstack:clientSetup: { worker, mtaSts, tlsRpt, autoconfig, autodiscover, apex, srv }   # booleans
 *   mailstack:mtaSts: { mode: testing, maxAge: 604800 }
 *   mailstack:tlsRpt: { rua: [postmaster@example.com] }
 *
 * The switches live apart from the settings because Pulumi.yaml declares `mtaSts` and `tlsRpt` as objects and
 * the CLI fills in `{}` when they are unset: an object cannot also be the switch.
 */
export interface ClientSetupContext {
  domain: string;
  hostname: string;
  /** `dns: cloudflare`: the Worker can be deployed; otherwise every HTTPS part is hosted by the user. */
  managedDns: boolean;
  /**
   * Why the mail server's certificate is one no public CA vouches for (`tls.mode self-signed`, the Let's
   * Encrypt staging CA), or undefined: MTA-STS senders validate it like a browser.
   */
  untrustedCertificate?: string;
}

/** At least a day: a shorter cache protects nothing between two fetches (RFC 8461 §3.2 expects weeks). */
const MIN_MAX_AGE = 86_400;

/** Reads the section; what does not stop the run is added to `warnings`. */
export function readClientSetup(r: Reader, ctx: ClientSetupContext, warnings: string[]): ClientSetupConfig {
  const { domain, managedDns } = ctx;

  // --- the Worker -------------------------------------------------------------------------------------
  const accountId = r.string("cloudflareAccountId");
  if (accountId && !/^[0-9a-f]{32}$/.test(accountId))
    r.fail(
      "cloudflareAccountId",
      `is ${show(accountId)}; expected the 32-character hex account ID (Cloudflare dashboard → Workers & Pages, or the zone's Overview page)`,
    );
  const obj = r.object("clientSetup");
  unknownFields(r, obj, "clientSetup", ["worker", "mtaSts", "tlsRpt", "autoconfig", "autodiscover", "apex", "srv"]);
  const flag = (name: string, fallback: boolean) => field(r, obj, name, `clientSetup.${name}`, "boolean") ?? fallback;
  const wantWorker = field(r, obj, "worker", "clientSetup.worker", "boolean");
  if (wantWorker && !managedDns)
    r.fail(
      "clientSetup.worker",
      "is true but dns is none: the Worker lives on Cloudflare with the zone; with dns: none host the files yourself (stack output wellKnown) or set dns: cloudflare",
    );
  else if (wantWorker && !accountId)
    r.fail(
      "cloudflareAccountId",
      "is required for clientSetup.worker: the Cloudflare account ID to deploy the Worker to (and give cloudflare:apiToken Account → Workers Scripts → Edit)",
    );
  const worker = managedDns && accountId && wantWorker !== false ? { accountId } : undefined;
  if (managedDns && !accountId && wantWorker === undefined)
    warnings.push(
      "MTA-STS and mail client autoconfiguration are not served: set mailstack:cloudflareAccountId (and give cloudflare:apiToken Account → Workers Scripts → Edit) to serve them from a Cloudflare Worker, or set clientSetup.worker: false to silence this",
    );
  if (accountId && !managedDns)
    warnings.push("mailstack:cloudflareAccountId is not used with dns: none (no Worker is deployed)");
  // Served by the Worker, or by the user with dns: none; with managed DNS and no Worker, nobody serves them.
  const served = !!worker || !managedDns;

  const autoconfig = flag("autoconfig", true);
  const autodiscover = flag("autodiscover", true);
  const apex = flag("apex", false);

  // --- MTA-STS ----------------------------------------------------------------------------------------
  // Published when something serves the policy, unless switched off; switched on without the Worker, the
  // user serves it (the policy is in the outputs).
  const stsObj = r.object("mtaSts");
  unknownFields(r, stsObj, "mtaSts", ["mode", "maxAge"]);
  const mode = (field(r, stsObj, "mode", "mtaSts.mode", "string") ?? "testing") as MtaStsMode;
  if (!MTA_STS_MODES.includes(mode))
    r.fail(
      "mtaSts.mode",
      `is ${show(mode)}; expected testing (failures reported, mail still delivered), enforce (mail only over valid TLS) or none (withdrawing a policy)`,
    );
  const maxAge = field(r, stsObj, "maxAge", "mtaSts.maxAge", "number") ?? MTA_STS_DEFAULT_MAX_AGE;
  if (!Number.isInteger(maxAge) || maxAge < MIN_MAX_AGE || maxAge > MTA_STS_MAX_AGE_LIMIT)
    r.fail(
      "mtaSts.maxAge",
      `is ${show(maxAge)}; expected whole seconds from ${MIN_MAX_AGE} (a day) to ${MTA_STS_MAX_AGE_LIMIT} (a year), e.g. 604800 (a week)`,
    );
  const mtaSts = flag("mtaSts", served) ? { mode, maxAge } : undefined;
  if (mtaSts && !served)
    warnings.push(
      `MTA-STS without the Worker: serve stack output wellKnown.mtaSts.policy at https://mta-sts.${domain}/.well-known/mta-sts.txt yourself (a valid certificate, Content-Type text/plain), else senders find _mta-sts.${domain} but no policy`,
    );
  const untrusted = ctx.untrustedCertificate;
  if (mtaSts && untrusted && mode === "enforce")
    r.fail(
      "mtaSts.mode",
      `is enforce with a certificate from ${untrusted}: senders that enforce MTA-STS refuse a certificate no public CA vouches for, so their mail would bounce; get a publicly trusted certificate (tls.mode acme with Let's Encrypt, or manual), or use mtaSts.mode testing`,
    );
  else if (mtaSts && untrusted && mode === "testing")
    warnings.push(
      `MTA-STS is in testing mode with a certificate from ${untrusted}: senders deliver anyway but report every connection as failed (TLS-RPT); get a publicly trusted certificate before mtaSts.mode enforce`,
    );

  // --- TLS-RPT ----------------------------------------------------------------------------------------
  const rptObj = r.object("tlsRpt");
  unknownFields(r, rptObj, "tlsRpt", ["rua"]);
  const given = rptObj?.rua;
  const targets = given === undefined ? [`postmaster@${domain}`] : Array.isArray(given) ? given : [given];
  const rua: string[] = [];
  for (const target of targets) {
    const value = typeof target === "string" ? target.trim() : "";
    const address = value.replace(/^mailto:/i, "").toLowerCase();
    if (isAddress(address)) rua.push(tlsRptUri(address));
    else if (/^https:\/\/[^\s,;!]+$/i.test(value)) rua.push(value);
    else
      r.fail(
        "tlsRpt.rua",
        `has ${show(target)}; expected an address for the daily reports (e.g. tls-reports@${domain}) or an https:// URL`,
      );
  }
  if (targets.length === 0) r.fail("tlsRpt.rua", "is empty; give an address, or set clientSetup.tlsRpt: false");
  const tlsRpt = flag("tlsRpt", true) ? { rua } : undefined;

  // --- names the Worker takes over must not be the mail server's -------------------------------------
  if (worker) {
    const taken = [
      ...(mtaSts ? [`mta-sts.${domain}`] : []),
      ...(autoconfig ? [`autoconfig.${domain}`] : []),
      ...(autodiscover ? [`autodiscover.${domain}`] : []),
      ...(apex && (autoconfig || autodiscover) ? [domain] : []),
    ];
    if (taken.includes(ctx.hostname))
      r.fail(
        "hostname",
        `is ${show(ctx.hostname)}, a name the client-setup Worker serves (${taken.join(", ")}); use another host name such as mail.${domain}${ctx.hostname === domain ? ", or set clientSetup.apex: false" : ""}`,
      );
  }

  return { worker, mtaSts, tlsRpt, autoconfig, autodiscover, apex, srv: flag("srv", true) };
}
