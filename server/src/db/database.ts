import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { FifoMutex } from './fifo-mutex.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type Backend = 'pglite' | 'postgres';

/** Runs one SQL text with positional parameters; what pg-boss needs (`db.executeSql`). */
export type ExecuteSql = (text: string, values?: unknown[]) => Promise<{ rows: unknown[]; rowCount?: number | null }>;

export interface DatabaseHandle {
  readonly backend: Backend;
  readonly db: Kysely<Database>;
  /** Outside any transaction: takes the embedded database's mutex, or a pooled connection. */
  readonly executeSql: ExecuteSql;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { readonly backend: 'postgres'; readonly connectionString: string; readonly poolSize?: number }
  /** `dataDir` unset: an in-memory embedded database (tests). */
  | { readonly backend: 'pglite'; readonly dataDir?: string };

/** Opens the embedded or the real PostgreSQL database. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.backend === 'postgres'
    ? openPostgres(options.connectionString, options.poolSize)
    : openPGlite(options.dataDir);
}

const INT8_OID = 20;

function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} is beyond the safe integer range`);
  return value;
}

function openPostgres(connectionString: string, poolSize = 10): DatabaseHandle {
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID
        ? parseSafeInteger
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString, max: poolSize, types });
  pool.on('error', () => {
    // an idle client died (server restart); the pool replaces it on next use
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    backend: 'postgres',
    db,
    executeSql: async (text, values) => pool.query(text, values),
    close: () => db.destroy(),
  };
}

async function openPGlite(dataDir: string | undefined): Promise<DatabaseHandle> {
  if (dataDir) await fs.mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir ? { dataDir } : {});
  const mutex = new FifoMutex();
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite, mutex) });
  const executeSql: ExecuteSql = (text, values) =>
    mutex.run(async () => {
      // pg-boss sends parameterless multi-statement scripts (its own migrations); the extended protocol takes one statement.
      if (!values || values.length === 0) {
        const results = await pglite.exec(text);
        const last = results.at(-1);
        return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? 0 };
      }
      const result = await pglite.query(text, values);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    });
  return { backend: 'pglite', db, executeSql, close: () => db.destroy() };
}

/** An executeSql bound to an open Kysely transaction, so a job is enqueued (or rolled back) with the domain writes. */
export function executeSqlIn(trx: Kysely<Database>): ExecuteSql {
  return async (text, values) => {
    const result = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
    return { rows: result.rows as unknown[], rowCount: Number(result.numAffectedRows ?? 0) };
  };
}
