import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { checkManualCertificate, pemCertificates } from "../../lib/tls-check";
import { selfSignedCertificate } from "../support/certificates";

/** An ECDSA certificate, as Let's Encrypt issues by default (node-forge cannot make or read these). */
function ecdsaCertificate(hostname: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ec-"));
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        `/CN=${hostname}`,
        "-addext",
        `subjectAltName=DNS:${hostname}`,
        "-days",
        "60",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: "ignore" },
    );
    return { certPem: fs.readFileSync(cert, "utf8"), keyPem: fs.readFileSync(key, "utf8") };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const now = new Date();

describe("checkManualCertificate", () => {
  it("accepts an ECDSA certificate with its key for the hostname", () => {
    const c = ecdsaCertificate("mail.example.com");
    // Checked after it was made: openssl's notBefore is the moment of creation.
    expect(checkManualCertificate(c.certPem, c.keyPem, "mail.example.com", new Date())).toEqual({
      problems: [],
      warnings: [],
    });
  });

  it("checks the leaf of a full chain and matches a wildcard", () => {
    const leaf = selfSignedCertificate({ hostname: "*.example.com", days: 60 });
    const other = selfSignedCertificate({ hostname: "ca.example.net", days: 60 });
    const chain = leaf.certPem + other.certPem;
    expect(pemCertificates(chain)).toHaveLength(2);
    expect(checkManualCertificate(chain, leaf.keyPem, "mail.example.com", now).problems).toEqual([]);
  });

  it("reports garbage, a wrong key, a wrong name and expiry, without key material", () => {
    const c = selfSignedCertificate({ hostname: "mail.example.com", days: 60 });
    expect(checkManualCertificate("not a pem", c.keyPem, "mail.example.com", now).problems).toEqual([
      "is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)",
    ]);
    const wrongKey = checkManualCertificate(
      c.certPem,
      ecdsaCertificate("x.example.com").keyPem,
      "mail.example.com",
      now,
    );
    expect(wrongKey.problems.join()).toMatch(/does not match its private key/);
    expect(wrongKey.problems.join()).not.toMatch(/PRIVATE KEY/);
    expect(checkManualCertificate(c.certPem, c.keyPem, "imap.example.com", now).problems.join()).toMatch(
      /does not cover the hostname imap\.example\.com/,
    );
    const later = new Date(Date.now() + 61 * 86_400_000);
    expect(checkManualCertificate(c.certPem, c.keyPem, "mail.example.com", later).problems.join()).toMatch(
      /expired on/,
    );
    const soon = new Date(Date.now() + 50 * 86_400_000);
    expect(checkManualCertificate(c.certPem, c.keyPem, "mail.example.com", soon).warnings.join()).toMatch(
      /expires in [7-9] days/,
    );
  });
});
