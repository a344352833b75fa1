/** `docker` and `fail2ban`: which Docker engine runs the server, which image, the container's name and capabilities. */
import { RawConfig, Scope, show } from "./config-reader";
import { DEFAULT_IMAGE, imageProblem } from "./config-image";

export const DOCKER_KEYS = ["docker", "fail2ban"];

export interface DockerSettings {
  host?: string;
  image: string;
  containerName: string;
}

export function readDocker(scope: Scope, raw: RawConfig): DockerSettings {
  const s = scope.object("docker");
  s?.only(["host", "image", "containerName"]);
  const host = s?.string("host");
  if (host && !/^(ssh:\/\/[^@\s]+@[^\s/]+|tcp:\/\/\S+|unix:\/\/\/\S+)$/.test(host))
    s!.fail(
      "host",
      `is ${show(host)}; expected ssh://user@server (remote engine over SSH), tcp://…, unix:///…, or empty for the local engine`,
    );
  else if (host?.startsWith("tcp://") && !dockerTls(raw.environment))
    s!.fail(
      "host",
      `is ${show(host)}, a Docker API without TLS: whoever reaches that port controls the server as root. Use ssh://user@server, or give the Docker client its TLS material (DOCKER_CERT_PATH with ca.pem, cert.pem and key.pem, or DOCKER_CA_MATERIAL, DOCKER_CERT_MATERIAL and DOCKER_KEY_MATERIAL) for a daemon that requires it`,
    );
  const image = s?.string("image") ?? DEFAULT_IMAGE;
  const badImage = imageProblem(image);
  if (badImage) s!.fail("image", badImage);
  const containerName = s?.string("containerName") ?? "mailserver";
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(containerName))
    s!.fail("containerName", `is ${show(containerName)}; expected letters, digits, '_', '.', '-'`);
  return { host, image, containerName };
}

/**
 * Whether the docker provider will speak TLS to a tcp:// host: it reads these variables when its own settings are
 * empty, and with a CA it also verifies the daemon (terraform-provider-docker v4.5.0, internal/provider/config.go
 * MakeClient and provider.go; without a CA it skips verification, which we do not count as TLS).
 */
function dockerTls(env: RawConfig["environment"]): boolean {
  return !!(env.DOCKER_CERT_PATH || (env.DOCKER_CA_MATERIAL && env.DOCKER_CERT_MATERIAL && env.DOCKER_KEY_MATERIAL));
}

/** `fail2ban`: bans addresses after repeated failed logins (needs NET_ADMIN, which MailServer adds with it). */
export function readFail2ban(scope: Scope): boolean {
  return scope.boolean("fail2ban") ?? true;
}
