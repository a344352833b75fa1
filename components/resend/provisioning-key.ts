/**
 * Which Resend key the dynamic providers call with. Pulumi hands a dynamic provider the whole stack
 * configuration in `configure` (pulumi/pulumi #17697, CLI 3.139+; pkg/resource/deploy/target.go
 * GetPackageConfig passes dynamic providers every key, namespaced), before any create, update, refresh's read
 * or destroy's delete. So every operation uses the key the stack has *now*: after `resendApiKey` is rotated
 * (and the old key revoked in Resend), refresh and destroy keep working, and the change itself is no diff —
 * nothing to replace, nothing for a preview to show.
 *
 * The key stored with the resource (its `apiKey` input, a secret output) is only the fallback for a stack that
 * no longer has one, e.g. provisioning switched off: the delete that follows still revokes the sending key.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResendConnection } from "../../lib/resend/api";

/** State a provider keeps between `configure` and its other methods (one deserialized copy per process). */
export interface ProvisioningKeyHolder {
  configuredApiKey?: string;
}

/** `configure` for every Resend provider: `mailstack:resendApiKey` (or `<project>:resendApiKey`), if set. */
export async function configureProvisioningKey(
  this: ProvisioningKeyHolder,
  req: pulumi.dynamic.ConfigureRequest,
): Promise<void> {
  this.configuredApiKey = req.config.get("resendApiKey") || req.config.get("mailstack:resendApiKey") || undefined;
}

/** The connection for one call: the stack's current key, else the one stored with the resource. */
export function resendConnection(
  holder: ProvisioningKeyHolder,
  props: { apiKey?: string; baseUrl?: string },
): ResendConnection {
  return { apiKey: holder.configuredApiKey || props.apiKey || "", baseUrl: props.baseUrl };
}
