import { DoctorContext, dialPort, serverAddress, serverTls } from "../context";
import { NOT_AS_PLANNED } from "../lib/fix";
import { assessCertificate } from "../lib/certificate";
import { normalizeName } from "../../lib/dns-format";
import { readPresentedCertificate } from "../net/certificate-reader";
import { ImapClient } from "../net/imap-client";
import { SmtpClient } from "../net/smtp-client";
import { CheckResult, errorText, fail, pass, skip, warn } from "../types";
import { TLSSocket } from "node:tls";

/** A port the mail server publishes, and how a client talks to it. */
export interface MailService {
  port: number;
  protocol: "smtp" | "imap";
  tls: "starttls" | "implicit";
  label: string;
}

export const MAIL_SERVICES: MailService[] = [
  { port: 25, protocol: "smtp", tls: "starttls", label: "SMTP" },
  { port: 465, protocol: "smtp", tls: "implicit", label: "submissions" },
  { port: 587, protocol: "smtp", tls: "starttls", label: "submission" },
  { port: 143, protocol: "imap", tls: "starttls", label: "IMAP" },
  { port: 993, protocol: "imap", tls: "implicit", label: "IMAPS" },
];

export function serviceGroup(service: MailService): string {
  return `Port ${service.port} ${service.label}`;
}

/** Reachability, banner, TLS certificate and "no AUTH before TLS" of every mail port, concurrently. */
export async function checkServices(context: DoctorContext): Promise<CheckResult[]> {
  const results = await Promise.all(MAIL_SERVICES.map((service) => checkService(context, service)));
  return results.flat();
}

async function checkService(context: DoctorContext, service: MailService): Promise<CheckResult[]> {
  const group = serviceGroup(service);
  const planned = context.planned.ports ?? [];
  if (planned.length > 0 && !planned.includes(service.port))
    return [skip(group, "reachable", "the plan does not publish this port")];
  try {
    return service.protocol === "smtp"
      ? await checkSmtpService(context, service, group)
      : await checkImapService(context, service, group);
  } catch (error) {
    // Only unexpected programming errors land here; network failures are reported by the checks themselves.
    return [fail(group, "check", `check crashed: ${errorText(error)}`, "Report this as a mailstack bug.")];
  }
}

function unreachable(context: DoctorContext, service: MailService, group: string, error: unknown): CheckResult[] {
  const address = `${serverAddress(context)}:${dialPort(context, service.port)}`;
  return [
    fail(
      group,
      "reachable",
      `cannot connect to ${address}: ${errorText(error)}`,
      `Open TCP ${service.port} in the server's firewall and check the container publishes it (docker ps).`,
    ),
    skip(group, "TLS certificate", "port not reachable"),
  ];
}

/** Certificate verdict for an established TLS socket, as a check result. */
export function certificateResult(context: DoctorContext, group: string, socket: TLSSocket): CheckResult {
  const name = "TLS certificate";
  let presented;
  try {
    presented = readPresentedCertificate(socket);
  } catch (error) {
    return fail(
      group,
      name,
      errorText(error),
      "Configure a certificate for the mail server (SSL_TYPE in docker-mailserver).",
    );
  }
  const verdict = assessCertificate(presented, context.planned.hostname, context.now);
  if (verdict.status === "pass") return pass(group, name, verdict.detail);
  return verdict.status === "warn"
    ? warn(group, name, verdict.detail, verdict.fix!)
    : fail(group, name, verdict.detail, verdict.fix!);
}

