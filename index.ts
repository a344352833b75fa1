import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "./lib/stack-config";
import { MailStack } from "./components/stack";

// Validate everything first: a bad value stops the run before any resource is registered.
const config = readStackConfig();
const mail = new MailStack("mailstack", config);

export const domain = mail.planned.domain;
export const hostname = mail.planned.hostname;
export const serverIp = mail.planned.serverIp;
export const serverIpv6 = mail.planned.serverIpv6;
export const dnsRecords = mail.planned.dnsRecords;
export const zoneFile = mail.planned.zoneFile;
export const dkim = mail.planned.dkim;
export const relay = mail.planned.relay;
export const ports = mail.planned.ports;
export const clientSettings = mail.planned.clientSettings;
export const ptrRequest = mail.planned.ptrRequest;
export const accounts = mail.planned.accounts;
export const passwords = pulumi.secret(mail.passwords);
