/**
 * The renewer's Cloudflare token, least privilege: lego's Cloudflare provider looks the zone up by name
 * (`GET /zones?name=…`, Zone Read) and adds and removes the `_acme-challenge` TXT record (DNS Write), in this
 * zone only (lego docs, providers/dns/cloudflare: "an API token with both Zone:Read and DNS:Edit permission").
 */

/** Permission groups, by the names Cloudflare gives them for zone-scoped tokens. */
export const DNS_TOKEN_PERMISSIONS = ["DNS Write", "Zone Read"];
/** The scope those groups are listed under (`getApiTokenPermissionGroupsList` filter). */
export const PERMISSION_SCOPE_ZONE = "com.cloudflare.api.account.zone";

/** One `allow` policy on the zone `zoneId` alone, with the groups sorted so the token never reorders. */
export function dnsTokenPolicy(zoneId: string, permissionGroupIds: string[]) {
  return {
    effect: "allow",
    permissionGroups: [...permissionGroupIds].sort().map((id) => ({ id })),
    resources: JSON.stringify({ [`${PERMISSION_SCOPE_ZONE}.${zoneId}`]: "*" }),
  };
}
