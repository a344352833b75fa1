import { DoctorContext } from "../context";
import { normalizeName } from "../../lib/dns-format";
import { sameIp } from "../lib/addresses";
import { CheckResult, errorText, fail, pass, skip } from "../types";

const GROUP = "Reverse DNS";

/**
 * Receivers (Gmail, Microsoft, most spam filters) want forward-confirmed reverse DNS: the IP's PTR names the
 * host, and that host name resolves back to the same IP.
 */
export async function checkReverseDns(context: DoctorContext): Promise<CheckResult[]> {
  const { serverIp, serverIpv6, hostname } = context.planned;
  const ips = [serverIp, serverIpv6].filter((ip): ip is string => Boolean(ip));
  if (ips.length === 0) return [skip(GROUP, "PTR", "the plan has no server IP")];
  return Promise.all(ips.map((ip) => checkOne(context, ip, normalizeName(hostname))));
}

async function checkOne(context: DoctorContext, ip: string, hostname: string): Promise<CheckResult> {
  const check = `PTR ${ip}`;
  const request = context.planned.ptrRequest.find((entry) => sameIp(entry.ip, ip)) ?? { ip, hostname };
  const askProvider = `Ask your server provider to set the reverse DNS (PTR) of ${request.ip} to ${request.hostname}.`;
  let names: string[];
  try {
    names = await context.dns.ptr(ip);
  } catch (error) {
    return fail(
      GROUP,
      check,
      `could not query: ${errorText(error)}`,
      "Check that the resolver answers, or pass --resolver.",
    );
  }
  if (names.length === 0) return fail(GROUP, check, "no PTR record", askProvider);
  if (!names.includes(hostname))
    return fail(GROUP, check, `PTR is ${names.join(", ")}, expected ${hostname}`, askProvider);
  let forward: string[];
  try {
    forward = ip.includes(":") ? await context.dns.aaaa(hostname) : await context.dns.a(hostname);
  } catch (error) {
    return fail(
      GROUP,
      check,
      `PTR is ${hostname} but ${hostname} could not be resolved: ${errorText(error)}`,
      "Check that the resolver answers.",
    );
  }
  if (!forward.some((address) => sameIp(address, ip))) {
    return fail(
      GROUP,
      check,
      `PTR is ${hostname} but ${hostname} resolves to ${forward.join(", ") || "nothing"} (not forward-confirmed)`,
      `Publish ${ip.includes(":") ? "AAAA" : "A"} ${hostname} → ${ip}.`,
    );
  }
  const extra = names.length > 1 ? ` (also ${names.filter((n) => n !== hostname).join(", ")})` : "";
  return pass(GROUP, check, `${hostname}, which resolves back to ${ip}${extra}`);
}
