/**
 * Outbound SMTP relay presets (hosts/ports/usernames from each provider's SMTP docs) and the pure resolver
 * that turns `mailstack:relay.*` config into the host/port/username docker-mailserver is given.
 * The password is never handled here: it comes from a secret (or from the Resend component).
 */

export interface RelayPreset {
  /** Fixed host, or a function of the region for regional providers. */
  host: string | ((region: string | undefined) => string);
  port: number;
  /** Fixed username (Resend's literal `resend`, SendGrid's `apikey`); undefined = the user must give one. */
  username?: string;
  /** What the username is, for the error message when it is missing. */
  usernameHint?: string;
  /**
   * How the relay answers mail whose sender is not on a domain or address verified with it — which is what
   * forwarded mail is (it keeps the outside sender). Set for relays that refuse it; lib/config-forwarding.ts
   * then refuses aliases and catch-alls that forward outside the domain.
   */
  refusesForeignSenders?: string;
}

const SES_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const MAILGUN_REGIONS: Record<string, string> = { us: "smtp.mailgun.org", eu: "smtp.eu.mailgun.org" };

export const RELAY_PRESETS: Readonly<Record<string, RelayPreset>> = {
  resend: {
    host: "smtp.resend.com",
    port: 587,
    username: "resend",
    // https://resend.com/docs/api-reference/errors (validation_error), resend/resend-node#455
    refusesForeignSenders: '403 "The … domain is not verified"',
  },
  ses: {
    host: (region) => {
      if (!region || !SES_REGION.test(region)) {
        throw new Error(
          `mailstack:relay.region is ${JSON.stringify(region ?? "")}: the ses relay needs an AWS region such as "eu-west-1" (SES SMTP credentials are per region)`,
        );
      }
      return `email-smtp.${region}.amazonaws.com`;
    },
    port: 587,
    usernameHint: "the SES SMTP username (created in the SES console, not an IAM access key)",
    // SES checks the From, Source, Sender and Return-Path identities; anonaddy/anonaddy#647
    refusesForeignSenders: '554 "Message rejected: Email address is not verified"',
  },
  mailgun: {
    host: (region) => {
      const r = (region ?? "us").toLowerCase();
      const host = MAILGUN_REGIONS[r];
      if (!host) throw new Error(`mailstack:relay.region is ${JSON.stringify(region)}: mailgun expects "us" or "eu"`);
      return host;
    },
    port: 587,
    usernameHint: "the domain's SMTP login, e.g. postmaster@your-domain",
  },
  sendgrid: {
    host: "smtp.sendgrid.net",
    port: 587,
    username: "apikey",
    // https://www.twilio.com/docs/api/errors/60222
    refusesForeignSenders: '550 "The from address does not match a verified Sender Identity"',
  },
  brevo: {
    host: "smtp-relay.brevo.com",
    port: 587,
    usernameHint: "the SMTP login shown in Brevo's SMTP settings",
    // Brevo's SMTP troubleshooting: "the sender is not valid" until the sender or its domain is authenticated
    refusesForeignSenders: "a refusal: the sender is not valid",
  },
  postmark: {
    host: "smtp.postmarkapp.com",
    port: 587,
    usernameHint: "the Postmark server API token",
    // postmarkapp.com, "Managing sender signatures": only confirmed sender signatures may send
    refusesForeignSenders: "a refusal: the From address is not a confirmed Sender Signature",
  },
  smtp2go: {
    host: "mail.smtp2go.com",
    port: 587,
    usernameHint: "the SMTP user created in the SMTP2GO dashboard",
    // support.smtp2go.com, "Common Sending Errors"
    refusesForeignSenders: '550 "From header sender domain not verified"',
  },
  mailjet: {
    host: "in-v3.mailjet.com",
    port: 587,
    usernameHint: "the Mailjet API key",
    // mailjet.com support: mail from a sender address that is not validated is held and not delivered
    refusesForeignSenders: "holding the message: the sender address is not validated",
  },
  custom: { host: "", port: 587, usernameHint: "the relay's SMTP username" },
  none: { host: "", port: 0, username: "" },
};

/** The usual STARTTLS relay ports (named in the 465 error; other explicit ports are allowed, e.g. SMTP2GO's 8025). */
const STARTTLS_PORTS = [25, 587, 2525, 2587];

export interface RelayInput {
  provider?: string;
  host?: string;
  port?: number;
  username?: string;
  region?: string;
}

export interface ResolvedRelay {
  provider: string;
  host: string;
  port: number;
  username: string;
}

function checkPort(port: number): number {
  if (port === 465 || port === 2465) {
    throw new Error(
      `mailstack:relay.port is ${port}: docker-mailserver only relays with STARTTLS (ports ${STARTTLS_PORTS.join("/")}), implicit-TLS ${port} is not supported — use 587`,
    );
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`mailstack:relay.port is ${JSON.stringify(port)}: expected a TCP port, usually 587`);
  }
  return port;
}

/** Resolve relay config to concrete settings; throws an Error naming the config key, the value and what is expected. */
export function resolveRelay(input: RelayInput): ResolvedRelay {
  const provider = (input.provider ?? "none").trim().toLowerCase();
  const preset = RELAY_PRESETS[provider];
  if (!preset) {
    throw new Error(
      `mailstack:relay.provider is ${JSON.stringify(input.provider)}: expected one of ${Object.keys(RELAY_PRESETS).join(", ")}`,
    );
  }
  if (provider === "none") return { provider, host: "", port: 0, username: "" };

  let host: string;
  if (provider === "custom") {
    host = (input.host ?? "").trim();
    if (!host)
      throw new Error(
        `mailstack:relay.host is empty: the custom relay needs the relay's hostname, e.g. smtp.example.net`,
      );
  } else {
    // An explicit host overrides the preset (e.g. SMTP2GO's regional mail-eu.smtp2go.com).
    host = input.host?.trim() || (typeof preset.host === "function" ? preset.host(input.region) : preset.host);
  }

  const port = checkPort(input.port ?? preset.port);
  const username = (input.username ?? "").trim() || preset.username || "";
  if (!username) {
    throw new Error(
      `mailstack:relay.username is empty: the ${provider} relay needs ${preset.usernameHint ?? "a username"}`,
    );
  }
  return { provider, host, port, username };
}
