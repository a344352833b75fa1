/**
 * The certificate renewer, pure: its command lines, script, account file, CAA record and the paths it shares
 * with docker-mailserver. The same functions render what the container runs and what the tests run against
 * Pebble, so the argv under test is the argv deployed.
 *
 * The renewer is lego (go-acme/lego) in its official image, pinned. It solves DNS-01 with its Cloudflare
 * provider, reading a zone-scoped token from a file: `CLOUDFLARE_DNS_API_TOKEN_FILE` (lego
 * platform/config/env/env.go GetOrFile: `<VAR>_FILE` names a file whose content, less one trailing newline,
 * is the value). It writes `<path>/certificates/<domain>.crt` (leaf + issuer) and `.key`; the script
 * publishes them into docker-mailserver's Let's Encrypt layout (`live/<name>/{fullchain,privkey}.pem`,
 * symlinks into `archive/`), which its change detector watches (target/scripts/helpers/change-detection.sh
 * at v15.1.0: `/etc/letsencrypt/live/"${SSL_DOMAIN}"/*.pem` when `SSL_TYPE=letsencrypt`), reloading Postfix
 * and Dovecot within `DMS_CONFIG_POLL` (2 s).
 */
import { AcmeConfig } from "../config-types";
import { formatCaa, parseCaa } from "../dns-format";
import { TlsPlan } from "../planned";
import { DEFAULT_TTL, DnsRecordSpec } from "../dns-record";
import { shellQuote } from "../shell-quote";
import type { ServerFile } from "../plan/server-files";

/**
 * lego v4.35.2, the last v4 release (v5 changed the command line), official multi-platform image. Its
 * Dockerfile (buildx.Dockerfile) is Alpine with the binary at /lego: BusyBox sh for the script.
 */
export const LEGO_IMAGE = "goacme/lego:v4.35.2@sha256:ae124a405844759b201b31efbd7a0ba302dbd16e86f2fb177c4b6db8bdc782c8";
export const LEGO_BINARY = "/lego";

/** Paths inside the renewer container (and, for `certs`, inside the mail server too). */
export const RENEWER = {
  script: "/run/mailstack/renew.sh",
  accountJson: "/run/mailstack/acme-account.json",
  /** secret, 0600: the Cloudflare token, zone-scoped. */
  tokenFile: "/run/secrets/cloudflare-dns-token",
  /** secret, 0600: the ACME account key (PEM). */
  accountKey: "/run/secrets/acme-account.key",
  /** lego's own state (accounts, certificates): a volume only the renewer mounts. */
  legoPath: "/var/lib/lego",
};
/** The certificate volume: read-write in the renewer, read-only in docker-mailserver, at the same path. */
export const CERTS_MOUNT = "/etc/letsencrypt";
/** The renewer's last result, for `mailstack doctor` (outside live/, so the change detector ignores it). */
export const STATUS_FILE = `${CERTS_MOUNT}/mailstack-renewer.status`;
/** Published certificate versions kept in archive/ (the live one and the ones before it). */
export const ARCHIVE_KEEP = 3;

export interface RenewerInput {
  hostname: string;
  acme: AcmeConfig;
}

export const livePaths = (hostname: string) => ({
  fullchain: `${CERTS_MOUNT}/live/${hostname}/fullchain.pem`,
  privkey: `${CERTS_MOUNT}/live/${hostname}/privkey.pem`,
});

/** lego's account directory: `<path>/accounts/<server host, ':' → '_'>/<email>` (cmd/accounts_storage.go). */
export function legoAccountDir(acme: AcmeConfig): string {
  const host = new URL(acme.server).host.replace(/:/g, "_");
  return `${RENEWER.legoPath}/accounts/${host}/${acme.email}`;
}

/** Environment of the renewer container: where the token is, never the token itself. */
export function renewerEnv(): string[] {
  return [`CLOUDFLARE_DNS_API_TOKEN_FILE=${RENEWER.tokenFile}`];
}

/** lego's global flags, then the command (flags both lego 4.35.2 and Debian's 4.9.1 know). */
export function legoCommands(input: RenewerInput) {
  const { acme, hostname } = input;
  const global = [
    LEGO_BINARY,
    "--accept-tos",
    "--email",
    acme.email,
    "--server",
    acme.server,
    "--dns",
    "cloudflare",
    ...acme.resolvers.flatMap((r) => ["--dns.resolvers", r]),
    "--domains",
    hostname,
    "--key-type",
    acme.keyType,
    "--path",
    RENEWER.legoPath,
  ];
  return {
    /** First issuance (lego `run`): the account is already registered, from the uploaded account.json. */
    issue: [...global, "run"],
    /**
     * Renewal when due: fewer than `renewDays` left, or earlier when the CA's renewal information (ARI,
     * RFC 9773) says so. lego's own random delay of up to 8 minutes is off: the schedule adds its own.
     */
    renew: [...global, "renew", "--days", String(acme.renewDays), "--no-random-sleep"],
    /** Renewal now, whatever the expiry (lego: a negative --days always renews). */
    force: [...global, "renew", "--days=-1", "--no-random-sleep"],
  };
}

