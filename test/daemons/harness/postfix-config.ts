import { MailServerFiles } from "./from-plan";
import { SyslogPaths } from "./syslog";
import { dmsVmailbox } from "./dms-accounts";

/** Where each part of the loopback Postfix instance lives. */
export interface PostfixPaths {
  configDir: string;
  queueDir: string;
  dataDir: string;
  /** Output of the `postfix` commands themselves (check, start, reload, stop). */
  log: string;
  /** The daemons log through syslog, as in the container: rsyslogd writes DMS's mail.log. */
  syslog: SyslogPaths;
  /** The container's config directory (`/tmp/docker-mailserver`) as written to the scratch folder. */
  dmsConfigDir: string;
  /** resolv.conf for the daemons' namespace, naming the test's DNS server (only written when there is one). */
  resolvConf: string;
}

export interface PostfixPorts {
  smtp: number;
  submission: number;
  submissions: number;
}

/** The milters and DNS-dependent parts of main.cf, decided by mail-system.ts from the env. */
export interface PostfixWiring {
  lmtpSocket: string;
  authSocket: string;
  certFile: string;
  keyFile: string;
  /** `inet:127.0.0.1:PORT` of OpenDKIM when it runs (setup.d/dmarc_dkim_spf.sh `_setup_opendkim`). */
  dkimMilter?: string;
  /** `inet:127.0.0.1:PORT` of Rspamd's proxy when it runs (setup.d/security/rspamd.sh `__rspamd__setup_postfix`). */
  rspamdMilter?: string;
  /** The test's DNS server, on port 53 of a loopback address: without one, nothing may look anything up. */
  dns?: { host: string };
}

/** docker-mailserver's vmailbox, from postfix-accounts.cf. */
export const vmailboxFromAccounts = dmsVmailbox;

/** docker-mailserver's own map that lets every address be used by a login of the same name (target/postfix). */
export const DMS_SENDER_LOGIN_MAPS_PCRE = "/^(.*)$/   ${1}\n";

/** The container paths a main.cf override (postfix-main.cf) names, moved into the scratch folder. */
export function toScratchPaths(text: string, p: PostfixPaths): string {
  return text
    .replaceAll("/etc/postfix/maps/sender_login_maps.pcre", `${p.configDir}/sender_login_maps.pcre`)
    .replaceAll("/etc/postfix/virtual", `${p.configDir}/virtual`)
    .replaceAll("/etc/postfix/regexp", `${p.configDir}/regexp`)
    .replaceAll("/etc/aliases", `${p.configDir}/aliases`)
    .replaceAll("/tmp/docker-mailserver/", `${p.dmsConfigDir}/`);
}

/**
 * postscreen as target/postfix/main.cf configures it, after setup.d/security/misc.sh `__setup__security__postscreen`
 * (POSTSCREEN_ACTION enforce; without ENABLE_DNSBL no blocklist is asked).
 */
function postscreenCf(env: Record<string, string>): string {
  const dnsbl =
    env.ENABLE_DNSBL === "1"
      ? `postscreen_dnsbl_action = enforce
postscreen_dnsbl_sites =
    zen.spamhaus.org=127.0.0.[2..11]*3
    bl.mailspike.net=127.0.0.[2;14;13;12;11;10]
    b.barracudacentral.org*2
    bl.spameatingmonkey.net=127.0.0.2
    dnsbl.sorbs.net
    psbl.surriel.com
    list.dnswl.org=127.0.[0..255].0*-2
    list.dnswl.org=127.0.[0..255].1*-3
    list.dnswl.org=127.0.[0..255].[2..3]*-4
postscreen_dnsbl_threshold = 3
postscreen_dnsbl_allowlist_threshold = -1
`
      : `postscreen_dnsbl_action = ignore
postscreen_dnsbl_sites =
`;
  return `${dnsbl}postscreen_greet_action = enforce
postscreen_bare_newline_action = enforce
`;
}

