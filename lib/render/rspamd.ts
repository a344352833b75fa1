/**
 * Rspamd files in docker-mailserver's config directory (`rspamd/`), rendered when `spam.filter` is `rspamd`.
 * docker-mailserver 15.1.0 copies `rspamd/override.d/*` to /etc/rspamd/override.d at start
 * (setup.d/security/rspamd.sh, `__rspamd__run_early_setup_and_checks`) and makes `rspamd/dkim/` readable by
 * Rspamd (setup-stack.sh, `_setup_directory_and_file_permissions`): the documented place for user settings,
 * on top of the defaults the image ships in /etc/rspamd/local.d (target/rspamd/local.d).
 */
import { getDomain } from "tldts";
import { CONFIG_DIR } from "./dms-paths";
import { assertSafe, isDomainName, LABEL } from "../mail-syntax";

export interface RspamdDkimInput {
  domain: string;
  selector: string;
}

/**
 * The private key, relative to the config directory: where `setup config dkim` (target/bin/rspamd-dkim) puts
 * Rspamd's keys. rspamd-dkim names it `rsa-<bits>-<selector>-<domain>.private.txt`; the size is left out here
 * because an imported key's size is not a config value (the name is only read through dkim_signing.conf).
 */
export function rspamdDkimKeyPath({ domain, selector }: RspamdDkimInput): string {
  return `rspamd/dkim/rsa-${selector}-${domain}.private.txt`;
}

/**
 * `rspamd/override.d/dkim_signing.conf`: the default rspamd-dkim writes (`_setup_default_signing_conf`),
 * for the same key, selector and DNS record OpenDKIM would use, with one `domain` entry per signing domain
 * (rspamd-dkim's default covers one domain only; docker-mailserver 15.1.0's docs, config/best-practices/
 * dkim_dmarc_spf.md, add further domains as further entries of the same `domain { … }` block). Mail is signed with the key of its From domain
 * (`use_domain = "header"`). One change: `check_pubkey = false`. With
 * `true` Rspamd looks the record up before every signature and signs nothing while it cannot see it (before
 * DNS has propagated, during a resolver outage); here the key and the record are derived from one key in
 * Pulumi state and cannot disagree, and `mailstack doctor` checks the published record.
 * `use_esld` stays rspamd-dkim's `true` while every domain is its own registrable domain; a hosted domain below
 * a public suffix's registrable domain (`lists.example.com`) turns it off: Rspamd would otherwise look its key up
 * under `example.com` (/usr/share/rspamd/lualib/lua_dkim_tools.lua, `get_tld` before `settings.domain[…]`) and
 * sign it with another domain's key, or not at all.
 */
export function renderRspamdDkimSigning(signers: readonly RspamdDkimInput[]): string {
  // Each is a UCL key or quoted string and a part of the key's file name: no quotes, braces, "/" or whitespace.
  for (const { domain, selector } of signers) {
    assertSafe(domain, isDomainName(domain), "Rspamd's dkim_signing.conf");
    assertSafe(
      selector,
      selector.split(".").every((l) => LABEL.test(l)),
      "Rspamd's dkim_signing.conf",
    );
  }
  const esld = signers.every((s) => getDomain(s.domain) === s.domain);
  const domains = signers
    .map(
      (s) => `    ${s.domain} {
        path = "${CONFIG_DIR}/${rspamdDkimKeyPath(s)}";
        selector = "${s.selector}";
    }
`,
    )
    .join("");
  return `# documentation: https://rspamd.com/doc/modules/dkim_signing.html

enabled = true;

sign_authenticated = true;
sign_local = false;
try_fallback = false;

use_domain = "header";
use_redis = false; # don't change unless Redis also provides the DKIM keys
use_esld = ${esld};
allow_username_mismatch = true;

check_pubkey = false; # the key and its DNS record come from the same key in Pulumi state

domain {
${domains}}
`;
}

/**
 * `rspamd/override.d/dmarc.conf`: a sender domain's DMARC policy is enforced. docker-mailserver only scores
 * DMARC failures (target/rspamd/local.d/policies_group.conf); without Rspamd its OpenDMARC refuses them
 * (target/opendmarc/opendmarc.conf: `RejectFailures true`). Keeping that: `p=reject` is refused at SMTP time;
 * and `p=quarantine` goes to Junk, where OpenDMARC delivered it like any other mail (its HoldQuarantinedMessages
 * is off in docker-mailserver's file).
 * Rspamd's dmarc module: `actions` (lualib/plugins/dmarc.lua, applied with the `least` flag, so a higher
 * score still wins).
 */
export function renderRspamdDmarc(): string {
  return `# documentation: https://rspamd.com/doc/modules/dmarc.html
# The sender domain's policy decides, as OpenDMARC's RejectFailures did without Rspamd.
actions {
    reject = "reject";
    quarantine = "add header";
}
`;
}

/**
 * `rspamd/override.d/force_actions.conf`: an SPF `fail` (the domain says this host may not send its mail) is
 * refused at SMTP time, as policyd-spf does without Rspamd (Debian's policyd-spf.conf: `Mail_From_reject =
 * Fail`), unless DMARC passes anyway through an aligned DKIM signature (forwarded mail that kept its author's
 * signature is genuine). docker-mailserver alone only adds R_SPF_FAIL's 4.5 points.
 */
export function renderRspamdForceActions(): string {
  return `# documentation: https://rspamd.com/doc/modules/force_actions.html
rules {
    SPF_FAIL_REJECT {
        action = "reject";
        expression = "R_SPF_FAIL & !DMARC_POLICY_ALLOW";
        message = "SPF: the sender domain does not allow this host to send its mail";
    }
}
`;
}
