/**
 * An S3 endpoint on 127.0.0.1 for restic's S3 backend: @20minutes/s3rver, the maintained fork of s3rver
 * (a Koa S3 server storing objects as files). With it restic 0.14's minio-go client does path-style
 * bucket addressing, GetBucketLocation, aws-chunked streaming uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD),
 * ListObjectsV2, ranged GETs and deletes against a real HTTP server.
 *
 * One gap, hence `allowMismatchedSignatures`: s3rver drops the trailing slash of bucket-level paths
 * (`HEAD /bucket/`) when it rebuilds the canonical request, so it rejects minio-go's correct SigV4
 * signatures there. It still refuses an access key ID it does not know, so the credentials file restic
 * reads is exercised; the secret key is not checked.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("@20minutes/s3rver") as new (options: Record<string, unknown>) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

/** s3rver's built-in account. */
export const S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export interface FakeS3 {
  endpoint: string;
  bucket: string;
  /** Object keys stored under `prefix`, e.g. restic's `config`, `keys/…`, `data/…`. */
  keys(prefix: string): string[];
  stop(): Promise<void>;
}

export async function startFakeS3(bucket: string): Promise<FakeS3> {
  const directory = mkdtempSync(join(tmpdir(), "mailstack-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const walk = (dir: string, rel: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walk(join(dir, e.name), `${rel}${e.name}/`)
        : // s3rver keeps each object's metadata beside it as `<name>._S3rver_metadata.json`
          e.name.endsWith("._S3rver_object")
          ? [`${rel}${e.name.slice(0, -"._S3rver_object".length)}`]
          : [],
    );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    keys: (prefix) => walk(join(directory, bucket), "").filter((k) => k.startsWith(prefix)),
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
