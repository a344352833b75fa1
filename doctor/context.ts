import { PlannedDeployment } from "../lib/planned";
import { DnsClient } from "./net/dns-client";
import { TlsSettings } from "./net/line-connection";
import { DoctorOptions } from "./options";

/** Everything a check may use. Built once per run; checks never read process state directly. */
export interface DoctorContext {
  planned: PlannedDeployment;
  options: DoctorOptions;
  dns: DnsClient;
  /** Environment holding the optional credentials. */
  env: Record<string, string | undefined>;
  /** CA certificates from `--ca`, else undefined (system CAs). */
  ca?: Buffer;
  now: Date;
}

/** The address we dial for the mail server: `--connect`, else the planned IP, else the hostname. */
export function serverAddress(context: DoctorContext): string {
  return context.options.connect ?? context.planned.serverIp ?? context.planned.hostname;
}

/** The port actually dialled for a service port (`--port 25=2525`). */
export function dialPort(context: DoctorContext, servicePort: number): number {
  return context.options.portOverrides.get(servicePort) ?? servicePort;
}

/** TLS settings for the mail server: its hostname is what the certificate must name. */
export function serverTls(context: DoctorContext): TlsSettings {
  return { servername: context.planned.hostname, ca: context.ca };
}
