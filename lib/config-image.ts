/**
 * `docker.image` is part of the contract: every file mailstack writes (postfix-accounts.cf, postfix-virtual.cf,
 * postfix-sasl-password.cf, the OpenDKIM tables, postfix-main.cf) is in docker-mailserver 15's formats, and 16
 * changed the Dovecot configuration. So the image must be docker-mailserver at a pinned 15.x.y release.
 */

/** The docker-mailserver release whose daemons match Debian 12 (Postfix 3.7, Dovecot 2.3, OpenDKIM 2.11). */
export const DEFAULT_IMAGE = "ghcr.io/docker-mailserver/docker-mailserver:15.1.0";

/** Where docker-mailserver is published: GHCR (or a mirror keeping its path) and Docker Hub. */
const REPOSITORIES = ["docker-mailserver/docker-mailserver", "mailserver/docker-mailserver"];
const RELEASE_15 = /^15\.\d+\.\d+$/;

/** What is wrong with an image reference (after `docker.image `), or undefined when it is a pinned 15.x.y. */
export function imageProblem(image: string): string | undefined {
  const shown = JSON.stringify(image);
  const [name, digest] = image.split("@", 2);
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  const repository = (colon > slash ? name.slice(0, colon) : name).toLowerCase();
  if (!REPOSITORIES.some((r) => repository === r || repository.endsWith(`/${r}`)))
    return `is ${shown}, not docker-mailserver; mailstack writes docker-mailserver 15's configuration files, use ${DEFAULT_IMAGE} (or mailserver/docker-mailserver:15.x.y from Docker Hub)`;
  if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest))
    return `is ${shown}; a digest is @sha256: followed by 64 hex digits`;
  if (tag === undefined)
    return digest
      ? `is ${shown}, a digest without a tag, so its version cannot be checked; write it with its release tag: ${repository}:15.1.0@${digest}`
      : `is ${shown} without a tag, which Docker pulls as :latest (a moving tag that already means docker-mailserver 16, with another Dovecot configuration); pin a 15.x.y release such as ${DEFAULT_IMAGE}`;
  if (RELEASE_15.test(tag)) return undefined;
  if (/^v15\.\d+\.\d+$/.test(tag))
    return `is ${shown}; docker-mailserver's image tags have no "v": use :${tag.slice(1)}`;
  if (/^15(\.\d+)?$/.test(tag))
    return `is ${shown}, a moving tag that follows new releases; pin one release such as :15.1.0 so every deployment runs the same image`;
  return `is ${shown}, tagged ${JSON.stringify(tag)}; mailstack's file formats are docker-mailserver 15's, so pin a 15.x.y release such as ${DEFAULT_IMAGE}${tag === "latest" || tag === "edge" ? ` (:${tag} moves to new major versions)` : ""}`;
}
