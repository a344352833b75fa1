/**
 * Where docker-mailserver 15.1 reads what mailstack hands it. Formats of the files: shared/reference/
 * docker-mailserver.md §2 and §3.
 */

/** The config directory (the FILE provisioner's tables, OpenDKIM's files); read at every start. */
export const CONFIG_DIR = "/tmp/docker-mailserver";
/** Where OpenDKIM's files end up after docker-mailserver copies `opendkim/` at start. */
export const OPENDKIM_DIR = "/etc/opendkim";
/** mailstack's own table, in the config directory, which docker-mailserver leaves alone. */
export const SENDER_LOGIN_MAPS_PATH = `${CONFIG_DIR}/mailstack/sender-login-maps.pcre`;