async function checkSmtpService(context: DoctorContext, service: MailService, group: string): Promise<CheckResult[]> {
  const host = serverAddress(context);
  const port = dialPort(context, service.port);
  const hostname = normalizeName(context.planned.hostname);
  const tls = serverTls(context);
  let opened;
  try {
    opened = await SmtpClient.open(host, port, context.options.timeoutMs, service.tls === "implicit" ? tls : undefined);
  } catch (error) {
    return unreachable(context, service, group, error);
  }
  const { client, banner } = opened;
  const results: CheckResult[] = [];
  try {
    const bannerText = `${banner.code} ${banner.text}`;
    const named =
      banner.lines[0]?.trim().split(/\s+/)[0]?.toLowerCase() === hostname ||
      banner.text.toLowerCase().includes(hostname);
    if (banner.code !== 220) {
      results.push(
        fail(
          group,
          "reachable",
          `refused with banner "${bannerText}"`,
          "Check the mail server logs: it does not accept connections.",
        ),
      );
      return results;
    }
    if (named) results.push(pass(group, "reachable", `banner "${bannerText}"`));
    else {
      // mailstack sets the container's hostname from config: a banner naming another host means the
      // container is not the planned one yet, or another server answers at this address.
      const fix = `Run \`pulumi up\`: the container then runs as ${hostname}. If it already does, another server answers at ${serverAddress(context)}: check serverIp and the A record of ${hostname}.`;
      results.push(
        service.port === 25
          ? fail(group, "reachable", `banner "${bannerText}" does not name ${hostname}`, fix)
          : warn(group, "reachable", `banner "${bannerText}" does not name ${hostname}`, fix),
      );
    }

    if (service.tls === "implicit") {
      results.push(certificateResult(context, group, client.connection.tlsSocket!));
      return results;
    }
    const before = await client.ehlo();
    if (before.extensions.has("AUTH")) {
      results.push(
        fail(
          group,
          "no AUTH before TLS",
          `AUTH ${before.extensions.get("AUTH")} offered on an unencrypted connection`,
          `mailstack's container offers AUTH only after STARTTLS (smtpd_tls_auth_only = yes): ${NOT_AS_PLANNED}.`,
        ),
      );
    } else {
      results.push(pass(group, "no AUTH before TLS", "AUTH is not offered before STARTTLS"));
    }
    if (!before.extensions.has("STARTTLS")) {
      results.push(
        fail(
          group,
          "TLS certificate",
          "STARTTLS is not offered",
          "Enable TLS on the server (docker-mailserver: SSL_TYPE).",
        ),
      );
      return results;
    }
    let socket: TLSSocket;
    try {
      socket = await client.startTls(tls);
    } catch (error) {
      results.push(
        fail(
          group,
          "TLS certificate",
          `STARTTLS failed: ${errorText(error)}`,
          "Check the server's TLS configuration and logs.",
        ),
      );
      return results;
    }
    results.push(certificateResult(context, group, socket));
    if (service.port === 587) {
      try {
        const after = await client.ehlo();
        results.push(
          after.extensions.has("AUTH")
            ? pass(group, "AUTH after TLS", `AUTH ${after.extensions.get("AUTH")}`)
            : warn(
                group,
                "AUTH after TLS",
                "AUTH is not offered after STARTTLS: mail clients cannot log in",
                `mailstack's container offers AUTH on submission (smtpd_sasl_auth_enable = yes): ${NOT_AS_PLANNED}.`,
              ),
        );
      } catch (error) {
        results.push(
          fail(
            group,
            "AUTH after TLS",
            `EHLO after STARTTLS failed: ${errorText(error)}`,
            "Check the server's TLS configuration and logs.",
          ),
        );
      }
    }
    return results;
  } catch (error) {
    results.push(
      fail(group, "conversation", `SMTP conversation failed: ${errorText(error)}`, "Check the mail server logs."),
    );
    return results;
  } finally {
    await client.quit();
  }
}

async function checkImapService(context: DoctorContext, service: MailService, group: string): Promise<CheckResult[]> {
  const tls = serverTls(context);
  let opened;
  try {
    opened = await ImapClient.open(
      serverAddress(context),
      dialPort(context, service.port),
      context.options.timeoutMs,
      service.tls === "implicit" ? tls : undefined,
    );
  } catch (error) {
    return unreachable(context, service, group, error);
  }
  const { client, greeting } = opened;
  const results: CheckResult[] = [pass(group, "reachable", `greeting "${greeting.slice(0, 80)}"`)];
  try {
    if (service.tls === "implicit") {
      results.push(certificateResult(context, group, client.connection.tlsSocket!));
      return results;
    }
    const capabilities = await client.capabilities();
    results.push(
      capabilities.has("LOGINDISABLED")
        ? pass(group, "no LOGIN before TLS", "LOGINDISABLED before STARTTLS")
        : warn(
            group,
            "no LOGIN before TLS",
            "passwords are accepted on the unencrypted connection",
            "Refuse plaintext logins before STARTTLS (Dovecot: ssl = required / disable_plaintext_auth = yes).",
          ),
    );
    if (!capabilities.has("STARTTLS")) {
      results.push(
        fail(
          group,
          "TLS certificate",
          "STARTTLS is not offered",
          "Enable TLS on the server (docker-mailserver: SSL_TYPE).",
        ),
      );
      return results;
    }
    try {
      results.push(certificateResult(context, group, await client.startTls(tls)));
    } catch (error) {
      results.push(
        fail(
          group,
          "TLS certificate",
          `STARTTLS failed: ${errorText(error)}`,
          "Check the server's TLS configuration and logs.",
        ),
      );
    }
    return results;
  } catch (error) {
    results.push(
      fail(group, "conversation", `IMAP conversation failed: ${errorText(error)}`, "Check the mail server logs."),
    );
    return results;
  } finally {
    await client.logout();
  }
}
