import { describe, expect, it } from "vitest";
import {
  renderRspamdDkimSigning,
  renderRspamdDmarc,
  renderRspamdForceActions,
  rspamdDkimKeyPath,
} from "../../lib/render/rspamd";

describe("Rspamd's override.d files", () => {
  const signer = { domain: "qladgk.com", selector: "mail" };

  it("keeps the key where setup config dkim puts Rspamd's keys", () => {
    expect(rspamdDkimKeyPath(signer)).toBe("rspamd/dkim/rsa-mail-qladgk.com.private.txt");
  });

  it("signs authenticated mail for the domain with that key and selector, as rspamd-dkim's default does", () => {
    const conf = renderRspamdDkimSigning([signer]);
    for (const line of [
      "enabled = true;",
      "sign_authenticated = true;",
      "sign_local = false;",
      'use_domain = "header";',
      "use_esld = true;",
      "allow_username_mismatch = true;",
    ])
      expect(conf).toContain(line);
    // Signing never waits on a DNS lookup of the record it was derived with.
    expect(conf).toMatch(/^check_pubkey = false;/m);
    expect(conf).toMatch(
      /domain \{\n {4}qladgk\.com \{\n {8}path = "\/tmp\/docker-mailserver\/rspamd\/dkim\/rsa-mail-qladgk\.com\.private\.txt";\n {8}selector = "mail";\n {4}\}\n\}/,
    );
  });

  it("has one domain entry per signing domain, each with its own key", () => {
    const conf = renderRspamdDkimSigning([signer, { domain: "other.example", selector: "s1" }]);
    expect(conf).toMatch(
      /domain \{\n {4}qladgk\.com \{\n[^}]*\}\n {4}other\.example \{\n {8}path = "\/tmp\/docker-mailserver\/rspamd\/dkim\/rsa-s1-other\.example\.private\.txt";\n {8}selector = "s1";\n {4}\}\n\}/,
    );
  });

  it("refuses a domain or selector that would change the file's structure (safe by construction)", () => {
    for (const bad of [
      { domain: 'qladgk.com";}', selector: "mail" },
      { domain: "qladgk.com", selector: "mail/../../x" },
      { domain: "qladgk.com", selector: 'mail"\nenabled = false;' },
    ])
      expect(() => renderRspamdDkimSigning([signer, bad]), JSON.stringify(bad)).toThrow(
        /refusing to write .* dkim_signing\.conf/,
      );
  });

  it("refuses DMARC p=reject failures and files p=quarantine into Junk", () => {
    expect(renderRspamdDmarc()).toMatch(/actions \{\n {4}reject = "reject";\n {4}quarantine = "add header";\n\}/);
  });

  it("refuses an SPF fail unless DMARC passes anyway", () => {
    const conf = renderRspamdForceActions();
    expect(conf).toContain('action = "reject";');
    expect(conf).toContain('expression = "R_SPF_FAIL & !DMARC_POLICY_ALLOW";');
  });
});

describe("Rspamd signing for several domains", () => {
  const a = { domain: "a.example", selector: "mail" };
  const b = { domain: "b.example", selector: "s2026" };

  it("has one domain entry per hosted domain, each with its own key file and selector", () => {
    const conf = renderRspamdDkimSigning([a, b]);
    expect(conf).toContain(
      `    a.example {\n        path = "/tmp/docker-mailserver/${rspamdDkimKeyPath(a)}";\n        selector = "mail";\n    }\n`,
    );
    expect(conf).toContain(
      `    b.example {\n        path = "/tmp/docker-mailserver/${rspamdDkimKeyPath(b)}";\n        selector = "s2026";\n    }\n`,
    );
    expect(rspamdDkimKeyPath(a)).not.toBe(rspamdDkimKeyPath(b));
    expect(conf).toContain("use_esld = true;");
  });

  it("turns use_esld off when a hosted domain is below another registrable domain", () => {
    const conf = renderRspamdDkimSigning([
      { domain: "example.com", selector: "mail" },
      { domain: "lists.example.com", selector: "mail" },
    ]);
    expect(conf).toContain("use_esld = false;");
  });
});
