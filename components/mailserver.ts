import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { HEALTHCHECK, MAIL_PORTS } from "../lib/render/container-env";
import { CERTS_MOUNT } from "../lib/render/acme";
import { LiveFileSpec, ServerFile, ServerPlan } from "../lib/plan/server-files";
import { APPLY_COMMAND, applyEnvironment, gatedStartCommand } from "../lib/render/live-apply";

export interface MailServerArgs {
  /**
   * What the server is handed (lib/plan/server-files.ts). The files hold credentials: an Output made inside an
   * `apply` over them, and so a secret.
   */
  plan: Omit<ServerPlan, "files"> & { files: pulumi.Input<ServerFile[]> };
  /** The files of the plan written into the running container (`liveFileSpecs`), known before the credentials. */
  live: LiveFileSpec[];
  image: string;
  containerName: string;
  /** The engine (`dockerEngine`); undefined = the local one (or DOCKER_HOST). */
  provider?: docker.Provider;
  /** `docker.host` from config, which the engine was made with: the live files go over the same connection. */
  dockerHost?: string;
  /** Fail2ban runs in the container and bans with nftables: it needs the NET_ADMIN capability. */
  fail2ban: boolean;
  /** An AAAA record is published: the container needs IPv6 (its own network and `::` port bindings). */
  ipv6: boolean;
  /**
   * tls.mode acme: the renewer's certificate volume, mounted read-only at /etc/letsencrypt, and the renewer
   * container, which is healthy once the first certificate is there; the mail server starts after it.
   */
  certificates?: { volume: docker.Volume; ready: pulumi.Resource };
}

/**
 * The Docker engine every container of the stack runs on: `ssh://user@server` (or tcp://, unix://) for a remote
 * engine; undefined = the local one. It was created inside MailServer before the renewer needed it too: the alias
 * keeps the provider (and so every container on it) in place.
 */
export function dockerEngine(
  name: string,
  host: string | undefined,
  parent: pulumi.Resource,
): docker.Provider | undefined {
  if (!host) return undefined;
  return new docker.Provider(
    `${name}-server-engine`,
    { host, sshOpts: ["-o", "BatchMode=yes"] },
    { parent, aliases: [{ parent: pulumi.createUrn(`${name}-server`, "mailstack:mailserver:MailServer", parent) }] },
  );
}

/** Where the mail data lives; these volumes outlive the container and `pulumi destroy`. */
const VOLUMES = [
  { suffix: "mail-data", containerPath: "/var/mail" },
  { suffix: "mail-state", containerPath: "/var/mail-state" },
  { suffix: "mail-logs", containerPath: "/var/log/mail" },
];

/**
 * The mail ports on every IPv4 address, and with IPv6 on every IPv6 address too. The provider binds `ip`
 * 0.0.0.0 (its default) to IPv4 only, so IPv6 needs its own `::` binding. Its read-back lists bindings by port,
 * IPv4 before IPv6, as `docker inspect` does; the same order here keeps the list (ForceNew) from changing.
 */
export function publishedPorts(ipv6: boolean): { internal: number; external: number; ip: string }[] {
  const ips = ipv6 ? ["0.0.0.0", "::"] : ["0.0.0.0"];
  return MAIL_PORTS.flatMap((port) => ips.map((ip) => ({ internal: port, external: port, ip })));
}

/** The name a live file's Command gets after the component's: `postfix-accounts`, `sender-login-maps`. */
export function liveFileKey(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1).replace(/\.[a-z]+$/, "");
}

/** Planned files as the docker provider's `uploads`. */
export function containerUploads(
  files: pulumi.Input<ServerFile[]>,
): pulumi.Output<docker.types.input.ContainerUpload[]> {
  return pulumi.output(files).apply((fs) => fs.map((f) => ({ file: f.path, content: f.content, permissions: f.mode })));
}

/**
 * docker-mailserver on the local engine or a remote one over SSH, running the server plan. Files read at start
 * only (OpenDKIM's, the certificate, postfix-main.cf) are uploaded into the container before it starts; a
 * change to them, to the image, environment or ports replaces the container, which is safe because mail
 * lives in the retained named volumes. The live files (accounts, aliases, blocked addresses, sender logins,
 * relay credentials) are written into the running container by one Command each (lib/render/live-apply.ts):
 * a change to them updates that Command and leaves the container, its connections and its queue alone.
 */
