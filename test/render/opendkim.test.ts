import { describe, expect, it } from "vitest";
import { dkimKeyPath, renderKeyTable, renderSigningTable, renderTrustedHosts } from "../../lib/render/opendkim";

describe("OpenDKIM's files", () => {
  it("renders the tables in the layout setup config dkim writes", () => {
    const signer = { domain: "example.com", selector: "mail" };
    expect(renderKeyTable([signer])).toBe(
      "mail._domainkey.example.com example.com:mail:/etc/opendkim/keys/example.com/mail.private\n",
    );
    expect(renderSigningTable([signer])).toBe("*@example.com mail._domainkey.example.com\n");
    expect(renderTrustedHosts()).toBe("127.0.0.1\nlocalhost\n");
    expect(dkimKeyPath(signer)).toBe("opendkim/keys/example.com/mail.private");
  });

  it("gives every domain its line and its own key", () => {
    const signers = [
      { domain: "a.example", selector: "mail" },
      { domain: "b.example", selector: "s2026" },
    ];
    expect(renderKeyTable(signers)).toBe(
      "mail._domainkey.a.example a.example:mail:/etc/opendkim/keys/a.example/mail.private\n" +
        "s2026._domainkey.b.example b.example:s2026:/etc/opendkim/keys/b.example/s2026.private\n",
    );
    expect(renderSigningTable(signers)).toBe(
      "*@a.example mail._domainkey.a.example\n*@b.example s2026._domainkey.b.example\n",
    );
  });
});
