import { SENDER_LOGIN_MAPS_PATH } from "./dms-paths";

/**
 * `postfix-main.cf`, which docker-mailserver appends to main.cf at start (setup.d/postfix.sh,
 * `__postfix__setup_override_configuration`, after `_setup_spoof_protection`): its own sender login maps,
 * unchanged, plus ours.
 */
export function renderPostfixMain(): string {
  const maps = [
    "texthash:/etc/postfix/virtual",
    "hash:/etc/aliases",
    "pcre:/etc/postfix/maps/sender_login_maps.pcre",
    "pcre:/etc/postfix/regexp",
    `pcre:${SENDER_LOGIN_MAPS_PATH}`,
  ];
  return [
    "# mailstack: docker-mailserver's sender login maps (SPOOF_PROTECTION=1) plus who receives each address.\n",
    `smtpd_sender_login_maps = unionmap:{ ${maps.join(", ")} }\n`,
  ].join("");
}
