import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parsePolicy, resolvePolicy, validateMx } from "mailauth/lib/mta-sts";
import { WellKnownOutputs } from "../../lib/planned";
import { DoctorContext, dialPort } from "../context";
import { httpsRequest, HttpsResponse } from "../net/https-client";
import { CheckResult, errorText, fail, pass, skip, warn } from "../types";

const STS = "MTA-STS";
const CLIENTS = "Client setup";
/** The size cap RFC 8461 §3.3 suggests for a policy (mailauth applies the same 64 KiB). */
const MAX_POLICY_BYTES = 64 * 1024;
const MAX_DOCUMENT_BYTES = 256 * 1024;

type Planned = WellKnownOutputs;
const notPlanned = (group: string, what: string) =>
  skip(group, what, "the plan has no client setup (outputs from before mailstack served it: run pulumi up once)");

/** Who to ask to fix what is served: `pulumi up` for the Worker, the user's own web server otherwise. */
const serveFix = (wk: Planned, what: string, url: string) =>
  wk.servedBy === "worker"
    ? `Run \`pulumi up\`: the Worker serves ${what} at ${url} (a custom domain can take a few minutes to get its certificate).`
    : `Serve ${what} at ${url} yourself, byte for byte (stack output wellKnown), with a certificate valid for its host name.`;

/**
 * MTA-STS as a sending server sees it (RFC 8461): the `_mta-sts` record's id, the policy fetched over HTTPS
 * (200, text/plain, a valid certificate, no redirect) and parsed strictly by mailauth, compared with the plan,
 * and every live MX host covered by it.
 */
export async function checkMtaSts(context: DoctorContext): Promise<CheckResult[]> {
  const wk = context.planned.wellKnown;
  if (!wk) return [notPlanned(STS, "policy")];
  if (!wk.mtaSts)
    return [skip(STS, "policy", "no MTA-STS policy planned (clientSetup.mtaSts: false, or no Worker to serve it)")];
  const planned = wk.mtaSts;
  const domain = context.planned.domain;

  const idCheck = (async (): Promise<CheckResult> => {
    const name = `_mta-sts.${domain}`;
    const check = `id ${name}`;
    let id: string | false;
    try {
      // Node's resolve() for TXT gives string[][], what mailauth's resolver type promises.
      const resolver = (name: string, type: string) => context.dns.resolve(name, type) as Promise<string[][]>;
      id = await resolvePolicy(domain, { strict: true, resolver });
    } catch (error) {
      const multiple = (error as { code?: string }).code === "multi_sts_records";
      return fail(
        STS,
        check,
        multiple ? "more than one v=STSv1 record: senders ignore the policy" : `could not query: ${errorText(error)}`,
        multiple ? `Keep one TXT record at ${name}: "v=STSv1; id=${planned.id}".` : "Check that the resolver answers.",
      );
    }
    const publish = `Publish one TXT record at ${name}: "v=STSv1; id=${planned.id}"${wk.servedBy === "worker" ? " (pulumi up)" : ", once the policy is served"}.`;
    if (id === false) return fail(STS, check, "no valid v=STSv1 record: senders never look for the policy", publish);
    if (id !== planned.id)
      return fail(
        STS,
        check,
        `publishes id ${id}, the plan ${planned.id}: senders that cached another policy keep it until its max_age runs out`,
        publish,
      );
    return pass(STS, check, `id ${id}, the hash of the planned policy`);
  })();

  const policyChecks = (async (): Promise<CheckResult[]> => {
    const check = `policy ${planned.url}`;
    let response: HttpsResponse;
    try {
      response = await fetchFrom(context, planned.url, { maxBytes: MAX_POLICY_BYTES });
    } catch (error) {
      return [
        fail(STS, check, `cannot fetch it: ${errorText(error)}`, serveFix(wk, "the policy", planned.url)),
        skip(STS, "MX hosts covered", "no policy fetched"),
      ];
    }
    const problem =
      response.status !== 200
        ? `answered HTTP ${response.status}${response.headers.location ? ` → ${response.headers.location}` : ""} (only 200 counts; redirects are not followed)`
        : !/^text\/plain\s*(;|$)/i.test(String(response.headers["content-type"] ?? ""))
          ? `served as ${JSON.stringify(response.headers["content-type"] ?? "")}, not text/plain`
          : undefined;
    let policy: ReturnType<typeof parsePolicy> | undefined;
    let parseError: string | undefined;
    try {
      policy = parsePolicy(response.body, { strict: true });
    } catch (error) {
      // mailauth's message says it ("Invalid max_age field"); its code would only repeat it.
      parseError = (error as Error).message;
    }
    const results: CheckResult[] = [];
    const summary = (p: { mode: string; mx?: string[]; maxAge?: number }) =>
      `mode ${p.mode}, mx ${(p.mx ?? []).join(" ")}, max_age ${p.maxAge}`;
    if (problem || !policy)
      results.push(
        fail(
          STS,
          check,
          problem ?? `not a valid policy: ${parseError}`,
          serveFix(wk, "the planned policy", planned.url),
        ),
      );
    else if (response.body !== planned.policy)
      results.push(
        fail(
          STS,
          check,
          `serves ${summary(policy)}; the plan is ${summary(planned)}: its id ${planned.id} no longer names what is served`,
          serveFix(wk, "the planned policy", planned.url),
        ),
      );
    else
      results.push(
        pass(
          STS,
          check,
          `${summary(policy)}${policy.mode === "testing" ? " (testing: failures are reported, not enforced; switch mtaSts.mode to enforce once TLS reports are clean)" : ""}`,
        ),
      );
    results.push(await mxCoverage(context, policy ?? { mode: planned.mode, mx: planned.mx }));
    return results;
  })();

  return [await idCheck, ...(await policyChecks)];
}

