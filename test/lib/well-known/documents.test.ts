import { describe, expect, it } from "vitest";
import { parse as parsePlist } from "plist";
import { renderAutoconfigXml } from "../../../lib/well-known/autoconfig";
import {
  OUTLOOK_RESPONSE_SCHEMA,
  renderAutodiscoverError,
  renderAutodiscoverResponse,
} from "../../../lib/well-known/autodiscover";
import { renderAppleProfile, renderProfilePage } from "../../../lib/well-known/apple-profile";
import { PLACEHOLDER } from "../../../lib/well-known/endpoints";
import { children, childText, parseXml } from "../../support/well-known";

const SITE = { domain: "example.com", hostname: "mail.example.com" };

describe("Thunderbird autoconfig (clientConfig 1.1)", () => {
  const doc = parseXml(renderAutoconfigXml(SITE));
  const root = doc.documentElement;
  const provider = children(root, "emailProvider")[0];

  it("is a well-formed clientConfig version 1.1 for the domain", () => {
    expect(root!.localName).toBe("clientConfig");
    expect(root!.getAttribute("version")).toBe("1.1");
    expect(children(root, "emailProvider")).toHaveLength(1);
    expect(provider!.getAttribute("id")).toBe("example.com");
    expect(childText(provider, "domain")).toBe("example.com");
    expect(childText(provider, "displayName")).toBe("example.com mail");
  });

  const server = (node: ReturnType<typeof children>[number]) => ({
    type: node!.getAttribute("type"),
    hostname: childText(node, "hostname"),
    port: childText(node, "port"),
    socketType: childText(node, "socketType"),
    authentication: childText(node, "authentication"),
    username: childText(node, "username"),
  });

  it("offers IMAP 993 SSL, then SMTP 465 SSL and 587 STARTTLS, the full address as the login", () => {
    expect(children(provider, "incomingServer").map(server)).toEqual([
      {
        type: "imap",
        hostname: "mail.example.com",
        port: "993",
        socketType: "SSL",
        authentication: "password-cleartext",
        username: "%EMAILADDRESS%",
      },
    ]);
    expect(children(provider, "outgoingServer").map(server)).toEqual([
      expect.objectContaining({ type: "smtp", port: "465", socketType: "SSL", username: "%EMAILADDRESS%" }),
      expect.objectContaining({ type: "smtp", port: "587", socketType: "STARTTLS", username: "%EMAILADDRESS%" }),
    ]);
  });
});

describe("Outlook POX autodiscover", () => {
  it("answers in the outlook response schema with IMAP 993 and SMTP 465, both SSL", () => {
    const doc = parseXml(renderAutodiscoverResponse(SITE));
    const root = doc.documentElement;
    expect(root!.namespaceURI).toBe("http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006");
    const response = children(root, "Response")[0];
    expect(response!.namespaceURI).toBe(OUTLOOK_RESPONSE_SCHEMA);
    const account = children(response, "Account")[0];
    expect(childText(account, "AccountType")).toBe("email");
    expect(childText(account, "Action")).toBe("settings");
    const protocols = children(account, "Protocol").map((p) => ({
      type: childText(p, "Type"),
      server: childText(p, "Server"),
      port: childText(p, "Port"),
      ssl: childText(p, "SSL"),
      login: childText(p, "LoginName"),
      spa: childText(p, "SPA"),
      auth: childText(p, "AuthRequired"),
    }));
    const common = { server: "mail.example.com", ssl: "on", login: PLACEHOLDER.address, spa: "off", auth: "on" };
    expect(protocols).toEqual([
      { type: "IMAP", port: "993", ...common },
      { type: "SMTP", port: "465", ...common },
    ]);
  });

  it("has an error answer (600 Invalid Request)", () => {
    const root = parseXml(renderAutodiscoverError()).documentElement;
    const error = children(children(root, "Response")[0], "Error")[0];
    expect(childText(error, "ErrorCode")).toBe("600");
    expect(error!.getAttribute("Time")).toBe(PLACEHOLDER.time);
  });
});

describe("Apple configuration profile", () => {
  it("is a plist: one Configuration holding one IMAP account on 993 and 465, both SSL, no password", () => {
    const profile = parsePlist(renderAppleProfile(SITE)) as Record<string, any>;
    expect(profile).toMatchObject({
      PayloadType: "Configuration",
      PayloadVersion: 1,
      PayloadUUID: PLACEHOLDER.profileUuid,
      PayloadIdentifier: `com.example.mailstack.${PLACEHOLDER.profileUuid}`,
      PayloadRemovalDisallowed: false,
    });
    expect(profile.PayloadContent).toHaveLength(1);
    const mail = profile.PayloadContent[0];
    expect(mail).toMatchObject({
      PayloadType: "com.apple.mail.managed",
      PayloadUUID: PLACEHOLDER.mailUuid,
      EmailAccountType: "EmailTypeIMAP",
      EmailAddress: PLACEHOLDER.address,
      IncomingMailServerHostName: "mail.example.com",
      IncomingMailServerPortNumber: 993,
      IncomingMailServerUseSSL: true,
      IncomingMailServerUsername: PLACEHOLDER.address,
      OutgoingMailServerHostName: "mail.example.com",
      OutgoingMailServerPortNumber: 465,
      OutgoingMailServerUseSSL: true,
      OutgoingPasswordSameAsIncomingPassword: true,
    });
    expect(Object.keys(mail).filter((k) => /password$/i.test(k) && !/Same/.test(k))).toEqual([]);
  });

  it("comes with a page whose form asks for the address", () => {
    const page = renderProfilePage(SITE);
    expect(page).toContain('<form action="/mail/apple.mobileconfig" method="get">');
    expect(page).toContain('name="emailaddress"');
    expect(page).toContain("IMAP mail.example.com, port 993, SSL/TLS");
  });
});
