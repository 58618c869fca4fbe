import { requireOwnUser } from '../auth/authenticate'
import { HttpError } from '../http/http-error'
import { parseJsonBody, requireJsonContentType } from '../http/parse-json'
import { readBody } from '../http/read-body'
import { sendJsonText } from '../http/respond'
import { applyPush } from '../sync/apply-push'
import { hashBody } from '../sync/body-hash'
import { parsePushBody } from '../validation/push-body'
import type { RouteContext } from './context'

/** `POST /push`: one batch, one transaction, idempotent by `Idempotency-Key` = batchId. */
export async function handlePush(context: RouteContext): Promise<void> {
  const { request, response, userId, limits } = context
  requireJsonContentType(request.headers['content-type'])
  const body = await readBody(request, limits.maxBodyBytes)
  const batch = parsePushBody(parseJsonBody(body))
  const idempotencyKey = request.headers['idempotency-key']
  if (typeof idempotencyKey !== 'string' || idempotencyKey !== batch.batchId) {
    throw new HttpError(400, 'invalid-idempotency-key', 'Idempotency-Key header must equal batchId')
  }
  if (batch.changes.length > limits.maxChangesPerBatch) {
    throw new HttpError(413, 'too-many-changes', `a batch holds at most ${limits.maxChangesPerBatch} changes`, {
      details: { limit: limits.maxChangesPerBatch },
    })
  }
  requireOwnUser(batch.userId, userId)
  const requestHash = hashBody(body)
  const outcome = await applyPush(context.store, userId, batch, requestHash, limits, context.now())
  if (outcome.kind === 'idempotency-key-reused') {
    throw new HttpError(422, 'idempotency-key-reused', 'this batchId was already used with a different body')
  }
  sendJsonText(response, 200, outcome.responseText)
  context.pushed(batch.clientId)
}