/**
 * lego's account.json, so it uses the account the program registered (the one the CAA record names) and never
 * registers one of its own: a registration with a status is loaded as is (cmd/accounts_storage.go LoadAccount).
 */
export function renderAccountJson(acme: AcmeConfig, accountUri: string): string {
  const contact = [`mailto:${acme.email}`];
  return `${JSON.stringify({ email: acme.email, registration: { body: { status: "valid", contact }, uri: accountUri } }, null, 2)}\n`;
}

/**
 * The renewer container's files, in the shape of the mail server's (lib/plan/server-files.ts): the script, the
 * account file, and the token and account key (secret, 0600), resolved.
 */
export function planRenewerFiles(
  input: RenewerInput,
  made: { accountUri: string; token: string; accountKeyPem: string },
): ServerFile[] {
  return [
    { path: RENEWER.script, content: renderRenewerScript(input), mode: "0700" },
    { path: RENEWER.accountJson, content: renderAccountJson(input.acme, made.accountUri), mode: "0644" },
    { path: RENEWER.tokenFile, content: `${made.token}\n`, mode: "0600" },
    { path: RENEWER.accountKey, content: made.accountKeyPem, mode: "0600" },
  ];
}

const line = (argv: string[]) => argv.map(shellQuote).join(" ");

/**
 * The renewer's script (POSIX sh: BusyBox ash in the image, dash in the tests).
 *   renew.sh schedule   check now, then every `checkHours` (the container's command)
 *   renew.sh check      one check: issue when there is no certificate, renew when due, publish
 *   renew.sh force      renew now whatever the expiry, publish
 *   renew.sh status     the last result, as key=value lines
 */
export function renderRenewerScript(input: RenewerInput): string {
  const { acme, hostname } = input;
  const c = legoCommands(input);
  const accountDir = legoAccountDir(acme);
  const live = `${CERTS_MOUNT}/live/${hostname}`;
  const archive = `${CERTS_MOUNT}/archive/${hostname}`;
  const legoCert = `${RENEWER.legoPath}/certificates/${hostname}`;
  // What the certificate in lego's store was issued for: a change of CA or key type issues anew at once.
  const issuedFor = `${acme.server} ${acme.keyType}`;
  const q = shellQuote;
  return `#!/bin/sh
# mailstack: issues and renews the certificate of ${hostname} with lego (DNS-01 on Cloudflare) and publishes it
# where docker-mailserver reads it. Written by the Pulumi program (lib/render/acme.ts); a change there
# replaces this container.
#   renew.sh schedule   check now, then every ${acme.checkHours} h (the container's command)
#   renew.sh check      one check: issue when there is no certificate, renew when due, publish
#   renew.sh force      renew now whatever the expiry (e.g. after a key compromise), publish
#   renew.sh status     the last result
set -u
umask 077
CERT=${q(`${legoCert}.crt`)}
KEY=${q(`${legoCert}.key`)}
ISSUED_FOR=${q(`${legoCert}.mailstack-issued-for`)}
LIVE=${q(live)}
ARCHIVE=${q(archive)}
STATUS=${q(STATUS_FILE)}

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) mailstack-renewer: $*"; }

# status RESULT DETAIL: the last check, for mailstack doctor (written whole, then renamed into place).
status() {
  published=$(sed -n 's/^published=//p' "$STATUS" 2>/dev/null)
  [ "\${3:-}" = published ] && published=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  printf 'checked=%s\\nresult=%s\\ndetail=%s\\npublished=%s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2" "$published" >"$STATUS.new"
  chmod 644 "$STATUS.new" && mv -f "$STATUS.new" "$STATUS"
}

# The account the program registered (and the CAA record names): key and registration, never a new one.
install_account() {
  mkdir -p ${q(`${accountDir}/keys`)} &&
    cp ${q(RENEWER.accountKey)} ${q(`${accountDir}/keys/${acme.email}.key`)} &&
    cp ${q(RENEWER.accountJson)} ${q(`${accountDir}/account.json`)}
}

# Copies lego's certificate into archive/ and swaps the live/ links, one rename each, so docker-mailserver
# never finds a live file missing; nothing happens when live/ already holds it.
publish() {
  [ -s "$CERT" ] && [ -s "$KEY" ] || return 1
  if cmp -s "$CERT" "$LIVE/fullchain.pem" && cmp -s "$KEY" "$LIVE/privkey.pem"; then return 0; fi
  mkdir -p "$LIVE" "$ARCHIVE" && chmod 755 ${q(CERTS_MOUNT)} ${q(`${CERTS_MOUNT}/live`)} ${q(`${CERTS_MOUNT}/archive`)} "$LIVE" "$ARCHIVE" || return 1
  n=1
  while [ -e "$ARCHIVE/fullchain$n.pem" ]; do n=$((n + 1)); done
  cp "$KEY" "$ARCHIVE/privkey$n.pem" && chmod 600 "$ARCHIVE/privkey$n.pem" &&
    cp "$CERT" "$ARCHIVE/fullchain$n.pem" && chmod 644 "$ARCHIVE/fullchain$n.pem" || return 1
  for f in privkey fullchain; do
    ln -s "../../archive/${hostname}/$f$n.pem" "$LIVE/.$f.new" && mv -f "$LIVE/.$f.new" "$LIVE/$f.pem" || return 1
  done
  old=$((n - ${ARCHIVE_KEEP}))
  while [ "$old" -ge 1 ] && [ -e "$ARCHIVE/fullchain$old.pem" ]; do
    rm -f "$ARCHIVE/fullchain$old.pem" "$ARCHIVE/privkey$old.pem"
    old=$((old - 1))
  done
  log "published certificate $n to $LIVE"
  return 2
}

check() {
  install_account || { log "FAILED: cannot install the ACME account"; status failed "cannot install the ACME account"; return 1; }
  if [ -s "$CERT" ] && [ "$(cat "$ISSUED_FOR" 2>/dev/null)" = ${q(issuedFor)} ]; then
    log "checking ${hostname}: renews when fewer than ${acme.renewDays} days are left or the CA says so"
    ${line(c.renew)}
  else
    log "issuing a certificate for ${hostname} from ${acme.server}"
    ${line(c.issue)} && echo ${q(issuedFor)} >"$ISSUED_FOR"
  fi
  finish $?
}

force() {
  install_account || { status failed "cannot install the ACME account"; return 1; }
  log "renewing ${hostname} now"
  ${line(c.force)} && echo ${q(issuedFor)} >"$ISSUED_FOR"
  finish $?
}

# finish LEGO_STATUS: publishes what lego holds and records the result.
finish() {
  publish
  published=$?
  if [ "$1" -ne 0 ]; then
    log "FAILED: lego exited with status $1 (see above)"
    status failed "lego exited with status $1; see docker logs of the renewer"
    return 1
  fi
  if [ "$published" -eq 1 ]; then
    status failed "lego holds no certificate to publish"
    return 1
  fi
  [ "$published" -eq 2 ] && status ok "published a new certificate" published || status ok "certificate up to date"
  return 0
}

# Checks spread over an hour (no on-the-hour spikes at the CA); after a failure the next try comes sooner.
schedule() {
  log "renewer for ${hostname}: checks every ${acme.checkHours} h, renews when fewer than ${acme.renewDays} days are left"
  while :; do
    if check; then wait=${acme.checkHours * 3600}; else wait=3600; fi
    jitter=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 3600))
    log "next check in $(((wait + jitter) / 60)) min"
    sleep $((wait + jitter))
  done
}

case "\${1:-}" in
  schedule) schedule ;;
  check) check ;;
  force) force ;;
  status) cat "$STATUS" ;;
  *)
    echo "usage: $0 schedule | check | force | status" >&2
    exit 2 ;;
esac
`;
}

