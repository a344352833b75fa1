import { clientEndpoints, Endpoint, PLACEHOLDER } from "./endpoints";
import { el, renderXml } from "./xml";

/** Outlook's POX autodiscover path, at `autodiscover.<domain>` (and at the apex, which it tries first). */
export const AUTODISCOVER_PATH = "/autodiscover/autodiscover.xml";

const RESPONSE_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
/** The only response schema we answer: IMAP/SMTP settings ("outlook"), not Exchange ActiveSync ("mobilesync"). */
export const OUTLOOK_RESPONSE_SCHEMA =
  "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

const protocol = (type: "IMAP" | "SMTP", endpoint: Endpoint) =>
  el("Protocol", [
    el("Type", type),
    el("Server", endpoint.host),
    el("Port", String(endpoint.port)),
    el("DomainRequired", "off"),
    el("LoginName", PLACEHOLDER.address),
    el("SPA", "off"),
    el("SSL", "on"),
    el("AuthRequired", "on"),
  ]);

/**
 * Outlook's POX autodiscover answer (Microsoft's "POX Autodiscover response" and Protocol (POX) elements, the
 * shape mailcow serves): one email account, IMAP 993 and SMTP 465. Only implicit-TLS ports, where `SSL on`
 * means exactly that: POX's `SSL` element cannot say STARTTLS (Outlook's undocumented `Encryption` element
 * would be needed for 587), so nothing here depends on how a client reads it. New Outlook ignores POX
 * autodiscover altogether; classic Outlook for Windows and Outlook for Mac use it.
 */
export function renderAutodiscoverResponse(p: { hostname: string }): string {
  const { imap, smtp } = clientEndpoints(p.hostname);
  const outgoing = smtp.find((endpoint) => endpoint.security === "SSL")!;
  return renderXml(
    el(
      "Autodiscover",
      [
        el(
          "Response",
          [
            el("User", [el("DisplayName", PLACEHOLDER.address)]),
            el("Account", [
              el("AccountType", "email"),
              el("Action", "settings"),
              protocol("IMAP", imap),
              protocol("SMTP", outgoing),
            ]),
          ],
          { xmlns: OUTLOOK_RESPONSE_SCHEMA },
        ),
      ],
      { xmlns: RESPONSE_SCHEMA },
    ),
  );
}

/** The POX error answer (ErrorCode 600, "Invalid Request"), for a request we cannot answer. */
export function renderAutodiscoverError(): string {
  return renderXml(
    el(
      "Autodiscover",
      [
        el("Response", [
          el("Error", [el("ErrorCode", "600"), el("Message", "Invalid Request"), el("DebugData")], {
            Time: PLACEHOLDER.time,
            Id: "1",
          }),
        ]),
      ],
      { xmlns: RESPONSE_SCHEMA },
    ),
  );
}
