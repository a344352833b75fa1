import { DnsRecordSpec } from "./dns-record";

/**
 * What the program plans, as exported by the stack (`pulumi stack output --json`). `mailstack doctor` reads
 * exactly this shape, so a field added to the outputs should be added here first.
 */
export interface PlannedDeployment {
  /** Mail domain, e.g. `qladgk.com`. */
  domain: string;
  /** Server FQDN: MX target, TLS name, SMTP banner. */
  hostname: string;
  /** Public IPv4 of the server (absent only when DNS is not managed and none was given). */
  serverIp?: string;
  serverIpv6?: string;
  /** Every DNS record the program publishes (or asks the user to publish with `dns: none`). */
  dnsRecords: DnsRecordSpec[];
  /** The same records as BIND zone-file text. */
  zoneFile: string;
  /** DKIM selector and the base64 public key published at `<selector>._domainkey.<domain>`. */
  dkim: { selector: string; publicKey: string };
  /** The outbound relay; `host` empty when `relay.provider` is `none`. The password is never here. */
  relay: { provider: string; host: string; port: number; username: string };
  /** Ports the container publishes. */
  ports: number[];
  /** What to put in a mail client. */
  clientSettings: {
    imap: { host: string; port: number; security: "SSL/TLS" };
    smtp: { host: string; port: number; security: "STARTTLS" };
    username: string;
  };
  /** The reverse-DNS (PTR) entries to ask the server's provider for. */
  ptrRequest: { ip: string; hostname: string }[];
  /** Mail accounts (full addresses). Their passwords are in the secret `passwords` output. */
  accounts: string[];
}
