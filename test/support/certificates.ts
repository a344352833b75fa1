/**
 * Test certificates, all made the same way: RSA keys from Node's crypto (fast), certificates built by
 * node-forge (preview/certificates.ts, which the mocks use too). Used by the config tests, the doctor's
 * loopback servers and the daemon harness.
 */
import { generateKeyPairSync } from "node:crypto";
import forge from "node-forge";
import { DAY, KeyAndCert, keyPair, nextSerial, serverCertificate, Validity } from "../../preview/certificates";

export type { KeyAndCert, Validity } from "../../preview/certificates";
export { selfSignedCertificate, type TestCertificate } from "../../preview/certificates";

export interface TestCa extends KeyAndCert {
  forgeKey: forge.pki.rsa.PrivateKey;
  forgeCert: forge.pki.Certificate;
}

/** Validity from yesterday to `days` days from now. */
export function validFor(days: number): Validity {
  return { notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + days * DAY) };
}

/** Validity that ended `daysAgo` days ago. */
export function expiredSince(daysAgo: number): Validity {
  return { notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - daysAgo * DAY) };
}

export function makeCa(commonName = "Mailstack Test CA"): TestCa {
  const keys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = nextSerial();
  cert.validity.notBefore = new Date(Date.now() - 10 * DAY);
  cert.validity.notAfter = new Date(Date.now() + 3650 * DAY);
  const attrs = [
    { name: "commonName", value: commonName },
    { name: "organizationName", value: "mailstack tests" },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { key: keys.pem, cert: forge.pki.certificateToPem(cert), forgeKey: keys.privateKey, forgeCert: cert };
}

/** A server certificate for `names`, signed by `ca`. */
export function makeServerCert(
  ca: TestCa,
  names: string[],
  validity: Validity = validFor(90),
  ips: string[] = [],
): KeyAndCert {
  return serverCertificate({ names, ips, validity, issuer: ca });
}

/** A DKIM public key: the base64 SubjectPublicKeyInfo that `p=` carries. */
export function makeDkimPublicKey(): string {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return publicKey.export({ type: "spki", format: "der" }).toString("base64");
}
