/**
 * How a config change reaches the running docker-mailserver without a new container: the command that
 * writes one file into it (run by @pulumi/command's local Command where `pulumi up` runs), and the start
 * command that holds docker-mailserver back until every such file is there.
 *
 * The file's content travels on stdin only: through `docker exec -i` into the container, never on a command
 * line (so no password shows in `ps`, in Pulumi's log of the command, or in an error message quoting it).
 * Everything else is in the command's environment: which container, which file, its mode and how the running
 * server takes it (lib/plan/server-files.ts `LiveApply`).
 */
import type { LiveFileSpec } from "../plan/server-files";

/** docker-mailserver's change-detection state: `<sha512>  <path>` per watched file (helpers/change-detection.sh). */
export const DMS_CHECKSUMS = "/tmp/docker-mailserver-config-chksum";
/** Written by the start gate once every live file is there and docker-mailserver's own start begins. */
export const STARTED_MARKER = "/run/mailstack-started";
/** The image's CMD (docker-mailserver v15.1.0 Dockerfile; its ENTRYPOINT, dumb-init, stays). */
const DMS_CMD = "supervisord -c /etc/supervisor/supervisord.conf";
/** How long the command waits for docker-mailserver to take a change (its poll is 2 s; a reload takes ~1 s). */
export const APPLY_TIMEOUT_SECONDS = 120;

/**
 * Runs inside the container, as `sh -c SCRIPT mailstack-apply FILE MODE HOW`, the content on stdin.
 * The new content goes to a temporary file in the same directory and is renamed over the old one: rename(2)
 * is atomic, so docker-mailserver, Postfix and Dovecot read either the old file or the new one, never part.
 * Then, with docker-mailserver running:
 * - change-detector: wait until its detector has stored the new file's hash, which it does after it has
 *   regenerated what derives from the file and reloaded Postfix and Dovecot (check-for-changes.sh
 *   `_check_for_changes`: the hash file is replaced last);
 * - accounts: the same, then `doveadm kick` every login whose line changed or went away (its password changed
 *   or the account was removed): the reload leaves sessions under way alone (dovecot.cf, shutdown_clients = no),
 *   so these are ended by name — a leaked password stops working for sessions opened with it too;
 * - postfix-reload: `postfix reload` (new smtpd processes read the table; sessions under way finish as they
 *   are). Skipped while Postfix is not running (a container restart): it reads the table when it starts.
 * Before the first start (the gate still waiting) there is nothing to reload: docker-mailserver's setup
 * reads the file. During the first start, it waits for the setup to finish and then applies the file as above.
 */
export const IN_CONTAINER_SCRIPT = `set -eu
file=$1 mode=$2 how=$3
dir=\${file%/*}
mkdir -p "$dir"
tmp=$(mktemp "$dir/.mailstack-XXXXXX")
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chmod "$mode" "$tmp"
ended=
if [ "$how" = accounts ] && [ -f "$file" ]; then
  ended=$(grep -vxF -f "$tmp" "$file" | cut -d'|' -f1 | sort -u || true)
fi
mv -f "$tmp" "$file"
trap - EXIT
waited=0
tick() {
  waited=$((waited + 1))
  if [ "$waited" -gt ${APPLY_TIMEOUT_SECONDS * 10} ]; then
    echo "mailstack: $file is written, but $1 after ${APPLY_TIMEOUT_SECONDS} s; see the container's docker logs" >&2
    exit 1
  fi
  sleep 0.1
}
if [ ! -e ${DMS_CHECKSUMS} ]; then
  if [ ! -e ${STARTED_MARKER} ]; then
    echo "mailstack: $file written; docker-mailserver starts with it"
    exit 0
  fi
  until [ -e ${DMS_CHECKSUMS} ]; do tick "docker-mailserver has not finished its first start"; done
fi
case "$how" in
  change-detector | accounts)
    line="$(sha512sum -- "$file" | cut -d' ' -f1)  $file"
    until grep -qxF "$line" ${DMS_CHECKSUMS}; do tick "docker-mailserver's change detector has not applied it"; done
    echo "mailstack: $file applied (docker-mailserver's change detector reloaded Postfix and Dovecot)"
    for login in $ended; do
      doveadm kick "$login" >/dev/null 2>&1 || true
      echo "mailstack: ended the IMAP sessions of $login (password changed or account removed)"
    done ;;
  postfix-reload)
    if postfix status >/dev/null 2>&1; then
      postfix reload
      echo "mailstack: $file applied (postfix reload)"
    else
      echo "mailstack: $file written; Postfix is not running and reads it when it starts"
    fi ;;
  *)
    echo "mailstack: unknown way to apply $file: $how" >&2
    exit 2 ;;
esac
`;

/**
 * The command @pulumi/command runs (`/bin/sh -c`) where `pulumi up` runs. It talks to the engine the docker
 * provider talks to: DOCKER_HOST from the environment (set by the Command to `docker.host` when config names
 * one), else the provider's own default, the local socket (terraform-provider-docker v4.5.0
 * internal/provider/provider.go, "host" DefaultFunc) — not the docker CLI's current context, which may differ.
 */
export const APPLY_COMMAND = `set -eu
if ! command -v docker >/dev/null 2>&1; then
  echo "mailstack: no docker CLI on PATH. mailstack writes $MAILSTACK_FILE into the running container with docker exec: install the Docker CLI where pulumi up runs." >&2
  exit 127
fi
export DOCKER_HOST="\${DOCKER_HOST:-unix:///var/run/docker.sock}"
exec docker exec -i "$MAILSTACK_CONTAINER" sh -c '${IN_CONTAINER_SCRIPT.replace(/'/g, `'\\''`)}' mailstack-apply "$MAILSTACK_FILE" "$MAILSTACK_MODE" "$MAILSTACK_APPLY"
`;

/** The environment APPLY_COMMAND runs with for one file (nothing secret: the content goes on stdin). */
export function applyEnvironment(spec: LiveFileSpec, container: string, dockerHost?: string): Record<string, string> {
  return {
    MAILSTACK_CONTAINER: container,
    MAILSTACK_FILE: spec.path,
    MAILSTACK_MODE: spec.mode,
    MAILSTACK_APPLY: spec.live,
    ...(dockerHost ? { DOCKER_HOST: dockerHost } : {}),
  };
}

/**
 * The container's start command: wait until every live file is there, then start docker-mailserver as its
 * image would. The files are written by the Commands right after the container is created, so
 * docker-mailserver never starts without its accounts (no 120-second wait for an account, setup.d/dovecot.sh)
 * and never reads a table before it is written; a container created later (a new image) gets the current files
 * the same way. On a restart the files are already there and it starts at once.
 */
export function gatedStartCommand(livePaths: string[]): string[] {
  const gate = [
    'for f in "$@"; do',
    '  [ -e "$f" ] || echo "mailstack: waiting for $f (pulumi up writes it with docker exec)"',
    '  until [ -e "$f" ]; do sleep 0.2; done',
    "done",
    `: >${STARTED_MARKER}`,
    `exec ${DMS_CMD}`,
  ].join("\n");
  return ["/bin/sh", "-c", gate, "mailstack-start", ...livePaths];
}
