export type { S3AdapterOptions, S3Credentials, S3PresignRequest } from './options'
export { type S3Adapter, s3Adapter } from './s3-adapter'