/** Published, with the first certificate in place: `wait` holds the mail server back until then. */
export function renewerHealthcheck(hostname: string) {
  const live = livePaths(hostname);
  return {
    tests: ["CMD-SHELL", `test -s ${live.fullchain} && test -s ${live.privkey}`],
    interval: "10s",
    timeout: "5s",
    retries: 3,
    // Spelled out: the provider reads an unset start period back as "0s", which would be a diff on every run.
    startPeriod: "0s",
  };
}
/** How long the first `pulumi up` waits for the first certificate (DNS propagation is checked for up to 2 min). */
export const FIRST_ISSUANCE_TIMEOUT_SECONDS = 600;

/**
 * CAA for the mail host only (RFC 8659 looks at the name itself first), so the rest of the zone (a website,
 * Cloudflare's edge certificates) keeps whatever it has. `issue` names the CA and, where the CA honours RFC
 * 8657, this account and DNS-01 alone.
 */
export function planCaaRecords(p: { hostname: string; acme: AcmeConfig; accountUri: string }): DnsRecordSpec[] {
  if (!p.acme.caa) return [];
  const params = p.acme.caaParameters ? `; accounturi=${p.accountUri}; validationmethods=dns-01` : "";
  const rec = (tag: string, value: string, comment: string): DnsRecordSpec => ({
    type: "CAA",
    name: p.hostname,
    content: formatCaa({ flags: 0, tag, value }),
    ttl: DEFAULT_TTL,
    comment,
  });
  // No `issuewild`: without one, the issue record governs wildcard requests too (RFC 8659 §4.3), so the
  // account restriction already covers them.
  return [
    rec("issue", `${p.acme.caa.issuer}${params}`, "CAA: only the renewer's ACME account may issue for the mail host"),
  ];
}

/** The `tls` output of an acme stack (lib/planned.ts). */
export function planAcmeTls(p: { hostname: string; acme: AcmeConfig; accountUri: string; container: string }): TlsPlan {
  const [caa] = planCaaRecords(p);
  return {
    mode: "acme",
    server: p.acme.server,
    accountUri: p.accountUri,
    caa: caa && parseCaa(caa.content).value,
    renewDays: p.acme.renewDays,
    checkHours: p.acme.checkHours,
    container: p.container,
    certificatePath: livePaths(p.hostname).fullchain,
    statusFile: STATUS_FILE,
  };
}
