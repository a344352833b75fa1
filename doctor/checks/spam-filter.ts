import { DoctorContext, dialPort, serverAddress } from "../context";
import { LineConnection } from "../net/line-connection";
import { CheckResult, errorText, fail, pass, skip, warn } from "../types";
import { PlannedDeployment } from "../../lib/planned";

const GROUP = "Spam filter";
/** Rspamd's controller: web interface and training API (docker-mailserver binds it to 0.0.0.0:11334). */
export const RSPAMD_CONTROLLER_PORT = 11334;

/**
 * Which filter the program planned, and, with Rspamd, that its controller cannot be reached from outside: it
 * answers on every interface of the container, and Rspamd's stock worker-controller.inc sets the well-known
 * password "q1" (docker-mailserver sets none). mailstack never publishes the port; a firewall rule, host
 * networking or another proxy could.
 */
export async function checkSpamFilter(context: DoctorContext): Promise<CheckResult[]> {
  const spam = context.planned.spam;
  if (!spam) return [skip(GROUP, "filter", "the planned outputs predate the spam settings; run pulumi up")];
  const planned = describeFilter(spam);
  if (spam.filter === "none")
    return [
      warn(
        GROUP,
        "filter",
        planned,
        "Every message to every address is delivered unfiltered; set mailstack:spam.filter to rspamd (the default) and run pulumi up.",
      ),
    ];
  return [pass(GROUP, "filter", planned), await controllerClosed(context)];
}

/** Pure: the planned filter in words. */
export function describeFilter(spam: NonNullable<PlannedDeployment["spam"]>): string {
  const blocklists = spam.dnsbl ? "DNS blocklists at connection time" : "no DNS blocklists";
  if (spam.filter === "none") return `none planned (${blocklists})`;
  return [
    "Rspamd: refuses clear spam at SMTP time (score 11), files likely spam into Junk (score 6)",
    blocklists,
    spam.learning ? "learns from mail moved into or out of Junk" : "no learning",
    spam.greylisting ? "greylists doubtful senders" : "no greylisting",
  ].join("; ");
}

async function controllerClosed(context: DoctorContext): Promise<CheckResult> {
  const name = `web interface (port ${RSPAMD_CONTROLLER_PORT}) not reachable`;
  const host = serverAddress(context);
  let connection: LineConnection;
  try {
    connection = await LineConnection.open(host, dialPort(context, RSPAMD_CONTROLLER_PORT), context.options.timeoutMs);
  } catch (error) {
    return pass(GROUP, name, `${host}:${RSPAMD_CONTROLLER_PORT}: ${errorText(error)}`);
  }
  connection.close();
  return fail(
    GROUP,
    name,
    `${host}:${RSPAMD_CONTROLLER_PORT} accepts connections: Rspamd's controller (history, training, settings) is open to the internet`,
    `Close port ${RSPAMD_CONTROLLER_PORT} to the outside (host firewall, Docker port mappings); mailstack publishes only 25, 143, 465, 587 and 993.`,
  );
}
