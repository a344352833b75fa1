import { DoctorContext, dialPort, serverAddress, serverTls } from "../context";
import { ImapClient } from "../net/imap-client";
import { TlsSettings } from "../net/line-connection";
import { SmtpClient } from "../net/smtp-client";
import { CheckResult, errorText, fail, pass, skip } from "../types";

const GROUP = "Credentials";

/** Optional checks that log in: only with credentials from the environment, never from flags. */
export async function checkCredentials(context: DoctorContext): Promise<CheckResult[]> {
  return Promise.all([checkSubmissionLogin(context), checkImapLogin(context), checkRelayLogin(context)]);
}

function mailbox(context: DoctorContext): { user: string; password: string } | undefined {
  const user = context.env.MAILSTACK_DOCTOR_USER;
  const password = context.env.MAILSTACK_DOCTOR_PASSWORD;
  return user && password ? { user, password } : undefined;
}

const NO_MAILBOX = "set MAILSTACK_DOCTOR_USER and MAILSTACK_DOCTOR_PASSWORD to test a login";

/**
 * A login the server is bound to refuse: clients log in with the full address (clientSettings.username is
 * always `%EMAILADDRESS%`, docker-mailserver's logins are addresses), so `hi` alone never works.
 */
function wrongUsername(context: DoctorContext, check: string, user: string): CheckResult | undefined {
  if (user.includes("@")) return undefined;
  return fail(
    GROUP,
    check,
    `MAILSTACK_DOCTOR_USER is "${user}", not an address: the server only accepts the full address as username`,
    `Set MAILSTACK_DOCTOR_USER to the full address, e.g. ${user}@${context.planned.domain}.`,
  );
}

async function checkSubmissionLogin(context: DoctorContext): Promise<CheckResult> {
  const { port } = context.planned.clientSettings.smtp;
  const check = `SMTP AUTH on ${port}`;
  const account = mailbox(context);
  if (!account) return skip(GROUP, check, NO_MAILBOX);
  const refused = wrongUsername(context, check, account.user);
  if (refused) return refused;
  return smtpLogin({
    check,
    host: serverAddress(context),
    port: dialPort(context, port),
    implicitTls: false,
    tls: serverTls(context),
    timeoutMs: context.options.timeoutMs,
    user: account.user,
    password: account.password,
    wrongPasswordFix: passwordFix(account.user),
  });
}

async function checkImapLogin(context: DoctorContext): Promise<CheckResult> {
  const { port } = context.planned.clientSettings.imap;
  const check = `IMAP LOGIN on ${port}`;
  const account = mailbox(context);
  if (!account) return skip(GROUP, check, NO_MAILBOX);
  const refused = wrongUsername(context, check, account.user);
  if (refused) return refused;
  let opened;
  try {
    opened = await ImapClient.open(
      serverAddress(context),
      dialPort(context, port),
      context.options.timeoutMs,
      serverTls(context),
    );
  } catch (error) {
    return fail(GROUP, check, `cannot connect: ${errorText(error)}`, `Fix the port ${port} checks above first.`);
  }
  const { client } = opened;
  try {
    const result = await client.login(account.user, account.password);
    if (result.status === "OK") return pass(GROUP, check, `${account.user} logged in`);
    return fail(GROUP, check, `login refused: ${result.status} ${result.text}`, passwordFix(account.user));
  } catch (error) {
    return fail(GROUP, check, `IMAP conversation failed: ${errorText(error)}`, "Check the mail server logs.");
  } finally {
    await client.logout();
  }
}

async function checkRelayLogin(context: DoctorContext): Promise<CheckResult> {
  const relay = context.planned.relay;
  const check = relay.host ? `relay ${relay.host}:${relay.port}` : "relay";
  if (!relay.host || relay.provider === "none") return skip(GROUP, check, "no relay planned");
  const password = context.env.MAILSTACK_RELAY_PASSWORD;
  if (!password) return skip(GROUP, check, "set MAILSTACK_RELAY_PASSWORD to test the relay credentials");
  return smtpLogin({
    check,
    host: context.options.relayConnect ?? relay.host,
    port: relay.port,
    implicitTls: relay.port === 465,
    tls: { servername: relay.host, ca: context.ca },
    timeoutMs: context.options.timeoutMs,
    user: relay.username,
    password,
    wrongPasswordFix: `The relay refused ${relay.username}: update the stored relay password (pulumi config set --secret …) and re-run pulumi up.`,
  });
}

interface SmtpLogin {
  check: string;
  host: string;
  port: number;
  implicitTls: boolean;
  tls: TlsSettings;
  timeoutMs: number;
  user: string;
  password: string;
  wrongPasswordFix: string;
}

/** EHLO, STARTTLS (unless implicit), EHLO, AUTH, QUIT: proves the credentials without sending anything. */
async function smtpLogin(login: SmtpLogin): Promise<CheckResult> {
  let opened;
  try {
    opened = await SmtpClient.open(login.host, login.port, login.timeoutMs, login.implicitTls ? login.tls : undefined);
  } catch (error) {
    return fail(
      GROUP,
      login.check,
      `cannot connect to ${login.host}:${login.port}: ${errorText(error)}`,
      "Check the host, the port and that outbound connections are allowed.",
    );
  }
  const { client } = opened;
  try {
    let { extensions } = await client.ehlo();
    if (!login.implicitTls) {
      if (!extensions.has("STARTTLS"))
        return fail(
          GROUP,
          login.check,
          "STARTTLS is not offered",
          "Use a host/port that offers STARTTLS (587) or implicit TLS (465).",
        );
      await client.startTls(login.tls);
      ({ extensions } = await client.ehlo());
    }
    const mechanisms = extensions.get("AUTH");
    if (mechanisms === undefined)
      return fail(
        GROUP,
        login.check,
        "AUTH is not offered after TLS",
        "Use the submission port of the host (587 or 465).",
      );
    const reply = await client.authenticate(login.user, login.password, mechanisms);
    if (reply.code === 235) return pass(GROUP, login.check, `TLS + AUTH as ${login.user} accepted`);
    return fail(
      GROUP,
      login.check,
      `AUTH as ${login.user} refused: ${reply.code} ${reply.text}`,
      login.wrongPasswordFix,
    );
  } catch (error) {
    return fail(
      GROUP,
      login.check,
      `SMTP conversation failed: ${errorText(error)}`,
      "Check the host's TLS and the logs.",
    );
  } finally {
    await client.quit();
  }
}

/** The stack holds every mailbox password: read it there, or set a new one there. */
function passwordFix(user: string): string {
  const local = user.split("@")[0];
  return (
    `Use the password in \`pulumi stack output passwords --show-secrets\`; to set another: \`pulumi config set ` +
    `--secret --path 'passwords.${local}' <password>\`, then \`pulumi up\`.`
  );
}
