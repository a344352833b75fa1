/**
 * Test certificates, all made the same way: RSA keys from Node's crypto (fast), certificates built by
 * node-forge. Used by the config tests, the mocks, the doctor's loopback servers and the daemon harness.
 */
import { generateKeyPairSync } from "node:crypto";
import forge from "node-forge";

/** A PEM key and certificate, as a TLS server wants them. */
export interface KeyAndCert {
  key: string;
  cert: string;
}

export interface TestCa extends KeyAndCert {
  forgeKey: forge.pki.rsa.PrivateKey;
  forgeCert: forge.pki.Certificate;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

const DAY = 86_400_000;
let serial = 1;

/** Validity from yesterday to `days` days from now. */
export function validFor(days: number): Validity {
  return { notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + days * DAY) };
}

/** Validity that ended `daysAgo` days ago. */
export function expiredSince(daysAgo: number): Validity {
  return { notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - daysAgo * DAY) };
}

/** A forge key pair for an existing PEM private key, or a new 2048-bit one. */
function keyPair(pem?: string): {
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

interface CertificateSpec {
  names: string[];
  ips?: string[];
  validity: Validity;
  /** Signed by this CA; self-signed without one. */
  issuer?: TestCa;
  /** An existing PEM private key to certify. */
  keyPem?: string;
}

/** A server certificate for `names` (and `ips`), signed by `issuer` or by itself. */
function serverCertificate(spec: CertificateSpec): KeyAndCert {
  const keys = keyPair(spec.keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, "0");
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

export function makeCa(commonName = "Mailstack Test CA"): TestCa {
  const keys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, "0");
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

/** A DKIM public key: the base64 SubjectPublicKeyInfo that `p=` carries. */
export function makeDkimPublicKey(): string {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return publicKey.export({ type: "spki", format: "der" }).toString("base64");
}
