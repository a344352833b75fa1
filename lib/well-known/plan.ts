import { ClientSetupConfig } from "../config-types";
import { DEFAULT_TTL, DnsRecordSpec } from "../dns-record";
import { formatSrv, quoteTxt } from "../dns-format";
import { WellKnownOutputs } from "../planned";
import { APPLE_PROFILE_CONTENT_TYPE, APPLE_PROFILE_PATH, renderAppleProfile, renderProfilePage } from "./apple-profile";
import { AUTOCONFIG_PATH, AUTOCONFIG_WELL_KNOWN_PATH, renderAutoconfigXml } from "./autoconfig";
import {
  AUTODISCOVER_PATH,
  OUTLOOK_RESPONSE_SCHEMA,
  renderAutodiscoverError,
  renderAutodiscoverResponse,
} from "./autodiscover";
import { PLACEHOLDER } from "./endpoints";
import { MTA_STS_PATH, mtaStsPolicyHost, mtaStsPolicyId, mtaStsTxtValue, renderMtaStsPolicy } from "./mta-sts";
import { tlsRptTxtValue } from "./tls-rpt";

/** One document the Worker serves. */
export type WorkerDocument =
  /** The same for everyone (GET, HEAD). */
  | { kind: "static"; contentType: string; body: string }
  /** Per address (`?emailaddress=`; GET, HEAD): `body` holds the placeholders the Worker fills in. */
  | { kind: "address"; contentType: string; body: string; filename: string }
  /** Outlook's POX autodiscover (POST): the answer for an address, or `error`; `schema` the one answered. */
  | { kind: "autodiscover"; contentType: string; body: string; error: string; schema: string };

/** Everything the Worker serves: its whole data, baked into the script (lib/well-known/worker.ts). */
export interface WorkerSite {
  domain: string;
  /** Host → path → document name; both lower case (the Worker lower-cases the request's). */
  hosts: Record<string, Record<string, string>>;
  documents: Record<string, WorkerDocument>;
  placeholders: typeof PLACEHOLDER;
}

export interface WellKnownPlan {
  /** TLS-RPT and SRV records: DNS only, published with the others. */
  records: DnsRecordSpec[];
  /** Records that announce what a host serves over HTTPS (`_mta-sts`): published once that host serves it. */
  announcements: { record: DnsRecordSpec; host: string }[];
  /** What the HTTPS hosts serve; undefined when nothing is. */
  site?: WorkerSite;
  /** The planned output `wellKnown` (lib/planned.ts). */
  outputs: WellKnownOutputs;
}

const XML = "application/xml; charset=utf-8";
const TEXT = "text/plain; charset=utf-8";

const record = (type: "TXT" | "SRV", name: string, content: string, comment: string, priority?: number) => ({
  type,
  name,
  content,
  ...(priority === undefined ? {} : { priority }),
  ttl: DEFAULT_TTL,
  comment,
});

/**
 * RFC 6186 and RFC 8314 §5.1 SRV records, in RFC 6186 §3.4's pattern: implicit TLS offered and preferred, the
 * cleartext-upgrade IMAP and all POP3 marked "not offered here" with the target `.` (port 143 stays open for
 * clients configured by hand, but no client is sent there), submission on 587 offered after 465.
 */
function srvRecords(domain: string, hostname: string): DnsRecordSpec[] {
  const srv = (service: string, priority: number, weight: number, port: number, target: string, why: string) =>
    record("SRV", `_${service}._tcp.${domain}`, formatSrv({ weight, port, target }), why, priority);
  return [
    srv("submissions", 0, 1, 465, hostname, "mail clients: submission over TLS (RFC 8314)"),
    srv("submission", 10, 1, 587, hostname, "mail clients: submission with STARTTLS (RFC 6186)"),
    srv("imaps", 0, 1, 993, hostname, "mail clients: IMAP over TLS (RFC 6186)"),
    srv("imap", 0, 0, 0, ".", "mail clients: no IMAP without TLS (RFC 6186 §3.4)"),
    srv("pop3s", 0, 0, 0, ".", "mail clients: no POP3 (RFC 6186 §3.4)"),
    srv("pop3", 0, 0, 0, ".", "mail clients: no POP3 (RFC 6186 §3.4)"),
  ];
}

/**
 * The domain's MTA-STS, TLS-RPT, autoconfiguration and SRV plan: a pure function of one domain's values, so
 * each domain of a stack gets its own. Hosts and paths are fixed by the standards and the clients that read
 * them (RFC 8461 §3.3, Thunderbird, Outlook), except the Apple profile's, which is ours.
 */
