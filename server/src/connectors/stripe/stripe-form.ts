/** A decoded Stripe form body or query: nested objects for `a[b][c]=v`, strings at the leaves. */
export type StripeParams = { [key: string]: string | StripeParams };

/**
 * Decodes the `application/x-www-form-urlencoded` bodies (and query strings) the official SDK sends,
 * with bracket notation such as `metadata[case_id]=42` and `expand[0]=customer`.
 */
export function parseStripeForm(encoded: string): StripeParams {
  const root: StripeParams = {};
  for (const [rawKey, value] of new URLSearchParams(encoded)) {
    const path = splitBracketKey(rawKey);
    let node = root;
    path.forEach((segment, index) => {
      if (index === path.length - 1) {
        node[segment] = value;
        return;
      }
      const next = node[segment];
      if (typeof next === 'object') {
        node = next;
      } else {
        const created: StripeParams = {};
        node[segment] = created;
        node = created;
      }
    });
  }
  return root;
}

function splitBracketKey(key: string): string[] {
  const head = key.split('[', 1)[0] ?? key;
  const rest = [...key.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((match) => match[1] ?? '');
  return [head, ...rest];
}

/** A leaf string, or undefined when absent or nested. */
export function stringParam(params: StripeParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

/** A nested object of strings such as `metadata`. */
export function recordParam(params: StripeParams, name: string): Record<string, string> {
  const value = params[name];
  const record: Record<string, string> = {};
  if (typeof value !== 'object') return record;
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') record[key] = entry;
  return record;
}

/** Array-like params (`expand[0]=a&expand[1]=b`) as a list. */
export function listParam(params: StripeParams, name: string): string[] {
  const value = params[name];
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object') return [];
  return Object.values(value).filter((entry): entry is string => typeof entry === 'string');
}
