import { ClientSetupConfig } from "./config-types";
import { Scope, show } from "./config-reader";
import { addressProblem, asciiLower } from "./mail-syntax";
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
 *
 * What reaches the Worker's script (lib/well-known/worker.ts) is the domain and host name (checked by their own
 * section), these switches and numbers, and documents rendered from them; the script embeds it as JSON. The
 * report URIs land in the `_smtp._tls` TXT record, whose URI list `,` and `!` and whose fields `;` separate
 * (RFC 8460 §3).
 */
export const CLIENT_SETUP_KEYS = ["cloudflareAccountId", "clientSetup", "mtaSts", "tlsRpt"];

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

/** An https:// report URL as the TXT record can carry it: no whitespace, quotes, controls, `,`, `;` or `!`. */
// eslint-disable-next-line no-control-regex
const REPORT_URL = /^https:\/\/[^\s,;!"\\\x00-\x1f\x7f]+$/i;

export function readClientSetup(scope: Scope, ctx: ClientSetupContext): ClientSetupConfig {
  const { domain, managedDns } = ctx;
  const warnings = scope.r.warnings;

  // --- the Worker -------------------------------------------------------------------------------------
  const accountId = scope.string("cloudflareAccountId");
  if (accountId && !/^[0-9a-f]{32}$/.test(accountId))
    scope.fail(
      "cloudflareAccountId",
      `is ${show(accountId)}; expected the 32-character hex account ID (Cloudflare dashboard → Workers & Pages, or the zone's Overview page)`,
    );
  const s = scope.object("clientSetup");
  s?.only(["worker", "mtaSts", "tlsRpt", "autoconfig", "autodiscover", "apex", "srv"]);
  const flag = (name: string, fallback: boolean) => s?.boolean(name) ?? fallback;
  const wantWorker = s?.boolean("worker");
  if (wantWorker && !managedDns)
    s!.fail(
      "worker",
      "is true but dns is none: the Worker lives on Cloudflare with the zone; with dns: none host the files yourself (stack output wellKnown) or set dns: cloudflare",
    );
  else if (wantWorker && !accountId)
    scope.fail(
      "cloudflareAccountId",
      "is required for clientSetup.worker: the Cloudflare account ID to deploy the Worker to (and give cloudflare:apiToken Account → Workers Scripts → Edit)",
    );
  const worker = managedDns && accountId && wantWorker !== false ? { accountId } : undefined;
  if (managedDns && !accountId && wantWorker === undefined)
    warnings.push(
      "MTA-STS and mail client autoconfiguration are not served: set mailstack:cloudflareAccountId (and give cloudflare:apiToken Account → Workers Scripts → Edit) to serve them from a Cloudflare Worker, or set clientSetup.worker: false to silence this",
    );
  if (accountId && !managedDns) scope.warn("cloudflareAccountId", "is not used with dns: none (no Worker is deployed)");
  // Served by the Worker, or by the user with dns: none; with managed DNS and no Worker, nobody serves them.
  const served = !!worker || !managedDns;

  const autoconfig = flag("autoconfig", true);
  const autodiscover = flag("autodiscover", true);
  const apex = flag("apex", false);

  // --- MTA-STS ----------------------------------------------------------------------------------------
  // Published when something serves the policy, unless switched off; switched on without the Worker, the
  // user serves it (the policy is in the outputs).
  const sts = scope.object("mtaSts");
  sts?.only(["mode", "maxAge"]);
  const mode = (sts?.string("mode") ?? "testing") as MtaStsMode;
  if (!MTA_STS_MODES.includes(mode))
    sts!.fail(
      "mode",
      `is ${show(mode)}; expected testing (failures reported, mail still delivered), enforce (mail only over valid TLS) or none (withdrawing a policy)`,
    );
  const maxAge = sts?.number("maxAge") ?? MTA_STS_DEFAULT_MAX_AGE;
  if (!Number.isInteger(maxAge) || maxAge < MIN_MAX_AGE || maxAge > MTA_STS_MAX_AGE_LIMIT)
    sts!.fail(
      "maxAge",
      `is ${show(maxAge)}; expected whole seconds from ${MIN_MAX_AGE} (a day) to ${MTA_STS_MAX_AGE_LIMIT} (a year), e.g. 604800 (a week)`,
    );
  const mtaSts = flag("mtaSts", served) ? { mode, maxAge } : undefined;
  if (mtaSts && !served)
    warnings.push(
      `MTA-STS without the Worker: serve stack output wellKnown.mtaSts.policy at https://mta-sts.${domain}/.well-known/mta-sts.txt yourself (a valid certificate, Content-Type text/plain), else senders find _mta-sts.${domain} but no policy`,
    );
  const untrusted = ctx.untrustedCertificate;
  if (mtaSts && untrusted && mode === "enforce")
    scope.fail(
      "mtaSts.mode",
      `is enforce with a certificate from ${untrusted}: senders that enforce MTA-STS refuse a certificate no public CA vouches for, so their mail would bounce; get a publicly trusted certificate (tls.mode acme with Let's Encrypt, or manual), or use mtaSts.mode testing`,
    );
  else if (mtaSts && untrusted && mode === "testing")
    warnings.push(
      `MTA-STS is in testing mode with a certificate from ${untrusted}: senders deliver anyway but report every connection as failed (TLS-RPT); get a publicly trusted certificate before mtaSts.mode enforce`,
    );

  // --- TLS-RPT ----------------------------------------------------------------------------------------
  const rpt = scope.object("tlsRpt");
  rpt?.only(["rua"]);
  const given = rpt?.value("rua");
  const targets = given === undefined ? [`postmaster@${domain}`] : Array.isArray(given) ? given : [given];
  const rua: string[] = [];
  for (const target of targets) {
    const value = typeof target === "string" ? target.trim() : "";
    const address = asciiLower(value.replace(/^mailto:/i, ""));
    const problem = address.includes("@") && !/^https:/i.test(value) ? addressProblem(address, "outside") : "";
    if (problem === undefined) rua.push(tlsRptUri(address));
    else if (!problem && REPORT_URL.test(value) && URL.canParse(value)) rua.push(value);
    else
      rpt!.fail(
        "rua",
        `has ${show(target)}${problem ? `, an address that ${problem}` : ""}; expected an address for the daily reports (e.g. tls-reports@${domain}) or an https:// URL`,
      );
  }
  if (targets.length === 0) rpt!.fail("rua", "is empty; give an address, or set clientSetup.tlsRpt: false");
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
      scope.fail(
        "hostname",
        `is ${show(ctx.hostname)}, a name the client-setup Worker serves (${taken.join(", ")}); use another host name such as mail.${domain}${ctx.hostname === domain ? ", or set clientSetup.apex: false" : ""}`,
      );
  }

  return { worker, mtaSts, tlsRpt, autoconfig, autodiscover, apex, srv: flag("srv", true) };
}
