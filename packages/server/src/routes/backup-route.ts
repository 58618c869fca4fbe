import { requireOwnUser } from '../auth/authenticate'
import { HttpError } from '../http/http-error'
import { parseJsonBody, requireJsonContentType } from '../http/parse-json'
import { readBody } from '../http/read-body'
import { sendJson, sendJsonText } from '../http/respond'
import { hashBody } from '../sync/body-hash'
import { parseBackupBody } from '../validation/backup-body'
import type { RouteContext } from './context'

/** `POST /backup`: stores a full snapshot, idempotent per backupId. */
export async function handleBackup(context: RouteContext): Promise<void> {
  const { request, userId } = context
  requireJsonContentType(request.headers['content-type'])
  // Each backup is held and parsed whole: a few at once bound the memory and the event loop's pauses.
  if (!context.backups.enter()) {
    throw new HttpError(429, 'backups-busy', 'too many backups are being stored right now; retry shortly', {
      headers: { 'Retry-After': '1' },
    })
  }
  try {
    await storeBackup(context, await readBody(request, context.limits.maxBackupBytes), userId)
  } finally {
    context.backups.leave()
  }
}

async function storeBackup(context: RouteContext, body: Buffer, userId: string): Promise<void> {
  // Every table and field is kept as sent, `constructor`, `prototype` and `__proto__` included.
  const backup = parseBackupBody(parseJsonBody(body, true), context.limits.maxDepth)
  requireOwnUser(backup.userId, userId)
  const snapshot = { ...backup, userId }
  const records = Object.values(backup.tables).reduce((total, rows) => total + rows.length, 0)
  const requestHash = hashBody(body)
  const stored = await context.store.saveBackup(userId, {
    backupId: backup.backupId,
    requestHash,
    snapshot: JSON.stringify(snapshot),
    records,
  })
  if (stored.requestHash !== requestHash) {
    throw new HttpError(422, 'idempotency-key-reused', 'this backupId was already used with a different body')
  }
  sendJson(context.response, 201, {
    backupId: stored.backupId,
    records: stored.records,
    location: `/backup/${encodeURIComponent(stored.backupId)}`,
  })
}

/** `GET /backup/latest` and `GET /backup/{backupId}`. */
export async function handleRestore(context: RouteContext): Promise<void> {
  const stored = await context.store.readBackup(context.userId, context.backupId ?? null)
  if (!stored) throw new HttpError(404, 'not-found', 'no such backup for this user')
  sendJsonText(context.response, 200, `{"snapshot":${stored.snapshot}}`)
}
