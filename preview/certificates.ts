/**
 * Certificates as the tls provider's mock makes them (and the tests, through test/support/certificates.ts):
 * RSA keys from Node's crypto (fast), certificates built by node-forge.
 */
import { generateKeyPairSync } from "node:crypto";
import forge from "node-forge";

/** A PEM key and certificate, as a TLS server wants them. */
export interface KeyAndCert {
  key: string;
  cert: string;
}

/** What signs a certificate: a CA's forge key and certificate. */
export interface Issuer {
  forgeKey: forge.pki.rsa.PrivateKey;
  forgeCert: forge.pki.Certificate;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export const DAY = 86_400_000;
let serial = 1;

/** Serial numbers unique within the process. */
export const nextSerial = () => (serial++).toString(16).padStart(2, "0");

/** A forge key pair for an existing PEM private key, or a new 2048-bit one. */
export function keyPair(pem?: string): {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  pem: string;
} {
  const keyPem =
    pem ??
    generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const privateKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e), pem: keyPem };
}

export interface CertificateSpec {
  names: string[];
  ips?: string[];
  validity: Validity;
  /** Signed by this CA; self-signed without one. */
  issuer?: Issuer;
  /** An existing PEM private key to certify. */
  keyPem?: string;
}

/** A server certificate for `names` (and `ips`), signed by `issuer` or by itself. */
export function serverCertificate(spec: CertificateSpec): KeyAndCert {
  const keys = keyPair(spec.keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = nextSerial();
  cert.validity.notBefore = spec.validity.notBefore;
  cert.validity.notAfter = spec.validity.notAfter;
  const subject = [{ name: "commonName", value: spec.names[0] }];
  cert.setSubject(subject);
  cert.setIssuer(spec.issuer ? spec.issuer.forgeCert.subject.attributes : subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        ...spec.names.map((value) => ({ type: 2, value })),
        ...(spec.ips ?? []).map((ip) => ({ type: 7, ip })),
      ],
    },
  ]);
  cert.sign(spec.issuer?.forgeKey ?? keys.privateKey, forge.md.sha256.create());
  return { key: keys.pem, cert: forge.pki.certificateToPem(cert) };
}

export interface TestCertificate {
  certPem: string;
  keyPem: string;
}

/**
 * A self-signed certificate for `hostname` (and `ips`), valid from `notBeforeDays` ago for `days`, for a new
 * key or for `keyPem`.
 */
export function selfSignedCertificate(opts: {
  hostname: string;
  days: number;
  notBeforeDays?: number;
  ips?: string[];
  keyPem?: string;
}): TestCertificate {
  const notBefore = new Date(Date.now() - (opts.notBeforeDays ?? 1) * DAY);
  const { key, cert } = serverCertificate({
    names: [opts.hostname],
    ips: opts.ips,
    keyPem: opts.keyPem,
    validity: { notBefore, notAfter: new Date(notBefore.getTime() + opts.days * DAY) },
  });
  return { certPem: cert, keyPem: key };
}
