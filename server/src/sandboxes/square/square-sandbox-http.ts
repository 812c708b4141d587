import type { Socket } from 'node:net';
import type { HttpBindings } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import type { ZodType } from 'zod';
import type { StoredAnswer } from './square-sandbox-store.js';
import { errorBody, type WireError } from './square-sandbox-wire.js';

/** Sends a stored answer exactly as recorded (idempotent replays must be byte for byte). */
export function sendAnswer(c: Context, answer: StoredAnswer, headers: Record<string, string> = {}): Response {
  return c.body(answer.text, answer.status as 200, { 'content-type': 'application/json', ...headers });
}

export function answerOf(status: number, body: unknown): StoredAnswer {
  return { status, text: JSON.stringify(body) };
}

export function errorAnswer(status: number, error: WireError): StoredAnswer {
  return answerOf(status, errorBody(error));
}

export function invalidRequest(code: string, detail: string, field?: string): StoredAnswer {
  return errorAnswer(400, { category: 'INVALID_REQUEST_ERROR', code, detail, ...(field ? { field } : {}) });
}

export function notFound(detail: string): StoredAnswer {
  return errorAnswer(404, { category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail });
}

/** Square answers 401 AUTHENTICATION_ERROR / UNAUTHORIZED to a missing or wrong bearer token. */
export function requireBearer(expectedToken: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    if (token === undefined || (expectedToken !== undefined && token !== expectedToken)) {
      const detail = 'This request could not be authorized.';
      return sendAnswer(c, errorAnswer(401, { category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail }));
    }
    await next();
  };
}

/** Reads and validates a JSON body; the raw text is kept so idempotency can fingerprint it. */
export async function readJson<T>(
  c: Context,
  schema: ZodType<T>,
): Promise<{ ok: true; value: T; fingerprint: string } | { ok: false; answer: StoredAnswer }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await c.req.text());
  } catch {
    return { ok: false, answer: invalidRequest('EXPECTED_JSON_BODY', 'The request body is not valid JSON.') };
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.map(String).join('.') ?? '';
    const code = issue?.code === 'too_big' ? 'VALUE_TOO_LONG' : 'INVALID_VALUE';
    return { ok: false, answer: invalidRequest(code, issue?.message ?? 'Invalid request.', field || undefined) };
  }
  return { ok: true, value: result.data, fingerprint: canonicalJson(parsed) };
}

/** JSON with sorted keys, so the same params in another key order count as the same request. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/** The Node socket under a request served by @hono/node-server (absent under `app.request()`). */
export function nodeSocket(c: Context): Socket | undefined {
  const env = c.env as Partial<HttpBindings> | undefined;
  return env?.incoming?.socket;
}

/** Square's list endpoints page with an opaque cursor; ours encodes the offset. */
export function pageOf<T>(items: T[], query: { cursor?: string | undefined; limit?: string | undefined }) {
  const offset = query.cursor ? Number(Buffer.from(query.cursor, 'base64url').toString('utf8')) || 0 : 0;
  const requested = Number(query.limit ?? 100);
  const limit = Number.isInteger(requested) && requested > 0 && requested <= 100 ? requested : 100;
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
  return { page, cursor: next };
}

/** Filters by RFC 3339 `created_at` window and sorts like Square (DESC unless `sort_order=ASC`). */
export function inTimeOrder<T extends { created_at: string }>(
  items: Iterable<T>,
  query: { begin_time?: string | undefined; end_time?: string | undefined; sort_order?: string | undefined },
): T[] {
  const begin = query.begin_time ? Date.parse(query.begin_time) : Date.now() - 365 * 24 * 3600 * 1000;
  const end = query.end_time ? Date.parse(query.end_time) : Number.POSITIVE_INFINITY;
  const indexed = [...items].map((item, index) => ({ item, index, at: Date.parse(item.created_at) }));
  const kept = indexed.filter(({ at }) => at >= begin && at <= end);
  kept.sort((a, b) => a.at - b.at || a.index - b.index);
  if (query.sort_order !== 'ASC') kept.reverse();
  return kept.map(({ item }) => item);
}
