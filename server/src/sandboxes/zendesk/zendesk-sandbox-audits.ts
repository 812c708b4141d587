import type { Context, Hono } from 'hono';
import type { ZendeskSandboxStore } from './zendesk-sandbox-store.js';

const MAX_PAGE = 100;

const cursorOf = (index: number) => Buffer.from(`a${index}`).toString('base64url');
function indexOf(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^a\d{1,9}$/.test(text) ? Number(text.slice(1)) : Number.NaN;
}

/**
 * `GET /api/v2/tickets/{id}/audits[.json]`: Zendesk's List Audits for a Ticket, oldest first, with
 * cursor pagination (`page[size]` ≤ 100, `page[after]`/`page[before]`; the answer carries
 * `meta.has_more`, `meta.after_cursor`, `meta.before_cursor` and `links.next`/`links.prev`).
 */
export function mountZendeskSandboxAudits(app: Hono, store: ZendeskSandboxStore): void {
  const list = (c: Context) => {
    const ticketId = Number.parseInt(c.req.param('id') ?? '', 10);
    const audits = store.audits.get(ticketId);
    if (!audits) return c.json({ error: 'RecordNotFound', description: 'Not found' }, 404);
    const sizeText = c.req.query('page[size]');
    const size = sizeText === undefined ? MAX_PAGE : Number(sizeText);
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
      return c.json({ error: 'InvalidPaginationParameter', description: `page[size] must be 1–${MAX_PAGE}` }, 400);
    }
    const after = indexOf(c.req.query('page[after]'));
    const before = indexOf(c.req.query('page[before]'));
    if (Number.isNaN(after) || Number.isNaN(before)) {
      return c.json({ error: 'InvalidPaginationParameter', description: 'invalid cursor' }, 400);
    }
    let start = 0;
    let end = Math.min(audits.length, size);
    if (after !== undefined) {
      start = after + 1;
      end = Math.min(audits.length, start + size);
    } else if (before !== undefined) {
      end = Math.max(0, before);
      start = Math.max(0, end - size);
    }
    const page = audits.slice(start, end);
    const base = `${new URL(c.req.url).origin}/api/v2/tickets/${ticketId}/audits.json?page%5Bsize%5D=${size}`;
    const hasMore = end < audits.length;
    const afterCursor = page.length > 0 ? cursorOf(end - 1) : null;
    const beforeCursor = page.length > 0 ? cursorOf(start) : null;
    return c.json({
      audits: page,
      meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
      links: {
        next: hasMore && afterCursor ? `${base}&page%5Bafter%5D=${afterCursor}` : null,
        prev: start > 0 && beforeCursor ? `${base}&page%5Bbefore%5D=${beforeCursor}` : null,
      },
    });
  };
  app.get('/api/v2/tickets/:id{[0-9]+}/audits.json', list);
  app.get('/api/v2/tickets/:id{[0-9]+}/audits', list);
}
