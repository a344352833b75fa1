#!/bin/bash
# docker-mailserver v15.1.0, verbatim excerpts (MIT licence, https://github.com/docker-mailserver/docker-mailserver):
#   target/scripts/helpers/change-detection.sh  _monitored_files_checksums (what the change detector hashes)
#   target/scripts/helpers/ssl.sh               _find_letsencrypt_domain, _find_letsencrypt_key (SSL_TYPE=letsencrypt)
# The tests source this to prove the renewer's files land where docker-mailserver looks, and that a renewal
# changes what its change detector sees (check-for-changes.sh then reloads Postfix and Dovecot).
# Stand-ins for the helpers these call:
function _log() { echo "[${1}] ${2}" >&2; }
function _dms_panic__misconfigured() { echo "panic: misconfigured ${1} (${2})" >&2; exit 1; }

function _monitored_files_checksums() {
  # If a wildcard path pattern (or an empty ENV) would yield an invalid path
  # or no results, `shopt -s nullglob` prevents it from being added.
  shopt -s nullglob
  declare -a STAGING_FILES CHANGED_FILES

  # Supported user provided configs:
  local DMS_DIR=/tmp/docker-mailserver
  if [[ -d ${DMS_DIR} ]]; then
    STAGING_FILES+=(
      "${DMS_DIR}/postfix-accounts.cf"
      "${DMS_DIR}/postfix-virtual.cf"
      "${DMS_DIR}/postfix-regexp.cf"
      "${DMS_DIR}/postfix-aliases.cf"
      "${DMS_DIR}/postfix-relaymap.cf"
      "${DMS_DIR}/postfix-sasl-password.cf"
      "${DMS_DIR}/dovecot-quotas.cf"
      "${DMS_DIR}/dovecot-masters.cf"
    )

    # Check whether Rspamd is used and if so, monitor it's changes as well
    if [[ ${ENABLE_RSPAMD} -eq 1 ]] && [[ -d ${RSPAMD_DMS_D} ]]; then
      readarray -d '' STAGING_FILES_RSPAMD < <(find "${RSPAMD_DMS_D}" -type f -print0)
      STAGING_FILES+=("${STAGING_FILES_RSPAMD[@]}")
    fi
  fi

  # SSL certs:
  if [[ ${SSL_TYPE:-} == 'manual' ]]; then
    # When using "manual" as the SSL type,
    # the following variables may contain the certificate files
    STAGING_FILES+=(
      "${SSL_CERT_PATH:-}"
      "${SSL_KEY_PATH:-}"
      "${SSL_ALT_CERT_PATH:-}"
      "${SSL_ALT_KEY_PATH:-}"
    )
  elif [[ ${SSL_TYPE:-} == 'letsencrypt' ]]; then
    # React to any cert changes within the following LetsEncrypt locations:
    STAGING_FILES+=(
      /etc/letsencrypt/acme.json
      /etc/letsencrypt/live/"${SSL_DOMAIN}"/*.pem
      /etc/letsencrypt/live/"${HOSTNAME}"/*.pem
      /etc/letsencrypt/live/"${DOMAINNAME}"/*.pem
    )
  fi

  # If the file actually exists, add to CHANGED_FILES
  # and generate a content hash entry:
  for FILE in "${STAGING_FILES[@]}"; do
    [[ -f "${FILE}" ]] && CHANGED_FILES+=("${FILE}")
  done

  if [[ -n ${CHANGED_FILES:-} ]]; then
    sha512sum -- "${CHANGED_FILES[@]}"
  fi
}

# Identify a valid letsencrypt FQDN folder to use.
function _find_letsencrypt_domain() {
  local LETSENCRYPT_DOMAIN

  if [[ -n ${SSL_DOMAIN} ]] && [[ -e /etc/letsencrypt/live/$(_strip_wildcard_prefix "${SSL_DOMAIN}")/fullchain.pem ]]; then
    LETSENCRYPT_DOMAIN=$(_strip_wildcard_prefix "${SSL_DOMAIN}")
  elif [[ -e /etc/letsencrypt/live/${HOSTNAME}/fullchain.pem ]]; then
    LETSENCRYPT_DOMAIN=${HOSTNAME}
  elif [[ -e /etc/letsencrypt/live/${DOMAINNAME}/fullchain.pem ]]; then
    LETSENCRYPT_DOMAIN=${DOMAINNAME}
  else
    _log 'error' "Cannot find a valid DOMAIN for '/etc/letsencrypt/live/<DOMAIN>/', tried: '${SSL_DOMAIN}', '${HOSTNAME}', '${DOMAINNAME}'"
    _dms_panic__misconfigured 'LETSENCRYPT_DOMAIN' '_find_letsencrypt_domain'
  fi

  echo "${LETSENCRYPT_DOMAIN}"
}

# Verify the FQDN folder also includes a valid private key (`privkey.pem` for Certbot, `key.pem` for extraction by Traefik)
function _find_letsencrypt_key() {
  local LETSENCRYPT_KEY

  local LETSENCRYPT_DOMAIN=${1}
  if [[ -z ${LETSENCRYPT_DOMAIN} ]]; then
    _dms_panic__misconfigured 'LETSENCRYPT_DOMAIN' '_find_letsencrypt_key'
  fi

  if [[ -e /etc/letsencrypt/live/${LETSENCRYPT_DOMAIN}/privkey.pem ]]; then
    LETSENCRYPT_KEY='privkey'
  elif [[ -e /etc/letsencrypt/live/${LETSENCRYPT_DOMAIN}/key.pem ]]; then
    LETSENCRYPT_KEY='key'
  else
    _log 'error' "Cannot find key file ('privkey.pem' or 'key.pem') in '/etc/letsencrypt/live/${LETSENCRYPT_DOMAIN}/'"
    _dms_panic__misconfigured 'LETSENCRYPT_KEY' '_find_letsencrypt_key'
  fi

  echo "${LETSENCRYPT_KEY}"
}

# Remove the `*.` prefix if it exists, else returns the input value
function _strip_wildcard_prefix {
  [[ ${1} == "*."* ]] && echo "${1:2}" || echo "${1}"
}
