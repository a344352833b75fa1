import { checkServerIdentity, PeerCertificate } from "node:tls";
import { EXPIRY_WARNING_DAYS } from "../../lib/tls-check";

/** What a TLS handshake told us about the server's certificate, reduced to what we judge. */
export interface PresentedCertificate {
  /** The leaf as Node reports it (subject, subjectaltname, valid_to, …). */
  leaf: PeerCertificate;
  /** Chain from leaf to the last certificate the server sent or the trust store completed, as subject names. */
  chain: string[];
  /** Whether the chain verified against the trusted CAs. */
  trusted: boolean;
  /** OpenSSL's reason when it did not (CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, …). */
  trustError?: string;
  protocol?: string;
}

export interface CertificateVerdict {
  status: "pass" | "warn" | "fail";
  detail: string;
  fix?: string;
  daysLeft: number;
}

// The same threshold `pulumi up` warns at for a manual certificate.
export { EXPIRY_WARNING_DAYS };
const DAY_MS = 86_400_000;

/** Judges a presented certificate for `hostname` at time `now`: name, trust, expiry. */
export function assessCertificate(cert: PresentedCertificate, hostname: string, now: Date): CertificateVerdict {
  const expires = new Date(cert.leaf.valid_to);
  const daysLeft = Math.floor((expires.getTime() - now.getTime()) / DAY_MS);
  const chain = `chain: ${cert.chain.join(" ← ")}`;
  const renew =
    `Renew the certificate for ${hostname}: with tls.mode acme the renewer does it by itself (see the Certificate ` +
    `section); with tls.mode manual put the renewed chain and key where tls.certFile and tls.keyFile point (or in ` +
    `tlsCertificate/tlsPrivateKey), then \`pulumi up\`.`;
  if (expires.getTime() <= now.getTime()) {
    return {
      status: "fail",
      daysLeft,
      detail: `expired ${expires.toISOString().slice(0, 10)} (${Math.floor((now.getTime() - expires.getTime()) / DAY_MS)} days ago); ${chain}`,
      fix: renew,
    };
  }
  const nameError = checkServerIdentity(hostname, cert.leaf);
  if (nameError) {
    return {
      status: "fail",
      daysLeft,
      detail: `not valid for ${hostname} (certificate names: ${certificateNames(cert.leaf).join(", ") || "none"}); ${chain}`,
      fix: `Issue the certificate for ${hostname} (its subjectAltName must name the mail host), then \`pulumi up\`; or remove tls.mode manual and let tls.mode acme issue it.`,
    };
  }
  if (!cert.trusted) {
    return {
      status: "fail",
      daysLeft,
      detail: `not trusted (${cert.trustError ?? "unknown reason"}); ${chain}`,
      fix: `Use a certificate from a public CA with its intermediates in tls.certFile, or tls.mode acme (Let's Encrypt, renewed by itself), then \`pulumi up\`.`,
    };
  }
  const summary = `valid for ${hostname}, ${daysLeft} days left (until ${expires.toISOString().slice(0, 10)})${cert.protocol ? `, ${cert.protocol}` : ""}; ${chain}`;
  if (daysLeft < EXPIRY_WARNING_DAYS) return { status: "warn", daysLeft, detail: summary, fix: renew };
  return { status: "pass", daysLeft, detail: summary };
}

/** DNS names a certificate is valid for: subjectAltName DNS entries, else the subject CN. */
export function certificateNames(leaf: PeerCertificate): string[] {
  const san = (leaf.subjectaltname ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith("DNS:") || entry.startsWith("IP Address:"))
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ""));
  if (san.length) return san;
  const cn = leaf.subject?.CN;
  return cn ? [Array.isArray(cn) ? cn.join(",") : cn] : [];
}