/** Every MX host the domain publishes must be allowed by the policy, or enforcing senders refuse it. */
async function mxCoverage(context: DoctorContext, policy: { mode: "testing" | "enforce" | "none"; mx?: string[] }) {
  const check = "MX hosts covered";
  let hosts: string[];
  try {
    hosts = (await context.dns.mx(context.planned.domain)).map((mx) => mx.exchange);
  } catch (error) {
    return fail(STS, check, `could not query MX: ${errorText(error)}`, "Check that the resolver answers.");
  }
  if (policy.mode === "none") return pass(STS, check, "mode none: the policy allows every host");
  if (hosts.length === 0) return fail(STS, check, "the domain publishes no MX", "Publish the planned MX record.");
  const outside = hosts.filter((host) => !validateMx(host, policy).valid);
  if (outside.length === 0)
    return pass(STS, check, `${hosts.join(", ")} ${hosts.length > 1 ? "are" : "is"} in the policy`);
  const detail = `${outside.join(", ")} ${outside.length > 1 ? "are" : "is"} not in the policy (mx ${(policy.mx ?? []).join(" ")}): ${policy.mode === "enforce" ? "senders enforcing MTA-STS refuse to deliver there" : "in enforce mode senders would refuse to deliver there"}`;
  const fix = `Remove the MX record${outside.length > 1 ? "s" : ""} for ${outside.join(", ")}, or have the mail server receive under the planned host name.`;
  return policy.mode === "enforce" ? fail(STS, check, detail, fix) : warn(STS, check, detail, fix);
}

/**
 * What mail clients fetch: Thunderbird's autoconfig file at each of its URLs (well-formed XML, byte for byte the
 * planned one), and Outlook's autodiscover answer for the first account (its login and the mail host).
 */
export async function checkClientAutoconfig(context: DoctorContext): Promise<CheckResult[]> {
  const wk = context.planned.wellKnown;
  if (!wk) return [notPlanned(CLIENTS, "autoconfig")];
  const checks: Promise<CheckResult>[] = [];
  if (!wk.autoconfig)
    checks.push(Promise.resolve(skip(CLIENTS, "autoconfig", "not planned (clientSetup.autoconfig: false)")));
  for (const url of wk.autoconfig?.urls ?? []) checks.push(checkAutoconfigUrl(context, wk, url));
  for (const url of wk.autodiscover?.urls ?? []) checks.push(checkAutodiscoverUrl(context, wk, url));
  return Promise.all(checks);
}

