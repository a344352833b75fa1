/**
 * Turns a test config (keys without `mailstack:`, objects as objects) into what Pulumi stores: namespaced
 * keys with string values, objects as JSON text. `cloudflare:…` keys keep their own namespace.
 */
export function toPulumiConfig(
  config: Record<string, unknown>,
  secrets: string[],
): { values: Record<string, string>; secretKeys: string[] } {
  const ns = (k: string) => (k.includes(":") ? k : `mailstack:${k}`);
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined) continue;
    values[ns(k)] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return { values, secretKeys: secrets.map(ns) };
}
