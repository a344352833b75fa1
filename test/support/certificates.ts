import forge from "node-forge";

export interface TestCertificate {
  certPem: string;
  keyPem: string;
}

/** A self-signed RSA certificate for `hostname` (tests only), valid from `notBeforeDays` ago for `days`. */
export function selfSignedCertificate(opts: { hostname: string; days: number; notBeforeDays?: number; bits?: number }): TestCertificate {
  const keys = forge.pki.rsa.generateKeyPair({ bits: opts.bits ?? 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = "01" + forge.util.bytesToHex(forge.random.getBytesSync(8));
  const start = new Date(Date.now() - (opts.notBeforeDays ?? 1) * 86_400_000);
  cert.validity.notBefore = start;
  cert.validity.notAfter = new Date(start.getTime() + opts.days * 86_400_000);
  const attrs = [{ name: "commonName", value: opts.hostname }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: [{ type: 2, value: opts.hostname }] },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}