/** Whether port 25 is postscreen (DMS's master.cf always; here when the test gives a DNS server, see masterCf). */
export function usesPostscreen(o: Pick<PostfixWiring, "dns">): boolean {
  return o.dns !== undefined;
}

/**
 * With the test's DNS server: client host names are looked up there (DMS's default), and loopback clients may
 * announce an internet address with XCLIENT. Rspamd counts every 127/8 address as its own host (src/libutil/addr.c
 * `rspamd_inet_address_is_local`) and skips SPF, DKIM, DMARC, host name and blocklist checks for it, so a test
 * plays a client on the internet by connecting from loopback and saying `XCLIENT ADDR=<documentation address>`:
 * smtpd then treats the session, its restrictions and its milters as coming from there (XCLIENT_README).
 * postscreen, in front, still sees the loopback address. DMS authorizes no XCLIENT host.
 */
const XCLIENT = `smtpd_authorized_xclient_hosts = 127.0.0.0/8
`;

/**
 * main.cf: docker-mailserver's settings that matter for what the tests prove (virtual domains, maps, access
 * table, relay restrictions, milters, LMTP, relay SASL with mandatory TLS), plus what a second instance on
 * loopback needs. Without a test DNS server, what needs DNS (postscreen's blocklists, client host names,
 * Rspamd) is left out; with one (the spam suites), it is wired as in the container. The SPF policy service
 * and OpenDMARC are not run.
 */
export function mainCf(files: MailServerFiles, p: PostfixPaths, o: PostfixWiring): string {
  // DMS appends each milter to smtpd_milters as its setup runs (OpenDKIM, then Rspamd); only OpenDKIM's to
  // non_smtpd_milters.
  const smtpdMilters = [o.dkimMilter, o.rspamdMilter].filter(Boolean).join(", ");
  const nonSmtpdMilters = o.dkimMilter ?? "";
  const dms = p.dmsConfigDir;
  // setup.d/postfix.sh: the access table is wired only when the file exists.
  const receiveAccess =
    files.configFiles["postfix-receive-access.cf"] !== undefined
      ? `check_recipient_access texthash:${dms}/postfix-receive-access.cf, `
      : "";
  const relay =
    (files.relay?.relayhost ? `relayhost = ${files.relay.relayhost}\n` : "") +
    // relay.sh `_populate_relayhost_map`.
    (files.relay?.relayhostMap !== undefined
      ? `sender_dependent_relayhost_maps = texthash:${p.configDir}/relayhost_map\n`
      : "");
  // helpers/relay.sh `_relayhost_sasl`.
  const relaySasl =
    files.relay?.saslPasswd !== undefined
      ? `smtp_sasl_password_maps = texthash:${p.configDir}/sasl_passwd
smtp_sasl_auth_enable = yes
smtp_sasl_security_options = noanonymous
smtp_tls_security_level = encrypt
${files.relay.senderDependentAuthentication ? "smtp_sender_dependent_authentication = yes\n" : ""}`
      : "";
  // target/postfix/main.cf, then setup.d/security/spoofing.sh (FILE provisioner; /etc/postfix/regexp always
  // exists at that point, so the unionmap form). reject_unknown_sender_domain is never reached on submission.
  const spoofing =
    files.env.SPOOF_PROTECTION === "1"
      ? `mua_sender_restrictions = reject_authenticated_sender_login_mismatch, $dms_smtpd_sender_restrictions
smtpd_sender_login_maps = unionmap:{ texthash:${p.configDir}/virtual, hash:${p.configDir}/aliases, pcre:${p.configDir}/sender_login_maps.pcre, pcre:${p.configDir}/regexp }\n`
      : "mua_sender_restrictions = $dms_smtpd_sender_restrictions\n";
  return `# Generated by the loopback harness (test/daemons).
compatibility_level = 3.6
queue_directory = ${p.queueDir}
data_directory = ${p.dataDir}
mail_owner = postfix
setgid_group = postdrop
myhostname = ${files.hostname}
mydomain = ${files.domains[0] ?? files.hostname}
mydestination = localhost
# In the container the outside world is not loopback; here 127.0.0.1 is "us" and 127.0.0.2 plays an outside client.
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
${o.dns ? XCLIENT : "smtpd_peername_lookup = no\n"}smtp_dns_support_level = disabled
alias_maps =
alias_database =
biff = no
smtpd_banner = $myhostname ESMTP
smtpd_helo_required = yes
recipient_delimiter = +

virtual_mailbox_domains = ${p.configDir}/vhost
virtual_mailbox_maps = texthash:${p.configDir}/vmailbox
# helpers/aliases.sh copies postfix-virtual.cf to /etc/postfix/virtual (empty without it).
virtual_alias_maps = texthash:${p.configDir}/virtual
virtual_transport = lmtp:unix:${o.lmtpSocket}

smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
smtpd_recipient_restrictions = ${receiveAccess}permit_sasl_authenticated, reject_unauth_destination, reject_unauth_pipelining, reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname
dms_smtpd_sender_restrictions = permit_sasl_authenticated, permit_mynetworks, reject_unknown_sender_domain
${spoofing}
smtpd_tls_cert_file = ${o.certFile}
smtpd_tls_key_file = ${o.keyFile}
smtpd_tls_security_level = may
smtpd_tls_protocols = !SSLv2,!SSLv3,!TLSv1,!TLSv1.1
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${o.authSocket}
smtpd_sasl_auth_enable = no
smtp_tls_protocols = !SSLv2,!SSLv3,!TLSv1,!TLSv1.1
${relay}${relaySasl}
milter_protocol = 6
milter_default_action = accept
smtpd_milters = ${smtpdMilters}
non_smtpd_milters = ${nonSmtpdMilters}
${usesPostscreen(o) ? postscreenCf(files.env) : ""}`;
}

