import { readStackConfig } from "./lib/stack-config";
import { MailStack } from "./components/stack";

// Validate everything first: a bad value stops the run before any resource is registered.
const config = readStackConfig();
const mail = new MailStack("mailstack", config);

// What was planned (the shape lib/planned.ts describes, read by `mailstack doctor`), and the secret passwords.
export const {
  domain,
  hostname,
  serverIp,
  serverIpv6,
  dnsRecords,
  zoneFile,
  dkim,
  relay,
  ports,
  clientSettings,
  ptrRequest,
  accounts,
  aliases,
  catchAll,
  blocked,
  relatedSenders,
  docker,
  backup,
} = mail.planned;
export const passwords = mail.passwords;
/** The backup repository's key: store it somewhere else, without it the backups cannot be read. */
export const backupKey = mail.backupKey;
