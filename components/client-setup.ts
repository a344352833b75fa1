import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { WorkerSite } from "../lib/well-known/plan";
import {
  renderWorkerModule,
  WORKER_COMPATIBILITY_DATE,
  WORKER_MAIN_MODULE,
  workerScriptName,
} from "../lib/well-known/worker";

export interface ClientSetupWorkerArgs {
  /** The Cloudflare account the script lives in. */
  accountId: string;
  /** The zone of every host name served (the mail domain's). */
  zoneId: pulumi.Input<string>;
  /** What is served where (lib/well-known/plan.ts). */
  site: WorkerSite;
}

/**
 * The Cloudflare Worker serving MTA-STS and client autoconfiguration: one module script, and a Workers custom
 * domain per host name, which makes Cloudflare create the host's DNS record and edge certificate itself. So
 * no web server runs on the mail host, and these names get no DNS record from us: the API refuses a custom
 * domain on a host name that already has an A, AAAA or CNAME record (error 100117, "already has externally
 * managed DNS records").
 */
export class ClientSetupWorker extends pulumi.ComponentResource {
  readonly script: cloudflare.WorkersScript;
  /** Host name → its custom domain: what serves that host. */
  readonly domains: Record<string, cloudflare.WorkersCustomDomain>;

  constructor(name: string, args: ClientSetupWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:clientSetup:Worker", name, {}, opts);
    // terraform-provider-cloudflare v5.22 workers_script: `content` with `main_module` uploads a module
    // (content type application/javascript+module); an empty content would upload no script part at all.
    this.script = new cloudflare.WorkersScript(
      `${name}-script`,
      {
        accountId: args.accountId,
        scriptName: workerScriptName(args.site.domain),
        content: renderWorkerModule(args.site),
        mainModule: WORKER_MAIN_MODULE,
        compatibilityDate: WORKER_COMPATIBILITY_DATE,
      },
      { parent: this },
    );
    // workers_custom_domain: account, host name, service (the script) and zone; `environment` is deprecated.
    this.domains = Object.fromEntries(
      Object.keys(args.site.hosts).map((hostname) => [
        hostname,
        new cloudflare.WorkersCustomDomain(
          `${name}-${hostname}`,
          { accountId: args.accountId, hostname, service: this.script.scriptName, zoneId: args.zoneId },
          { parent: this },
        ),
      ]),
    );
    this.registerOutputs({ scriptName: this.script.scriptName, hostnames: Object.keys(this.domains) });
  }
}