export class MailServer extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly volumes: docker.Volume[];
  readonly network?: docker.Network;
  /** The engine the container runs on (undefined = the local one); the backup container shares it. */
  readonly provider?: docker.Provider;
  /** The Commands that write the live files into the running container, in `args.live` order. */
  readonly liveFiles: command.local.Command[];

  constructor(name: string, args: MailServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:mailserver:MailServer", name, {}, opts);
    const provider = (this.provider = args.provider);
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

    // docker-mailserver's IPv6 page (docs/content/config/advanced/ipv6.md): on Docker's default IPv4 bridge an
    // IPv6 connection fails, hangs or arrives from the gateway's address (breaking SPF, Fail2ban and trust in
    // mynetworks). The fix it gives is a user-defined network with IPv6 enabled. No IPAM subnet is given: Docker
    // 27+ allocates a ULA /64 itself (moby#47853) and ip6tables is on by default, and the provider reads
    // ipam_config back (Optional+Computed, ForceNew) — a partial one would replace the network on every up.
    this.network = args.ipv6
      ? new docker.Network(
          `${name}-network`,
          { name: `${args.containerName}-network`, driver: "bridge", ipv6: true },
          child,
        )
      : undefined;

    this.container = new docker.Container(
      `${name}-container`,
      {
        name: args.containerName,
        image: image.imageId,
        hostname: args.plan.hostname,
        envs: args.plan.env,
        ports: publishedPorts(args.ipv6),
        networksAdvanced: this.network && [{ name: this.network.name }],
        // Capability names as Docker stores them (CAP_ prefix), so the provider's read-back matches.
        capabilities: args.fail2ban ? { adds: ["CAP_NET_ADMIN"] } : undefined,
        volumes: [
          ...this.volumes.map((vol, i) => ({ volumeName: vol.name, containerPath: VOLUMES[i].containerPath })),
          ...(args.certificates
            ? [{ volumeName: args.certificates.volume.name, containerPath: CERTS_MOUNT, readOnly: true }]
            : []),
        ],
        // The live files are not uploads (a changed upload replaces the container: "upload" is ForceNew in
        // terraform-provider-docker v4.5.0), so docker-mailserver's start waits for the Commands to write them.
        uploads: containerUploads(pulumi.output(args.plan.files).apply((fs) => fs.filter((f) => !f.live))),
        command: gatedStartCommand(args.live.map((f) => f.path)),
        restart: "always",
        stopTimeout: 60,
        destroyGraceSeconds: 60,
        healthcheck: HEALTHCHECK,
      },
      // A healthcheck change is neither applied in place nor forces a new container by itself.
      {
        ...child,
        replaceOnChanges: ["healthcheck"],
        dependsOn: args.certificates ? [args.certificates.ready] : [],
      },
    );

    // One Command per live file: `pulumi preview` names the file a change rewrites, and an unchanged file runs
    // nothing. The content is stdin (a secret where the file holds credentials: the provider keeps a secret
    // input secret in state); `triggers` holds the container's ID, so a new container gets every file again.
    const container = this.container;
    this.liveFiles = args.live.map((spec) => {
      const content = pulumi
        .output(args.plan.files)
        // A relay password that resolves to nothing (a Resend key not minted yet) leaves the plan without the
        // credentials file: it is written empty, so the start gate still opens.
        .apply((fs) => fs.find((f) => f.path === spec.path)?.content ?? "");
      return new command.local.Command(
        `${name}-${liveFileKey(spec.path)}`,
        {
          create: APPLY_COMMAND,
          stdin: spec.mode === "0600" ? pulumi.secret(content) : pulumi.unsecret(content),
          environment: container.name.apply((n) => applyEnvironment(spec, n, args.dockerHost)),
          triggers: [container.id],
          addPreviousOutputInEnv: false,
        },
        { parent: this, dependsOn: [container] },
      );
    });
    this.registerOutputs({ containerId: this.container.id });
  }

  /** One of the named volumes, e.g. `mail-data` (mounted at /var/mail). */
  volume(suffix: "mail-data" | "mail-state" | "mail-logs"): docker.Volume {
    return this.volumes[VOLUMES.findIndex((v) => v.suffix === suffix)];
  }
}
