import { clientEndpoints, Endpoint } from "./endpoints";
import { el, renderXml } from "./xml";

/** Where Thunderbird looks first, and where it looks next at the domain itself (its `.well-known` path). */
export const AUTOCONFIG_PATH = "/mail/config-v1.1.xml";
export const AUTOCONFIG_WELL_KNOWN_PATH = "/.well-known/autoconfig/mail/config-v1.1.xml";

/** Thunderbird's login placeholder: it substitutes the address the user typed. */
export const EMAIL_ADDRESS_PLACEHOLDER = "%EMAILADDRESS%";

const server = (kind: "incomingServer" | "outgoingServer", type: string, endpoint: Endpoint) =>
  el(
    kind,
    [
      el("hostname", endpoint.host),
      el("port", String(endpoint.port)),
      el("socketType", endpoint.security),
      el("authentication", "password-cleartext"),
      el("username", EMAIL_ADDRESS_PLACEHOLDER),
    ],
    { type },
  );

/**
 * Thunderbird's autoconfig file (`clientConfig` version 1.1, the format of its ISP database,
 * github.com/thunderbird/autoconfig): IMAP 993 SSL, SMTP 465 SSL then 587 STARTTLS, the full address as the
 * login. "password-cleartext" is a plain password inside TLS (the server refuses AUTH before TLS).
 */
export function renderAutoconfigXml(p: { domain: string; hostname: string }): string {
  const endpoints = clientEndpoints(p.hostname);
  return renderXml(
    el(
      "clientConfig",
      [
        el(
          "emailProvider",
          [
            el("domain", p.domain),
            el("displayName", `${p.domain} mail`),
            el("displayShortName", p.domain),
            server("incomingServer", "imap", endpoints.imap),
            ...endpoints.smtp.map((endpoint) => server("outgoingServer", "smtp", endpoint)),
          ],
          { id: p.domain },
        ),
      ],
      { version: "1.1" },
    ),
  );
}
