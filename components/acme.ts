import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import * as docker from "@pulumi/docker";
import * as tls from "@pulumi/tls";
import { AcmeConfig } from "../lib/config-types";
import {
  CERTS_MOUNT,
  FIRST_ISSUANCE_TIMEOUT_SECONDS,
  planRenewerFiles,
  RENEWER,
  renewerEnv,
  renewerHealthcheck,
} from "../lib/render/acme";
import { dnsTokenPolicy, DNS_TOKEN_PERMISSIONS, PERMISSION_SCOPE_ZONE } from "../lib/acme-token";
import { AcmeAccount } from "./acme-account";
import { containerUploads } from "./mailserver";

export interface AcmeRenewerArgs {
  hostname: string;
  acme: AcmeConfig;
  /** The Cloudflare zone holding the hostname: the only one the renewer's token may touch. */
  zoneId: pulumi.Input<string>;
  /** The renewer container's name; its volumes are named after it. */
  containerName: string;
  /** The mail server's engine (undefined = the local one). */
  provider?: docker.Provider;
}

/**
 * The certificate's issuer and renewer: an ACME account registered once (key kept in state), a Cloudflare
 * token that can edit DNS in this zone only, and lego in a container next to docker-mailserver that issues
 * on first start and renews on its own schedule — no `pulumi up` needed for renewals. The certificate lives
 * in a volume docker-mailserver mounts read-only; `wait` holds the first `up` until it is there.
 */
export class AcmeRenewer extends pulumi.ComponentResource {
  readonly certsVolume: docker.Volume;
  readonly container: docker.Container;
  readonly accountUri: pulumi.Output<string>;
  readonly token: cloudflare.ApiToken;

  constructor(name: string, args: AcmeRenewerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:acme:AcmeRenewer", name, {}, opts);
    const { acme, hostname } = args;
    const parent = { parent: this };

    const accountKey = new tls.PrivateKey(`${name}-account-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
    const accountKeyPem = pulumi.secret(accountKey.privateKeyPem);
    const account = new AcmeAccount(
      `${name}-account`,
      { server: acme.server, email: acme.email, accountKeyPem },
      parent,
    );
    this.accountUri = account.uri;

    // Permission groups by name, as Cloudflare lists them for zone-scoped tokens (the name filter is URL-encoded).
    const groupIds = DNS_TOKEN_PERMISSIONS.map((group) =>
      cloudflare
        .getApiTokenPermissionGroupsListOutput(
          { name: encodeURIComponent(group), scope: PERMISSION_SCOPE_ZONE },
          parent,
        )
        .results.apply((results) => {
          const found = results.find((r) => r.name === group);
          if (!found)
            throw new Error(
              `mailstack:tls.acme: Cloudflare lists no "${group}" permission group for zone tokens; check that cloudflare:apiToken may read and create API tokens (User → API Tokens → Edit)`,
            );
          return found.id;
        }),
    );
    this.token = new cloudflare.ApiToken(
      `${name}-dns-token`,
      {
        name: `mailstack ${hostname} certificate renewal${acme.tokenRotation ? ` (${acme.tokenRotation})` : ""}`,
        policies: [
          pulumi
            .all([pulumi.output(args.zoneId), ...groupIds])
            .apply(([zoneId, ...ids]) => dnsTokenPolicy(zoneId, ids)),
        ],
      },
      // A changed name (tokenRotation) or scope mints a new token before the old one is deleted, so the renewer
      // always has one that works; the renewer container is replaced with the new file.
      { ...parent, replaceOnChanges: ["name", "policies"], deleteBeforeReplace: false },
    );

    const child = { parent: this, provider: args.provider };
    // Kept by `pulumi destroy` like the mail: a later `up` re-adopts them and need not issue again (the CA's
    // duplicate-certificate limit is 5 a week).
    const volume = (suffix: string) =>
      new docker.Volume(
        `${name}-${suffix}`,
        { name: `${args.containerName}-${suffix}` },
        { ...child, retainOnDelete: true },
      );
    const legoState = volume("lego");
    this.certsVolume = volume("live");

    const image = new docker.RemoteImage(`${name}-image`, { name: acme.image, keepLocally: true }, child);
    // Planned inside an apply over the token and the account key: the files stay a secret.
    const files = pulumi
      .output({ accountUri: account.uri, token: this.token.value, accountKeyPem })
      .apply((made) => planRenewerFiles({ hostname, acme }, made));
    this.container = new docker.Container(
      `${name}-container`,
      {
        name: args.containerName,
        image: image.imageId,
        entrypoints: ["/bin/sh", RENEWER.script],
        command: ["schedule"],
        envs: renewerEnv(),
        volumes: [
          { volumeName: legoState.name, containerPath: RENEWER.legoPath },
          { volumeName: this.certsVolume.name, containerPath: CERTS_MOUNT },
        ],
        uploads: containerUploads(files),
        restart: "unless-stopped",
        healthcheck: renewerHealthcheck(hostname),
        // The first `up` waits here until the first certificate is published; the mail server starts after.
        wait: true,
        waitTimeout: FIRST_ISSUANCE_TIMEOUT_SECONDS,
      },
      { ...child, replaceOnChanges: ["healthcheck"] },
    );
    this.registerOutputs({ accountUri: this.accountUri, containerId: this.container.id });
  }
}
