/**
 * `env`: extra docker-mailserver settings, as an allow-list. Each variable a user may set is listed with the
 * values docker-mailserver 15.1.0 accepts for it (mailserver.env, startup/variables-stack.sh and the scripts
 * that read it); everything else is refused with the reason. Values are checked strictly because docker-mailserver
 * writes each one as `NAME='value'` into /etc/dms-settings, which its scripts `source`, and pastes several into
 * `postconf`, `sed` expressions, Sieve scripts and `$(( ))` arithmetic.
 */
import { addressProblem, isDomainName } from "./mail-syntax";
import { didYouMean, Scope, show } from "./config-reader";
import { SpamConfig } from "./config-types";

interface Shape {
  test: (v: string) => boolean;
  /** What is expected, for the message. */
  expect: string;
}

const pattern = (re: RegExp, expect: string): Shape => ({ test: (v) => re.test(v), expect });
const oneOf = (...values: string[]): Shape => ({
  test: (v) => values.includes(v),
  expect: `one of ${values.join(", ")}`,
});
/** docker-mailserver compares switches with `-eq 1`: `true` would read as 0. */
const FLAG = oneOf("0", "1");
const COUNT = pattern(/^\d{1,10}$/, "a whole number");
const ADDRESS: Shape = { test: (v) => !addressProblem(v, "outside"), expect: "an email address" };
const DOMAIN: Shape = { test: isDomainName, expect: "a domain name" };
/** Free text for a subject tag or an SMTP reply: no quotes, `$`, `%`, `\` or line breaks (shell, Sieve, supervisor). */
const TEXT = pattern(
  // eslint-disable-next-line no-control-regex
  /^[^\x00-\x1f\x7f'"`$%\\]{1,100}$/,
  "up to 100 characters without quotes, $, %, \\ or line breaks",
);

/** What ends a value in /etc/dms-settings (`NAME='value'`, one per line). */
// eslint-disable-next-line no-control-regex
const UNSOURCEABLE = /['\x00-\x1f\x7f]/;

/** What a user may set, and how. */
const ALLOWED: Record<string, Shape> = {
  // logging, time and reports
  LOG_LEVEL: oneOf("error", "warn", "info", "debug", "trace"),
  SUPERVISOR_LOGLEVEL: oneOf("critical", "error", "warn", "info", "debug"),
  TZ: pattern(
    /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_+.-]+(\/[A-Za-z0-9_+.-]+){0,2}$/,
    "a tz database name such as Europe/Berlin",
  ),
  LOGROTATE_INTERVAL: oneOf("daily", "weekly", "monthly"),
  LOGROTATE_COUNT: COUNT,
  LOGWATCH_INTERVAL: oneOf("none", "daily", "weekly"),
  LOGWATCH_RECIPIENT: ADDRESS,
  LOGWATCH_SENDER: ADDRESS,
  PFLOGSUMM_TRIGGER: oneOf("none", "daily_cron", "logrotate"),
  PFLOGSUMM_RECIPIENT: ADDRESS,
  PFLOGSUMM_SENDER: ADDRESS,
  REPORT_RECIPIENT: ADDRESS,
  REPORT_SENDER: ADDRESS,
  ENABLE_UPDATE_CHECK: FLAG,
  UPDATE_CHECK_INTERVAL: pattern(/^\d{1,6}[smhd]$/, "a number followed by s, m, h or d, e.g. 1d"),
  // the spam filter's details (mailstack:spam switches it; RSPAMD_ONLY below says what needs it)
  ENABLE_CLAMAV: FLAG,
  CLAMAV_MESSAGE_SIZE_LIMIT: pattern(/^\d{1,5}[KMG]?$/, "a size such as 25M"),
  MARK_SPAM_AS_READ: FLAG,
  // Lands in a Sieve script as `addheader :last "Subject" "<value>${subject}"` (setup.d/security/misc.sh).
  SPAM_SUBJECT: TEXT,
  RSPAMD_CHECK_AUTHENTICATED: FLAG,
  RSPAMD_HFILTER: FLAG,
  // Read with `_env_var_expect_integer` (setup.d/security/rspamd.sh): a fraction would be ignored.
  RSPAMD_HFILTER_HOSTNAME_UNKNOWN_SCORE: pattern(/^-?\d{1,4}$/, "a whole number such as 6"),
  RSPAMD_NEURAL: FLAG,
  // connection-time checks (postscreen, Postfix)
  POSTSCREEN_ACTION: oneOf("enforce", "drop", "ignore"),
  POSTFIX_REJECT_UNKNOWN_CLIENT_HOSTNAME: FLAG,
  // delivery and limits
  ENABLE_MTA_STS: FLAG,
  ENABLE_SRS: FLAG,
  SRS_SENDER_CLASSES: oneOf("envelope_sender", "header_sender", "envelope_sender,header_sender"),
  SRS_EXCLUDE_DOMAINS: {
    test: (v) => v.split(",").every((d) => isDomainName(d.replace(/^\./, ""))),
    expect: "domain names separated by commas",
  },
  SRS_DOMAINNAME: DOMAIN,
  POSTFIX_MESSAGE_SIZE_LIMIT: COUNT,
  POSTFIX_MAILBOX_SIZE_LIMIT: COUNT,
  ENABLE_QUOTAS: FLAG,
  // networking and TLS strength (TLS 1.2 is the minimum either way)
  POSTFIX_INET_PROTOCOLS: oneOf("all", "ipv4", "ipv6"),
  DOVECOT_INET_PROTOCOLS: oneOf("all", "ipv4", "ipv6"),
  NETWORK_INTERFACE: pattern(/^[A-Za-z0-9_.-]{1,15}$/, "a network interface name such as eth0"),
  TLS_LEVEL: oneOf("modern", "intermediate"),
  // the rest
  DMS_CONFIG_POLL: pattern(/^[1-9]\d{0,4}$/, "a number of seconds, at least 1"),
  DMS_VMAIL_UID: pattern(/^[1-9]\d{0,9}$/, "a user ID other than 0"),
  DMS_VMAIL_GID: pattern(/^[1-9]\d{0,9}$/, "a group ID other than 0"),
};

/** Variables mailstack sets itself, and which setting to use instead. */
const OWNED: Record<string, string> = {
  OVERRIDE_HOSTNAME: "use mailstack:hostname",
  ACCOUNT_PROVISIONER: "mailstack provisions the accounts from its files (mailstack:accounts)",
  POSTMASTER_ADDRESS: "use mailstack:postmaster",
  SSL_TYPE: "use mailstack:tls",
  SSL_CERT_PATH: "use mailstack:tls",
  SSL_KEY_PATH: "use mailstack:tls",
  SSL_ALT_CERT_PATH: "use mailstack:tls",
  SSL_ALT_KEY_PATH: "use mailstack:tls",
  SSL_DOMAIN: "use mailstack:tls",
  DEFAULT_RELAY_HOST: "use mailstack:relay",
  RELAY_HOST: "use mailstack:relay",
  RELAY_PORT: "use mailstack:relay.port",
  RELAY_USER: "use mailstack:relay.username",
  RELAY_PASSWORD: "use the secret mailstack:relayPassword",
  PERMIT_DOCKER:
    "mailstack keeps it at none: trusting Docker networks lets every container on them send mail through the server without a password",
  SPOOF_PROTECTION: "mailstack turns it on: each login sends only as the addresses it receives",
  ENABLE_FAIL2BAN: "use mailstack:fail2ban, which also gives the container the NET_ADMIN capability it needs",
  // The filter, what it replaces and where spam goes (lib/render/container-env.ts): with Rspamd it signs and checks
  // SPF, DKIM and DMARC, without it OpenDKIM, OpenDMARC and policyd-spf do.
  ENABLE_RSPAMD: "use mailstack:spam.filter",
  ENABLE_RSPAMD_REDIS: "Rspamd keeps its statistics, greylisting and history there; use mailstack:spam.filter",
  RSPAMD_LEARN: "use mailstack:spam.learning",
  RSPAMD_GREYLISTING: "use mailstack:spam.greylisting",
  ENABLE_DNSBL: "use mailstack:spam.dnsbl",
  MOVE_SPAM_TO_JUNK: "mailstack files spam into Junk, where learning expects it (see mailstack:spam)",
  ENABLE_OPENDKIM:
    "mailstack publishes a DKIM record, so the server must sign: Rspamd or OpenDKIM, as mailstack:spam.filter says",
  ENABLE_OPENDMARC: "mailstack checks DMARC on incoming mail: Rspamd or OpenDMARC, as mailstack:spam.filter says",
  ENABLE_POLICYD_SPF: "mailstack checks SPF on incoming mail: Rspamd or policyd-spf, as mailstack:spam.filter says",
  ENABLE_AMAVIS: "mailstack keeps Amavis off: Rspamd replaces it (mailstack:spam.filter)",
  ENABLE_SPAMASSASSIN: "mailstack keeps SpamAssassin off: Rspamd replaces it (mailstack:spam.filter)",
  ENABLE_POSTGREY: "mailstack keeps Postgrey off: use mailstack:spam.greylisting (Rspamd's)",
};

/** docker-mailserver variables that do not fit a mailstack server, and why. */
const UNFIT: [RegExp, string][] = [
  [/__FILE$/, "makes docker-mailserver read a variable from a file, which would get around these checks"],
  [/^SMTP_ONLY$/, "would stop Dovecot: the accounts could neither log in nor receive mail"],
  [/^ENABLE_(POP3|MANAGESIEVE)$/, "needs ports mailstack does not publish (it publishes 25, 143, 465, 587 and 993)"],
  [/^ENABLE_IMAP$/, "is how the accounts read their mail; mailstack keeps IMAP on"],
  [
    /^(LDAP_|SASLAUTHD_|OAUTH2_|ENABLE_SASLAUTHD$|ENABLE_OAUTH2$|DOVECOT_(TLS|USER_FILTER|PASS_FILTER|AUTH_BIND)$)/,
    "belongs to LDAP/SASL/OAuth2 logins; mailstack's accounts come from its own files",
  ],
  [/^(ENABLE_FETCHMAIL|FETCHMAIL_|ENABLE_GETMAIL|GETMAIL_)/, "needs configuration files mailstack does not write"],
  [/^POSTFIX_DAGENT$/, "would hand every delivery to another program or host instead of the accounts' mailboxes"],
  [/^DOVECOT_MAILBOX_FORMAT$/, "changing it after mail has arrived hides that mail; mailstack keeps maildir"],
  [
    /^SRS_SECRET$/,
    "is a secret, and environment variables show in docker inspect; docker-mailserver makes one and keeps it in the mail-state volume",
  ],
  [/^DMS_RELEASE$/, "describes the image; it is not a setting"],
  [
    /^(AMAVIS_|SA_|SPAMASSASSIN_|ENABLE_SPAMASSASSIN_KAM$|VIRUSMAILS_DELETE_DELAY$)/,
    "belongs to Amavis and SpamAssassin, which mailstack keeps off: Rspamd filters (mailstack:spam)",
  ],
  [/^POSTGREY_/, "belongs to Postgrey, which mailstack keeps off; use mailstack:spam.greylisting (Rspamd's)"],
  [
    /^(PATH|HOME|HOSTNAME|USER|LOGNAME|SHELL|TERM|PWD|OLDPWD|SHLVL|IFS|ENV|CDPATH|GLOBIGNORE|PS[1-4]|TMPDIR|LANG|LANGUAGE|DEBIAN_FRONTEND|container)$|^(LD_|BASH|LC_|PERL|PYTHON)/,
    "is a variable of the container's processes, not a docker-mailserver setting",
  ],
];

/**
 * Settings that only mean something to Rspamd: ClamAV runs inside Rspamd (Amavis is off; misc.sh warns "ClamAV
 * will not work when Amavis & rspamd are disabled"), and the spam subject and read mark act on Rspamd's `X-Spam`.
 */
const RSPAMD_ONLY = /^(RSPAMD_|ENABLE_CLAMAV$|CLAMAV_|SPAM_SUBJECT$|MARK_SPAM_AS_READ$)/;

/** The variable names a user may set (documented in README.md). */
export const USER_ENV_VARIABLES = Object.keys(ALLOWED);

/** Reads `env`: each variable checked against the allow-list, values normalised (`true` → `1`). */
export function readEnv(scope: Scope, spam: SpamConfig): Record<string, string> {
  const envScope = scope.object("env");
  const env: Record<string, string> = {};
  if (!envScope) return env;
  for (const name of envScope.names()) {
    const raw = envScope.value(name);
    const owned = OWNED[name];
    const unfit = UNFIT.find(([re]) => re.test(name))?.[1];
    const shape = ALLOWED[name];
    if (owned) envScope.fail(name, `is set by mailstack itself: ${owned}`);
    else if (unfit) envScope.fail(name, unfit);
    else if (!shape)
      envScope.fail(
        name,
        /^[A-Z_][A-Z0-9_]*$/.test(name)
          ? `is not a docker-mailserver 15.1 setting mailstack lets you change${didYouMean(name, USER_ENV_VARIABLES)}; README.md lists the ones you can`
          : `is not an environment variable name${didYouMean(name, USER_ENV_VARIABLES)}; docker-mailserver's are upper case, e.g. TZ`,
      );
    else if (spam.filter !== "rspamd" && RSPAMD_ONLY.test(name))
      envScope.fail(
        name,
        "works through Rspamd, which spam.filter: none turns off; remove it or set spam.filter: rspamd",
      );
    else if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean")
      envScope.fail(name, `must be a string, number or boolean (got ${show(raw)})`);
    else {
      let value = String(raw);
      if (shape === FLAG && (value === "true" || value === "false")) value = value === "true" ? "1" : "0";
      if (!shape.test(value)) envScope.fail(name, `is ${show(value)}; expected ${shape.expect}`);
      // Whatever the shape lets through (an address may hold '), the settings file must hold it.
      else if (UNSOURCEABLE.test(value))
        envScope.fail(
          name,
          `is ${show(value)}; docker-mailserver writes it as ${name}='value' into a file its scripts source, so it may not hold ' or a line break`,
        );
      else env[name] = value;
    }
  }
  return env;
}
