#!/bin/sh
# Test double for lego's Cloudflare DNS provider, run through lego's `exec` provider (Debian's lego 4.9.1 is
# built without the Cloudflare provider: debian/rules disables it until cloudflare-go is packaged). It makes the
# calls lego's Cloudflare client makes, with the same token file: the zone by name, then the TXT record added
# (present) or deleted (cleanup), against the API at api.cloudflare.com (the Cloudflare stand-in in the tests).
#   cloudflare-exec.sh present|cleanup FQDN VALUE
set -eu
token=$(cat "$CLOUDFLARE_DNS_API_TOKEN_FILE")
api=https://api.cloudflare.com/client/v4
name=${2%.}
call() { curl -sS --fail-with-body -H "Authorization: Bearer $token" -H "Content-Type: application/json" "$@"; }
zone=
domain=${name#*.}
while [ -z "$zone" ] && [ "${domain#*.}" != "$domain" ]; do
  zone=$(call "$api/zones?name=$domain" | sed -n 's/.*"result":\[{"id":"\([0-9a-f]*\)".*/\1/p')
  [ -n "$zone" ] || domain=${domain#*.}
done
[ -n "$zone" ] || { echo "no Cloudflare zone visible to the token for $name" >&2; exit 1; }
case "$1" in
  present)
    call -X POST "$api/zones/$zone/dns_records" -d "{\"type\":\"TXT\",\"name\":\"$name\",\"content\":\"$3\",\"ttl\":120}" >/dev/null ;;
  cleanup)
    for id in $(call "$api/zones/$zone/dns_records?type=TXT&name=$name" | grep -o '"id":"[0-9a-f]*"' | cut -d'"' -f4); do
      call -X DELETE "$api/zones/$zone/dns_records/$id" >/dev/null
    done ;;
  *) exit 2 ;;
esac
