import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { HEALTHCHECK, MAIL_PORTS } from "../lib/render/container-env";

export interface ServerFile {
  /** Absolute path inside the container. */
  path: string;
  content: pulumi.Input<string>;
  /** Octal mode; private keys and password files are 0600. */
  permissions: string;
}

export interface MailServerArgs {
  hostname: string;
  image: string;
  containerName: string;
  /** `ssh://user@server` for a remote engine; undefined = the local engine (or DOCKER_HOST). */
  dockerHost?: string;
  /** `KEY=value` pairs (no secrets). */
  envs: string[];
  /** Configuration files present before the first start. */
  files: ServerFile[];
}

/** Where the mail data lives; these volumes outlive the container and `pulumi destroy`. */
const VOLUMES = [
  { suffix: "mail-data", containerPath: "/var/mail" },
  { suffix: "mail-state", containerPath: "/var/mail-state" },
  { suffix: "mail-logs", containerPath: "/var/log/mail" },
];

/**
 * docker-mailserver on the local engine or a remote one over SSH. The configuration files are uploaded
 * into the container before it starts (no 120-second account window); a change to any of them replaces the
 * container, which is safe because mail lives in the retained named volumes.
 */
export class MailServer extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly volumes: docker.Volume[];

  constructor(name: string, args: MailServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:mailserver:MailServer", name, {}, opts);
    const provider = args.dockerHost
      ? new docker.Provider(
          `${name}-engine`,
          { host: args.dockerHost, sshOpts: ["-o", "BatchMode=yes"] },
          { parent: this },
        )
      : undefined;
    const child = { parent: this, provider };

    const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, child);
    this.volumes = VOLUMES.map(
      (v) =>
        new docker.Volume(
          `${name}-${v.suffix}`,
          { name: `${args.containerName}-${v.suffix}` },
          // Never deleted by Pulumi: `pulumi destroy` leaves the mail on the host, and an `up` re-adopts it by name.
          { ...child, retainOnDelete: true },
        ),
    );

    this.container = new docker.Container(
      `${name}-container`,
      {
        name: args.containerName,
        image: image.imageId,
        hostname: args.hostname,
        envs: args.envs,
        ports: MAIL_PORTS.map((port) => ({ internal: port, external: port })),
        volumes: this.volumes.map((vol, i) => ({ volumeName: vol.name, containerPath: VOLUMES[i].containerPath })),
        uploads: args.files.map((f) => ({ file: f.path, content: f.content, permissions: f.permissions })),
        restart: "always",
        stopTimeout: 60,
        destroyGraceSeconds: 60,
        healthcheck: HEALTHCHECK,
      },
      // A healthcheck change is neither applied in place nor forces a new container by itself.
      { ...child, replaceOnChanges: ["healthcheck"] },
    );
    this.registerOutputs({ containerId: this.container.id });
  }
}
