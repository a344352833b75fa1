import { X509Certificate } from "node:crypto";
import { dockerOutput } from "../../addresses/log/sources";
import { pemCertificates } from "../../lib/tls-check";
import { DoctorContext, dialPort, serverAddress, serverTls } from "../context";
import { judgeCaa, judgeRenewal, judgeServed, parseStatus, relevantCaa } from "../lib/acme";
import { SmtpClient } from "../net/smtp-client";
import { CheckResult, errorText, fail, pass, skip, warn, Verdict } from "../types";

const GROUP = "Certificate";

const result = (name: string, v: Verdict): CheckResult =>
  v.status === "pass"
    ? pass(GROUP, name, v.detail)
    : v.status === "warn"
      ? warn(GROUP, name, v.detail, v.fix!)
      : fail(GROUP, name, v.detail, v.fix!);

/**
 * tls.mode acme: the CAA records governing the mail host, and — over the stack's Docker connection — the
 * certificate the renewer published last, its issuer and expiry, the renewer's last result, and whether the
 * server presents that certificate (docker-mailserver reloads when the files change). The per-port checks
 * judge the presented certificate itself (name, trust, expiry).
 */
export async function checkCertificate(context: DoctorContext): Promise<CheckResult[]> {
  const tls = context.planned.tls;
  if (tls?.mode !== "acme") {
    return tls
      ? [
          pass(
            GROUP,
            "certificate",
            `${tls.mode}: issued by ${tls.issuer}, expires ${tls.notAfter.slice(0, 10)} (renewed by you, then pulumi up)`,
          ),
        ]
      : [skip(GROUP, "certificate", "the plan predates TLS automation: run pulumi up to refresh it")];
  }
  const hostname = context.planned.hostname;
  const results: CheckResult[] = [];
  if (tls.caa) {
    try {
      results.push(result("CAA", judgeCaa(hostname, tls.caa, await relevantCaa(hostname, (n) => context.dns.caa(n)))));
    } catch (error) {
      results.push(
        fail(GROUP, "CAA", `CAA lookup failed: ${errorText(error)}`, `Check that ${context.dns.description} answers.`),
      );
    }
  } else results.push(skip(GROUP, "CAA", "tls.acme.caa is false: no CAA record is planned"));

  let latest: X509Certificate;
  let status;
  const target = { host: context.planned.docker?.host, container: tls.container, env: context.env };
  try {
    const [pem, statusText] = await Promise.all([
      dockerOutput(target, ["cat", tls.certificatePath]),
      dockerOutput(target, ["cat", tls.statusFile]).catch(() => ""),
    ]);
    latest = new X509Certificate(pemCertificates(pem)[0]);
    status = parseStatus(statusText);
  } catch (error) {
    const reason = `cannot read the renewer's certificate over Docker: ${errorText(error)}`;
    return [...results, skip(GROUP, "renewal", reason), skip(GROUP, "latest served", reason)];
  }
  results.push(result("renewal", judgeRenewal(latest, status, tls.checkHours, context.now)));

  let opened;
  try {
    opened = await SmtpClient.open(
      serverAddress(context),
      dialPort(context, 465),
      context.options.timeoutMs,
      serverTls(context),
    );
  } catch (error) {
    return [...results, skip(GROUP, "latest served", `cannot connect to port 465: ${errorText(error)}`)];
  }
  try {
    const served = opened.client.connection.tlsSocket!.getPeerX509Certificate();
    if (!served)
      return [
        ...results,
        fail(GROUP, "latest served", "port 465 presented no certificate", "Check the mail server's TLS setup."),
      ];
    const mail = context.planned.docker?.containerName ?? "mailserver";
    results.push(result("latest served", judgeServed(served, latest, status, mail, context.now)));
  } finally {
    await opened.client.quit();
  }
  return results;
}