async function checkAutoconfigUrl(context: DoctorContext, wk: Planned, url: string): Promise<CheckResult> {
  const check = `autoconfig ${url}`;
  const fix = serveFix(wk, "the planned autoconfig file", url);
  try {
    const response = await fetchFrom(context, url, { maxBytes: MAX_DOCUMENT_BYTES });
    if (response.status !== 200) return fail(CLIENTS, check, `answered HTTP ${response.status}`, fix);
    const valid = XMLValidator.validate(response.body);
    if (valid !== true)
      return fail(CLIENTS, check, `not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`, fix);
    if (response.body !== wk.autoconfig!.xml)
      return fail(CLIENTS, check, "serves another configuration than the plan", fix);
    return pass(CLIENTS, check, `the planned clientConfig 1.1 (IMAP and SMTP at ${context.planned.hostname})`);
  } catch (error) {
    return fail(CLIENTS, check, `cannot fetch it: ${errorText(error)}`, fix);
  }
}

async function checkAutodiscoverUrl(context: DoctorContext, wk: Planned, url: string): Promise<CheckResult> {
  const check = `autodiscover ${url}`;
  const fix = serveFix(wk, "Outlook's autodiscover answer", url);
  const address = context.planned.accounts[0] ?? `postmaster@${context.planned.domain}`;
  const request = `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>${address}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`;
  try {
    const response = await fetchFrom(context, url, {
      maxBytes: MAX_DOCUMENT_BYTES,
      method: "POST",
      body: request,
      headers: { "content-type": "text/xml; charset=utf-8" },
    });
    if (response.status !== 200) return fail(CLIENTS, check, `answered HTTP ${response.status}`, fix);
    const protocols = readAutodiscover(response.body);
    const expected = context.planned.hostname;
    const wrong = protocols.filter((p) => p.server !== expected || p.login !== address);
    if (protocols.length === 0 || wrong.length)
      return fail(
        CLIENTS,
        check,
        protocols.length === 0
          ? "the answer names no IMAP or SMTP server"
          : `tells ${address} to use ${wrong.map((p) => `${p.type} ${p.server} as ${p.login}`).join(", ")}`,
        fix,
      );
    return pass(CLIENTS, check, `${protocols.map((p) => `${p.type} ${p.server}:${p.port}`).join(", ")} for ${address}`);
  } catch (error) {
    return fail(CLIENTS, check, `cannot fetch it: ${errorText(error)}`, fix);
  }
}

/** The Protocol elements of a POX autodiscover answer (namespaces ignored); none for an error answer. */
function readAutodiscover(xml: string): { type: string; server: string; port: string; login: string }[] {
  const parsed = new XMLParser({
    removeNSPrefix: true,
    isArray: (name) => name === "Protocol",
    parseTagValue: false,
  }).parse(xml);
  const protocols = (parsed?.Autodiscover?.Response?.Account?.Protocol ?? []) as Record<string, string>[];
  return protocols.map((p) => ({ type: p.Type, server: p.Server, port: p.Port, login: p.LoginName }));
}

/** A request to a planned URL, at the address the doctor's resolver gives for its host (`--port 443=…`). */
async function fetchFrom(
  context: DoctorContext,
  url: string,
  options: { maxBytes: number; method?: "GET" | "POST"; body?: string; headers?: Record<string, string> },
): Promise<HttpsResponse> {
  const target = new URL(url);
  const addresses = [...(await context.dns.a(target.hostname)), ...(await context.dns.aaaa(target.hostname))];
  if (addresses.length === 0) throw new Error(`${target.hostname} has no A or AAAA record`);
  return httpsRequest({
    url: target,
    address: addresses[0],
    port: dialPort(context, Number(target.port) || 443),
    ca: context.ca,
    timeoutMs: context.options.timeoutMs,
    ...options,
  });
}