export function planWellKnown(p: { domain: string; hostname: string; setup: ClientSetupConfig }): WellKnownPlan {
  const { domain, hostname, setup } = p;
  const autoconfigHost = `autoconfig.${domain}`;
  const autodiscoverHost = `autodiscover.${domain}`;
  const hosts: WorkerSite["hosts"] = {};
  const documents: WorkerSite["documents"] = {};
  const serve = (host: string, path: string, name: string) => ((hosts[host] ??= {})[path] = name);
  const url = (host: string, path: string) => `https://${host}${path}`;
  const records: DnsRecordSpec[] = [];
  const announcements: WellKnownPlan["announcements"] = [];
  const outputs: WellKnownOutputs = { servedBy: setup.worker ? "worker" : "you", hostnames: [] };

  if (setup.mtaSts) {
    const policy = renderMtaStsPolicy({ mode: setup.mtaSts.mode, mx: [hostname], maxAge: setup.mtaSts.maxAge });
    const id = mtaStsPolicyId(policy);
    const host = mtaStsPolicyHost(domain);
    documents["mta-sts"] = { kind: "static", contentType: TEXT, body: policy };
    serve(host, MTA_STS_PATH, "mta-sts");
    announcements.push({
      record: record(
        "TXT",
        `_mta-sts.${domain}`,
        quoteTxt(mtaStsTxtValue(id)),
        "MTA-STS: senders must reach the MX over TLS",
      ),
      host,
    });
    outputs.mtaSts = {
      url: url(host, MTA_STS_PATH),
      mode: setup.mtaSts.mode,
      maxAge: setup.mtaSts.maxAge,
      mx: [hostname],
      id,
      policy,
    };
  }
  if (setup.tlsRpt) {
    records.push(
      record("TXT", `_smtp._tls.${domain}`, quoteTxt(tlsRptTxtValue(setup.tlsRpt.rua)), "TLS-RPT: TLS failure reports"),
    );
    outputs.tlsRpt = { rua: setup.tlsRpt.rua };
  }
  if (setup.autoconfig) {
    const xml = renderAutoconfigXml({ domain, hostname });
    documents.autoconfig = { kind: "static", contentType: XML, body: xml };
    documents["apple-profile"] = {
      kind: "address",
      contentType: APPLE_PROFILE_CONTENT_TYPE,
      body: renderAppleProfile({ domain, hostname }),
      filename: `${domain}.mobileconfig`,
    };
    documents["setup-page"] = {
      kind: "static",
      contentType: "text/html; charset=utf-8",
      body: renderProfilePage({ domain, hostname }),
    };
    serve(autoconfigHost, AUTOCONFIG_PATH, "autoconfig");
    serve(autoconfigHost, AUTOCONFIG_WELL_KNOWN_PATH, "autoconfig");
    serve(autoconfigHost, APPLE_PROFILE_PATH, "apple-profile");
    serve(autoconfigHost, "/", "setup-page");
    const urls = [url(autoconfigHost, AUTOCONFIG_PATH)];
    if (setup.apex) {
      serve(domain, AUTOCONFIG_WELL_KNOWN_PATH, "autoconfig");
      urls.push(url(domain, AUTOCONFIG_WELL_KNOWN_PATH));
    }
    outputs.autoconfig = { urls, xml };
    outputs.appleProfile = { url: url(autoconfigHost, APPLE_PROFILE_PATH), page: url(autoconfigHost, "/") };
  }
  if (setup.autodiscover) {
    documents.autodiscover = {
      kind: "autodiscover",
      contentType: XML,
      body: renderAutodiscoverResponse({ hostname }),
      error: renderAutodiscoverError(),
      schema: OUTLOOK_RESPONSE_SCHEMA,
    };
    serve(autodiscoverHost, AUTODISCOVER_PATH, "autodiscover");
    const urls = [url(autodiscoverHost, AUTODISCOVER_PATH)];
    // Outlook tries the apex first (https://<domain>/autodiscover/autodiscover.xml).
    if (setup.apex) {
      serve(domain, AUTODISCOVER_PATH, "autodiscover");
      urls.unshift(url(domain, AUTODISCOVER_PATH));
    }
    outputs.autodiscover = { urls };
  }
  if (setup.srv) records.push(...srvRecords(domain, hostname));

  outputs.hostnames = Object.keys(hosts);
  const site = outputs.hostnames.length ? { domain, hosts, documents, placeholders: PLACEHOLDER } : undefined;
  return { records, announcements, site, outputs };
}
