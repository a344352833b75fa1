import { readDnsZones, readStackConfig } from "./lib/stack-config";
import { MailStack } from "./components/stack";

// An async program (Pulumi awaits it and exports what it returns): config is validated and each domain's
// Cloudflare zone read first, so a bad value or a record in the way stops the run before any resource is registered.
export = async () => {
  const config = readStackConfig();
  const zones = config.dns.provider === "cloudflare" ? await readDnsZones(config) : {};
  const mail = new MailStack("mailstack", config, zones);
  // What was planned (the shape lib/planned.ts describes, read by `mailstack doctor`), the secret passwords,
  // and the backup repository's key (store it somewhere else: without it the backups cannot be read).
  return { ...mail.planned, passwords: mail.passwords, backupKey: mail.backupKey };
};
