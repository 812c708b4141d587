/**
 * Deterministic JSON for hashing: the same logical value always yields the same text, and the
 * text survives a round trip through a `jsonb` column (which reorders keys, drops whitespace and
 * normalises numbers), so a hash computed before the insert can be recomputed from the stored row.
 *
 * Rules: object keys sorted by UTF-16 code units at every depth; no whitespace; `Date` as its
 * ISO string; `undefined` object properties dropped and `undefined` array items written as
 * `null` (as `JSON.stringify` does); numbers finite, integers within the safe range; strings
 * without NUL or lone surrogates (PostgreSQL cannot store them in `jsonb`). Anything else
 * (bigint, symbol, function, Map, class instances without `toJSON`, cycles) throws.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set());
}

/** Thrown when a value cannot be written canonically; `path` names the offending spot (`$.a[2]`). */
export class CanonicalJsonError extends TypeError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'CanonicalJsonError';
  }
}

// A NUL, or a surrogate half without its partner.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what jsonb refuses
const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function write(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      if (UNSTORABLE_TEXT.test(value)) throw new CanonicalJsonError(path, 'string holds a NUL or a lone surrogate');
      return JSON.stringify(value);
    case 'number':
      return writeNumber(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : writeObject(value, path, ancestors);
    default:
      throw new CanonicalJsonError(path, `${typeof value} is not JSON`);
  }
}

function writeNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a finite number`);
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new CanonicalJsonError(path, `${value} is beyond the safe integer range`);
  }
  // Shortest round-trip text; -0 becomes 0, as it does after jsonb.
  return JSON.stringify(value);
}

function writeObject(value: object, path: string, ancestors: Set<object>): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new CanonicalJsonError(path, 'invalid Date');
    return JSON.stringify(value.toISOString());
  }
  if (ancestors.has(value)) throw new CanonicalJsonError(path, 'cyclic structure');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      // Array.from visits holes too (as undefined), which map would skip.
      const items = Array.from(value, (item: unknown, index) =>
        item === undefined ? 'null' : write(item, `${path}[${index}]`, ancestors),
      );
      return `[${items.join(',')}]`;
    }
    const toJson = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJson === 'function') return write(toJson.call(value), path, ancestors);
    if (!isPlainObject(value))
      throw new CanonicalJsonError(path, `${value.constructor?.name ?? 'object'} is not a plain object`);
    const record = value as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member === undefined) continue;
      if (UNSTORABLE_TEXT.test(key)) throw new CanonicalJsonError(path, 'key holds a NUL or a lone surrogate');
      members.push(`${JSON.stringify(key)}:${write(member, `${path}.${key}`, ancestors)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
