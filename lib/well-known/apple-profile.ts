import { clientEndpoints, PLACEHOLDER } from "./endpoints";
import { el, renderXml, XmlElement } from "./xml";

/** Served at the autoconfig host as `…/mail/apple.mobileconfig?emailaddress=<address>`. */
export const APPLE_PROFILE_PATH = "/mail/apple.mobileconfig";
export const APPLE_PROFILE_CONTENT_TYPE = "application/x-apple-aspen-config";

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

/** A value as plist XML: dict keys in the order given, integers as `<integer>`, booleans as `<true/>`. */
function plist(value: PlistValue): XmlElement {
  if (typeof value === "string") return el("string", value);
  if (typeof value === "number") return el("integer", String(value));
  if (typeof value === "boolean") return el(value ? "true" : "false");
  if (Array.isArray(value)) return el("array", value.map(plist));
  return el(
    "dict",
    Object.entries(value).flatMap(([key, v]) => [el("key", key), plist(v)]),
  );
}

const DOCTYPE =
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">';

/**
 * An Apple configuration profile (`.mobileconfig`) with one IMAP mail account (payload `com.apple.mail.managed`,
 * as Mail-in-a-Box serves it), for iOS, iPadOS and macOS Mail: the address and its login filled in by the
 * Worker, the password asked for on the device (a profile never carries it). IMAP 993 and SMTP 465, both TLS
 * from the first byte (`UseSSL` on those ports). Unsigned: the device shows it as "Not Verified".
 */
export function renderAppleProfile(p: { domain: string; hostname: string }): string {
  const { imap, smtp } = clientEndpoints(p.hostname);
  const outgoing = smtp.find((endpoint) => endpoint.security === "SSL")!;
  const identifier = `${p.domain.split(".").reverse().join(".")}.mailstack.${PLACEHOLDER.profileUuid}`;
  const mail: PlistValue = {
    EmailAccountDescription: `${p.domain} mail`,
    EmailAccountType: "EmailTypeIMAP",
    EmailAddress: PLACEHOLDER.address,
    IncomingMailServerAuthentication: "EmailAuthPassword",
    IncomingMailServerHostName: imap.host,
    IncomingMailServerPortNumber: imap.port,
    IncomingMailServerUseSSL: true,
    IncomingMailServerUsername: PLACEHOLDER.address,
    OutgoingMailServerAuthentication: "EmailAuthPassword",
    OutgoingMailServerHostName: outgoing.host,
    OutgoingMailServerPortNumber: outgoing.port,
    OutgoingMailServerUseSSL: true,
    OutgoingMailServerUsername: PLACEHOLDER.address,
    OutgoingPasswordSameAsIncomingPassword: true,
    PayloadDisplayName: PLACEHOLDER.address,
    PayloadIdentifier: `${identifier}.mail`,
    PayloadType: "com.apple.mail.managed",
    PayloadUUID: PLACEHOLDER.mailUuid,
    PayloadVersion: 1,
  };
  return renderXml(
    el(
      "plist",
      [
        plist({
          PayloadContent: [mail],
          PayloadDescription: `Sets up ${PLACEHOLDER.address} in Mail (IMAP and SMTP at ${p.hostname}).`,
          PayloadDisplayName: `${p.domain} mail`,
          PayloadIdentifier: identifier,
          PayloadRemovalDisallowed: false,
          PayloadType: "Configuration",
          PayloadUUID: PLACEHOLDER.profileUuid,
          PayloadVersion: 1,
        }),
      ],
      { version: "1.0" },
    ),
    DOCTYPE,
  );
}

/**
 * The page at `https://autoconfig.<domain>/`: a form that downloads the profile for the address typed (what an
 * iPhone user opens in Safari), and the settings for setting a client up by hand. Names are host names, which
 * need no HTML escaping.
 */
export function renderProfilePage(p: { domain: string; hostname: string }): string {
  const { imap, smtp } = clientEndpoints(p.hostname);
  const security = (s: string) => (s === "SSL" ? "SSL/TLS" : s);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mail at ${p.domain}</title>
</head>
<body>
<h1>Mail at ${p.domain}</h1>
<p>Thunderbird sets itself up: type your address and password. For Mail on an iPhone, iPad or Mac, download a profile for your address, open it, then enter your password in Settings:</p>
<form action="${APPLE_PROFILE_PATH}" method="get">
<input type="email" name="emailaddress" placeholder="you@${p.domain}" required autocomplete="email">
<button type="submit">Download profile</button>
</form>
<p>By hand: incoming IMAP ${imap.host}, port ${imap.port}, ${security(imap.security)}; outgoing SMTP ${smtp
    .map((s) => `${s.host}, port ${s.port}, ${security(s.security)}`)
    .join(" (or ")}${smtp.length > 1 ? ")" : ""}; user name: your full address; normal password.</p>
</body>
</html>
`;
}
