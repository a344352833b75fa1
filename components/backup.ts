import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import { BackupConfig } from "../lib/config-types";
import { backupMounts, planBackupFiles, SCRIPT_PATH } from "../lib/render/backup";
import { containerUploads } from "./mailserver";

export interface BackupArgs {
  backup: BackupConfig;
  /** The mail server's hostname: the container's hostname and the snapshots' host. */
  hostname: string;
  /** The backup container's name. */
  containerName: string;
  mailData: docker.Volume;
  mailState: docker.Volume;
  /** The mail server's engine (undefined = the local one). */
  provider?: docker.Provider;
}

/**
 * Encrypted, deduplicated backups of the mail volumes: restic in its official image, run by the image's
 * BusyBox crond on the configured schedule. The repository key is generated once (or imported) and kept in
 * state; the key and S3 credentials reach the container only as 0600 files.
 */
export class Backup extends pulumi.ComponentResource {
  /** secret: the repository key. Without it no snapshot can be read. */
  readonly key: pulumi.Output<string>;
  readonly container?: docker.Container;

  constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:backup:Backup", name, {}, opts);
    const { backup } = args;
    // Created whatever the config says: switching backups off, or importing a key, must never delete the
    // generated key that may still be the only way into an existing repository.
    const generated = new random.RandomPassword(`${name}-key`, { length: 40, special: false }, { parent: this });
    this.key = backup.key ? pulumi.secret(backup.key) : pulumi.secret(generated.result);

    if (backup.enabled) {
      const child = { parent: this, provider: args.provider };
      const image = new docker.RemoteImage(`${name}-image`, { name: backup.image, keepLocally: true }, child);
      // Planned inside an apply over the secret key: the files (key and S3 credentials) stay a secret.
      const files = this.key.apply((key) => planBackupFiles({ host: args.hostname, backup }, key));

      this.container = new docker.Container(
        `${name}-container`,
        {
          name: args.containerName,
          image: image.imageId,
          // restic records the host name in every snapshot; a fixed one keeps them one group across replacements.
          hostname: args.hostname,
          entrypoints: ["/bin/sh", SCRIPT_PATH],
          command: ["schedule"],
          envs: [`TZ=${backup.timezone}`],
          volumes: backupMounts(backup.destination, { mailData: args.mailData.name, mailState: args.mailState.name }),
          uploads: containerUploads(files),
          // A container stopped by hand (during a restore) stays stopped across a daemon restart. A run cut
          // short by a stop leaves a stale lock and unused packs: the next run's unlock and prune clear them.
          restart: "unless-stopped",
        },
        child,
      );
    }
    this.registerOutputs({ key: this.key, containerId: this.container?.id });
  }
}
