import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { startS3rver } from './s3rver'
import { startVerifyingS3 } from './verifying-s3'

export const bucket = 'autosync-test'
export const accessKeyId = 'AKIDAUTOSYNCTEST'
export const secretAccessKey = 'autosync-test-secret-key'

/** s3rver behind the verifying layer, with one account and the test bucket (CORS open). */
export async function startHarness(s3rverScript?: string) {
  const s3rver = await startS3rver([bucket], s3rverScript)
  const layer = await startVerifyingS3(s3rver.url)
  layer.accounts.set(accessKeyId, { secretAccessKey })
  // The AWS SDK goes through the same verifying layer: its signatures must pass too.
  const client = new S3Client({
    endpoint: layer.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  })
  return {
    s3rver,
    layer,
    client,
    /** Every key under `prefix`, as the AWS SDK lists them. */
    async keys(prefix: string): Promise<string[]> {
      const keys: string[] = []
      let token: string | undefined
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }),
        )
        keys.push(...(page.Contents ?? []).map((item) => item.Key!))
        token = page.NextContinuationToken
      } while (token)
      return keys
    },
    async read(key: string): Promise<unknown> {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      return JSON.parse(await object.Body!.transformToString())
    },
    async close() {
      client.destroy()
      await layer.close()
      await s3rver.close()
    },
  }
}

export type Harness = Awaited<ReturnType<typeof startHarness>>