/** DMS's submission/submissions entries (target/postfix/master.cf), rewritten to loopback ports. */
function submissionOptions(wrapper: boolean): string {
  return [
    wrapper ? "smtpd_tls_wrappermode=yes" : "smtpd_tls_security_level=encrypt",
    "smtpd_sasl_auth_enable=yes",
    "smtpd_sasl_type=dovecot",
    "smtpd_reject_unlisted_recipient=no",
    "smtpd_sasl_authenticated_header=yes",
    "smtpd_client_restrictions=permit_sasl_authenticated,reject",
    "smtpd_relay_restrictions=permit_sasl_authenticated,reject",
    "smtpd_sender_restrictions=$mua_sender_restrictions",
    "smtpd_discard_ehlo_keywords=",
    "milter_macro_daemon_name=ORIGINATING",
  ]
    .map((o) => `  -o ${o}\n`)
    .join("");
}

/**
 * master.cf with every service unchrooted (the sockets live in the scratch folder). Port 25 is DMS's postscreen
 * with its `smtpd pass`, `dnsblog` and `tlsproxy` services when the test gives a DNS server; otherwise a plain
 * smtpd, as this harness ran before it had one (postscreen's blocklists and its cache would need DNS).
 */
export function masterCf(ports: PostfixPorts, o: Pick<PostfixWiring, "dns">): string {
  const port25 = usesPostscreen(o)
    ? `127.0.0.1:${ports.smtp} inet n - n - 1 postscreen
smtpd     pass  -       -       n       -       -       smtpd
dnsblog   unix  -       -       n       -       0       dnsblog
tlsproxy  unix  -       -       n       -       0       tlsproxy
`
    : `127.0.0.1:${ports.smtp} inet n - n - - smtpd
`;
  return `# Generated by the loopback harness (test/daemons).
${port25}127.0.0.1:${ports.submission} inet n - n - - smtpd
  -o syslog_name=postfix/submission
${submissionOptions(false)}127.0.0.1:${ports.submissions} inet n - n - - smtpd
  -o syslog_name=postfix/submissions
${submissionOptions(true)}pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;
}
