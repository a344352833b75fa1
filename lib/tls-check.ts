import { X509Certificate, createPrivateKey, KeyObject } from "node:crypto";

/** Days left below which a certificate is reported: by `pulumi up` for a manual one, by the doctor for any. */
export const EXPIRY_WARNING_DAYS = 20;
const DAY_MS = 86_400_000;

export interface CertificateCheck {
  problems: string[];
  warnings: string[];
}

const parses = (pem: string): X509Certificate | undefined => {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
};

/** Splits a PEM bundle into its certificates (leaf first, as a full chain is written). */
export function pemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * Checks a manual certificate before anything is deployed: it parses, its key is the given key, it covers
 * the hostname, and it is valid now. Uses Node's X509 support (RSA and ECDSA alike: Let's Encrypt issues
 * ECDSA certificates by default, which node-forge cannot parse). Messages never include key material.
 */
export function checkManualCertificate(certPem: string, keyPem: string, hostname: string, now: Date): CertificateCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const pems = pemCertificates(certPem);
  let leaf: X509Certificate;
  try {
    if (pems.length === 0) throw new Error("no PEM certificate");
    leaf = new X509Certificate(pems[0]);
  } catch {
    return { problems: ["is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)"], warnings };
  }
  let key: KeyObject | undefined;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    problems.push("comes with a private key that is not a PEM private key (tls.keyFile / tlsPrivateKey)");
  }
  if (key && !leaf.checkPrivateKey(key)) {
    // Postfix and Dovecot send the file's certificates in order, the server's own first.
    const at = pems.findIndex((pem) => parses(pem)?.checkPrivateKey(key));
    problems.push(
      at > 0
        ? `has the server's certificate in position ${at + 1} of ${pems.length}; it must come first, followed by its intermediates (the CA's certificate first is a common paste error)`
        : `does not match its private key (tls.keyFile / tlsPrivateKey): they belong to different certificates`,
    );
  } else {
    const certs = pems.map(parses);
    const broken = certs.findIndex((c, i) => i > 0 && c && certs[i - 1] && !certs[i - 1]!.checkIssued(c));
    if (broken > 0)
      warnings.push(
        `the TLS certificate chain is out of order: certificate ${broken + 1} did not issue certificate ${broken}; list the server's certificate, then its issuer, then that one's issuer`,
      );
  }
  if (!leaf.checkHost(hostname)) {
    problems.push(
      `does not cover the hostname ${hostname} (it is for ${leaf.subjectAltName ?? leaf.subject}); get a certificate that includes ${hostname}`,
    );
  }
  const notAfter = new Date(leaf.validTo);
  const notBefore = new Date(leaf.validFrom);
  if (notAfter.getTime() <= now.getTime()) problems.push(`expired on ${notAfter.toISOString().slice(0, 10)}; renew it`);
  else if (notBefore.getTime() > now.getTime())
    problems.push(`is not valid before ${notBefore.toISOString().slice(0, 10)}`);
  else {
    const days = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
    if (days < EXPIRY_WARNING_DAYS)
      warnings.push(
        `the TLS certificate for ${hostname} expires in ${days} days (${notAfter.toISOString().slice(0, 10)}); renew it and run pulumi up`,
      );
  }
  return { problems, warnings };
}

/** The leaf's issuer (as `CN=…, O=…`) and expiry, for the stack outputs. */
export function certificateSummary(certPem: string): { issuer: string; notAfter: string } {
  const leaf = new X509Certificate(pemCertificates(certPem)[0]);
  return { issuer: leaf.issuer.split("\n").join(", "), notAfter: new Date(leaf.validTo).toISOString() };
}
