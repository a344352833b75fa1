/**
 * Outbound mail: `relay`, `relayPassword`, `resendApiKey` and `resend`. The relay host, port, username and
 * password end up in Postfix's `relayhost` (through `postconf`) and in the credential table
 * `[host]:port user:password` (shared/reference/docker-mailserver.md §4), so each is checked against what those
 * give meaning to.
 */
import { RelayConfig, ResendConfig } from "./config-types";
import { resolveRelay } from "./relay-presets";
import { Scope, show } from "./config-reader";
import { asciiLower, isDomainName, LABEL } from "./mail-syntax";
import { unquoteTxt } from "./dns-format";
import { RESEND_REGIONS } from "./resend/api";
import type { SecretAt } from "./config-dkim";

export const RELAY_KEYS = ["relay", "relayPassword", "resendApiKey", "resend"];

/**
 * Where one domain's relay settings are read. A single-domain stack reads them all from its top level; with
 * `domains`, an entry's own `relay` (else the top level's, shared by every domain), its password from
 * `relayPasswords.<domain>` (else `relayPassword`), its `resend` settings, and the one `resendApiKey`.
 */
export interface RelaySources {
  relay: Scope;
  password: SecretAt;
  resend: Scope;
  resendApiKey: SecretAt;
}

export function readRelay(
  scope: Scope,
  managedDns: boolean,
  from: RelaySources = {
    relay: scope,
    password: { scope, name: "relayPassword" },
    resend: scope,
    resendApiKey: { scope, name: "resendApiKey" },
  },
): { relay: RelayConfig; resend: ResendConfig } {
  const s = from.relay.object("relay");
  s?.only(["provider", "host", "port", "username", "region"]);
  const given = s?.string("host");
  // Postfix's relayhost and the credential table's key: one lower-case host name.
  const host = given && asciiLower(given).replace(/\.$/, "");
  const username = s?.string("username");
  // A refused host or username stands in as a placeholder, so the checks below still see the provider.
  const hostOk = !given || checkHost(s!, given, host!);
  const userOk = username === undefined || checkUsername(s!, username);
  const resendApiKey = from.resendApiKey.scope.secret(from.resendApiKey.name);

  let relay: RelayConfig = { provider: "none", host: "", port: 0, username: "" };
  try {
    relay = resolveRelay({
      provider: s?.string("provider") ?? "resend",
      host: hostOk ? host : "invalid.invalid",
      port: s?.number("port"),
      username: userOk ? username : "invalid",
      region: s?.string("region"),
    });
  } catch (e) {
    scope.r.problems.push((e as Error).message);
  }

  const pw = from.password;
  const password = pw.scope.secret(pw.name);
  if (relay.provider !== "none") {
    const minted = relay.provider === "resend" && resendApiKey;
    if (!password && !minted)
      pw.scope.fail(
        pw.name,
        `is required for the ${relay.provider} relay: pulumi config set --secret ${setSecretArgument(pw)} <${relay.provider === "resend" ? "Resend API key" : "SMTP password"}>${relay.provider === "resend" ? " (or set resendApiKey to have one minted)" : ""}`,
      );
    // eslint-disable-next-line no-control-regex
    else if (password && /[\x00-\x1f\x7f]/.test(password))
      pw.scope.fail(pw.name, "must be one line without control characters (value not shown)");
    else if (password && password.trim() !== password)
      pw.scope.fail(pw.name, "must not begin or end with whitespace, which Postfix would drop (value not shown)");
    else if (password) relay.password = password;
  }
  // With `domains` the one key provisions the domains that relay through Resend (lib/config-domains.ts).
  if (resendApiKey && relay.provider !== "resend" && from.resendApiKey.scope === scope)
    from.resendApiKey.scope.fail(
      from.resendApiKey.name,
      `is set but ${from.relay.key("relay")}.provider is ${show(relay.provider)}; Resend provisioning needs relay.provider: resend`,
    );

  const resend = readResend(from.resend, resendApiKey);
  if (relay.provider === "resend" && !resendApiKey && !resend.dkim && managedDns)
    from.resend.fail(
      "resend.dkim",
      "is required with the Resend relay and managed DNS: copy the resend._domainkey value from Resend's domain page, or set resendApiKey to have the domain and its records provisioned",
    );
  return { relay, resend };
}

