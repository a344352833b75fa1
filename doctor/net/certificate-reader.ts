import { DetailedPeerCertificate, TLSSocket } from "node:tls";
import { PresentedCertificate } from "../lib/certificate";

/** Reads what the server presented on an established TLS socket. */
export function readPresentedCertificate(socket: TLSSocket): PresentedCertificate {
  const leaf = socket.getPeerCertificate(true) as DetailedPeerCertificate;
  if (!leaf || !leaf.valid_to) throw new Error("the server presented no certificate");
  const chain: string[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = leaf;
  while (current && current.fingerprint256 && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    chain.push(subjectName(current));
    current = current.issuerCertificate;
  }
  return {
    leaf,
    chain,
    trusted: socket.authorized,
    trustError: socket.authorizationError ? String(socket.authorizationError) : undefined,
    protocol: socket.getProtocol() ?? undefined,
  };
}

function subjectName(cert: DetailedPeerCertificate): string {
  const cn = cert.subject?.CN;
  const o = cert.subject?.O;
  return `CN=${Array.isArray(cn) ? cn.join(",") : (cn ?? "?")}${o ? ` (${Array.isArray(o) ? o.join(",") : o})` : ""}`;
}