/** How `pulumi config set --secret` names a key: `relayPassword`, or `--path 'relayPasswords["b.example"]'`. */
export function setSecretArgument(at: SecretAt): string {
  const key = at.scope.key(at.name);
  const dot = key.indexOf(".");
  return dot < 0 ? key : `--path '${key.slice(0, dot)}["${key.slice(dot + 1)}"]'`;
}

/** `relay.host` goes into `relayhost = [host]:port` and keys the credential table: a bare host name only. */
function checkHost(s: Scope, given: string, host: string): boolean {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(host);
  const port = /:(\d+)$/.exec(host);
  const problem = /\s/.test(host)
    ? "contains whitespace; give one bare host name such as smtp.example.net"
    : scheme
      ? `has a scheme (${scheme[0]}); give the bare host name, e.g. ${host.slice(scheme[0].length).replace(/[:/].*$/, "")}`
      : port
        ? `has a port; give the bare host name and put the port in relay.port (${port[1]})`
        : !isDomainName(host)
          ? "is not a host name; expected something like smtp.example.net"
          : undefined;
  if (problem) s.fail("host", `is ${show(given)}: it ${problem}`);
  return !problem;
}

/** `relay.username` is the `user` of `user:password` in the credential table: one token, no `:`, no quotes. */
function checkUsername(s: Scope, username: string): boolean {
  // eslint-disable-next-line no-control-regex
  const bad = /[\s\x00-\x1f\x7f:'"`$\\]/.exec(username);
  if (bad)
    s.fail(
      "username",
      `contains ${show(bad[0])}; the relay credential is written as user:password in one table line, so the username cannot contain whitespace, ":", quotes, "$" or "\\"`,
    );
  return !bad;
}

function readResend(scope: Scope, apiKey: string | undefined): ResendConfig {
  const s = scope.object("resend");
  s?.only(["region", "returnPath", "dkim", "verifyWaitSeconds", "strictVerify", "keyRotation", "deleteOnDestroy"]);
  const region = s?.string("region") ?? "us-east-1";
  if (!RESEND_REGIONS.includes(region))
    s!.fail("region", `is ${show(region)}; Resend's regions are ${RESEND_REGIONS.join(", ")}`);
  const returnPath = asciiLower(s?.string("returnPath") ?? "send");
  if (!LABEL.test(returnPath)) s!.fail("returnPath", `is ${show(returnPath)}; expected one DNS label such as "send"`);
  const verifyWaitSeconds = s?.number("verifyWaitSeconds") ?? 300;
  if (verifyWaitSeconds < 0 || verifyWaitSeconds > 3600)
    s!.fail("verifyWaitSeconds", `is ${verifyWaitSeconds}; expected 0–3600 seconds`);
  return {
    region,
    returnPath,
    dkim: s && readResendDkim(s),
    apiKey,
    verifyWaitSeconds,
    strictVerify: s?.boolean("strictVerify") ?? false,
    keyRotation: s?.string("keyRotation"),
    deleteOnDestroy: s?.boolean("deleteOnDestroy") ?? false,
  };
}

/**
 * `resend.dkim` as Resend's dashboard shows it (`p=MIGf…`), also when pasted the way a zone file or a DNS tool
 * shows a TXT record: in quotes, split into quoted strings, or with line breaks.
 */
function readResendDkim(s: Scope): string | undefined {
  const given = s.string("dkim");
  if (!given) return undefined;
  // A zone file wraps the strings in parentheses.
  let value = given.replace(/\s+/g, " ").replace(/^\(\s*|\s*\)$/g, "");
  if (value.startsWith('"')) {
    try {
      value = unquoteTxt(value);
    } catch {
      return s.fail("dkim", `has unbalanced quotes; paste the value without quotes: p=MIGf…`);
    }
  }
  // A key wrapped over several lines keeps its spaces inside the base64; join it.
  value = value.trim().replace(/p=[A-Za-z0-9+/= ]+$/, (p) => p.replace(/ /g, ""));
  if (!/^(v=DKIM1;\s*)?(k=rsa;\s*)?p=[A-Za-z0-9+/=]{100,}$/.test(value))
    return s.fail(
      "dkim",
      `does not look like the DKIM value Resend shows (expected "p=MIGf…" from the resend._domainkey TXT record, got ${show(given.slice(0, 20))}…)`,
    );
  return value;
}
