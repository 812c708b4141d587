import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (child processes run there, like `npm start` does). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const MAIN = 'server/src/main.ts';
/**
 * How long a child may take to announce it is up. A cold embedded boot takes 4-7 s on an idle
 * 2-core machine but over 30 s while the rest of the suite runs beside it, hence 60 s;
 * TEST_START_TIMEOUT_MS overrides it (.ci/run sets 90 s).
 */
export const START_TIMEOUT_MS = Number(process.env['TEST_START_TIMEOUT_MS']) || 60_000;
const STOP_TIMEOUT_MS = 20_000;

/** Variables of the test runner's environment a child never inherits (each test states what it wants). */
const SCRUBBED = [
  'DATABASE_URL',
  'DATA_DIR',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'NODE_OPTIONS',
  'INIT_CWD',
  'BOOTSTRAP_ADMIN_TOKEN',
];

export interface ExitResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** One pino JSON line (other lines are kept in `logs` only). */
export interface LogEntry {
  readonly level?: number;
  readonly msg?: string;
  readonly url?: string;
  readonly [key: string]: unknown;
}

/** A child process of ours: its output as it arrives, and its exit. */
export interface ChildHandle {
  readonly child: ChildProcess;
  /** Every stdout line so far (pino JSON lines). */
  readonly logs: string[];
  /** Every stderr line so far. */
  readonly stderrLines: string[];
  /** stdout lines that parsed as JSON. */
  entries(): LogEntry[];
  /** Resolves with the first stdout line (already seen or future) the predicate accepts. */
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves once the process has exited and its output is closed. */
  waitForExit(timeoutMs?: number): Promise<ExitResult>;
  /** Sends the signal (if still running) and waits for the exit; SIGKILLs after the timeout. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitResult>;
  readonly exited: boolean;
}

export interface ServerProcess extends ChildHandle {
  /** The HTTP base URL (undefined for `--role=worker`). */
  readonly url: string | undefined;
  /** The line that announced the process was up. */
  readonly ready: LogEntry;
  /** The data folder used (PGlite), when not on PostgreSQL. */
  readonly dataDir: string | undefined;
}

export interface StartOptions {
  /** Added to a scrubbed copy of the runner's environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly args?: readonly string[];
  /** PGlite data folder; when neither this nor env.DATABASE_URL is given, a temp folder (removed by cleanup). */
  readonly dataDir?: string;
  readonly timeoutMs?: number;
}

/** Raised when a server child exits (or times out) before announcing it is up. */
export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly result: ExitResult | undefined,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${message}\n--- stderr ---\n${stderr.slice(-4000)}\n--- stdout ---\n${stdout.slice(-4000)}`);
    this.name = 'ServerStartError';
  }
}

const live = new Set<ChildHandle>();
const tempDirs = new Set<string>();

/** A temp folder removed by `cleanupProcesses()`. */
export function makeTempDir(prefix = 'refund-desk-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Spawns `node --import tsx <script> ...args` in the repository root and collects its output. */
export function spawnNode(
  script: string,
  options: { env?: Readonly<Record<string, string | undefined>>; args?: readonly string[] } = {},
): ChildHandle {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !SCRUBBED.includes(key)) env[key] = value;
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child);
}

function track(child: ChildProcess): ChildHandle {
  const logs: string[] = [];
  const stderrLines: string[] = [];
  let stdout = '';
  let stderr = '';
  let partialOut = '';
  let partialErr = '';
  const waiters = new Set<{ predicate: (line: string) => boolean; resolve: (line: string) => void }>();
  let result: ExitResult | undefined;
  let exitError: Error | undefined;
  const exitListeners = new Set<() => void>();

  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  const onLine = (line: string) => {
    logs.push(line);
    for (const waiter of waiters) {
      if (waiter.predicate(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
    const parts = (partialOut + chunk).split('\n');
    partialOut = parts.pop() ?? '';
    for (const line of parts) onLine(line);
  });
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
    const parts = (partialErr + chunk).split('\n');
    partialErr = parts.pop() ?? '';
    stderrLines.push(...parts);
  });
  const finish = () => {
    if (partialOut) onLine(partialOut);
    if (partialErr) stderrLines.push(partialErr);
    partialOut = partialErr = '';
    for (const listener of exitListeners) listener();
  };
  child.on('error', (error) => {
    exitError = error;
    result ??= { code: null, signal: null, stdout, stderr };
    live.delete(handle);
    finish();
  });
  child.on('close', (code, signal) => {
    result = { code, signal, stdout, stderr };
    live.delete(handle);
    finish();
  });

  const waitForExit = (timeoutMs = STOP_TIMEOUT_MS): Promise<ExitResult> =>
    new Promise((resolve, reject) => {
      if (result) {
        resolve(result);
        return;
      }
      const timer = setTimeout(() => {
        exitListeners.delete(listener);
        reject(new Error(`process ${child.pid} did not exit within ${timeoutMs} ms\n${stderr.slice(-2000)}`));
      }, timeoutMs);
      const listener = () => {
        clearTimeout(timer);
        exitListeners.delete(listener);
        if (result) resolve(result);
        else reject(exitError ?? new Error('process ended without a result'));
      };
      exitListeners.add(listener);
    });

  const handle: ChildHandle = {
    child,
    logs,
    stderrLines,
    get exited() {
      return result !== undefined;
    },
    entries: () => logs.map(parseEntry).filter((entry): entry is LogEntry => entry !== undefined),
    waitForLine: (predicate, timeoutMs = START_TIMEOUT_MS) =>
      new Promise((resolve, reject) => {
        const seen = logs.find(predicate);
        if (seen !== undefined) {
          resolve(seen);
          return;
        }
        if (result) {
          reject(
            new ServerStartError(
              `process ${child.pid} exited (code ${result.code}, signal ${result.signal}) before the expected line`,
              result,
              stdout,
              stderr,
            ),
          );
          return;
        }
        const waiter = {
          predicate,
          resolve: (line: string) => {
            cleanup();
            resolve(line);
          },
        };
        const onExit = () => {
          cleanup();
          reject(
            new ServerStartError(
              `process ${child.pid} exited (code ${result?.code}, signal ${result?.signal}) before the expected line`,
              result,
              stdout,
              stderr,
            ),
          );
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new ServerStartError(
              `process ${child.pid} did not print the expected line within ${timeoutMs} ms`,
              undefined,
              stdout,
              stderr,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          exitListeners.delete(onExit);
        };
        waiters.add(waiter);
        exitListeners.add(onExit);
      }),
    waitForExit,
    stop: async (signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS) => {
      if (result) return result;
      child.kill(signal);
      try {
        return await waitForExit(timeoutMs);
      } catch (error) {
        child.kill('SIGKILL');
        await waitForExit(5_000).catch(() => undefined);
        throw error;
      }
    },
  };
  live.add(handle);
  return handle;
}

export function parseEntry(line: string): LogEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as LogEntry;
  } catch {
    return undefined;
  }
}

/** True for the line a server prints once it is up: the URL for web roles, "worker running" for a worker. */
export function isReadyLine(role: string): (line: string) => boolean {
  return (line) => {
    const entry = parseEntry(line);
    if (!entry?.msg) return false;
    if (role === 'worker') return entry.msg.startsWith('Refund Desk worker running');
    return typeof entry.url === 'string' && entry.msg.startsWith('Refund Desk listening on');
  };
}

/**
 * Spawns `node --import tsx server/src/main.ts` with PORT=0, HOST=127.0.0.1 and LOG_LEVEL=info
 * (JSON lines on stdout), and resolves once it announces it is up.
 * Rejects with ServerStartError (carrying stdout/stderr) if it exits first or after START_TIMEOUT_MS.
 */
export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const env = options.env ?? {};
  const onPostgres = typeof env['DATABASE_URL'] === 'string';
  const dataDir = onPostgres ? undefined : (options.dataDir ?? makeTempDir());
  const args = options.args ?? [];
  const role = args.find((arg) => arg.startsWith('--role='))?.slice('--role='.length) ?? 'all';
  const handle = spawnNode(MAIN, {
    args,
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SANDBOX: 'true',
      ...(dataDir ? { DATA_DIR: dataDir } : {}),
      ...env,
    },
  });
  try {
    const line = await handle.waitForLine(isReadyLine(role), options.timeoutMs ?? START_TIMEOUT_MS);
    const ready = parseEntry(line) ?? {};
    return Object.assign(handle, { url: typeof ready.url === 'string' ? ready.url : undefined, ready, dataDir });
  } catch (error) {
    await handle.stop('SIGKILL').catch(() => undefined);
    throw error;
  }
}

/** Runs the server and waits for it to exit on its own (configuration errors, port in use). */
export async function runServerToExit(options: StartOptions = {}): Promise<ExitResult> {
  const env = options.env ?? {};
  const dataDir = typeof env['DATABASE_URL'] === 'string' ? undefined : (options.dataDir ?? makeTempDir());
  const handle = spawnNode(MAIN, {
    args: options.args ?? [],
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SANDBOX: 'true',
      ...(dataDir ? { DATA_DIR: dataDir } : {}),
      ...env,
    },
  });
  try {
    return await handle.waitForExit(options.timeoutMs ?? START_TIMEOUT_MS);
  } finally {
    if (!handle.exited) await handle.stop('SIGKILL').catch(() => undefined);
  }
}

/** SIGKILLs every child still running and removes temp folders; call from afterAll/afterEach. */
export async function cleanupProcesses(options: { readonly removeTempDirs?: boolean } = {}): Promise<void> {
  await Promise.all([...live].map((handle) => handle.stop('SIGKILL', 10_000).catch(() => undefined)));
  if (options.removeTempDirs !== false) {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    tempDirs.clear();
  }
}

// Last resort if a test file is torn down without cleanup: never leave servers behind.
process.once('exit', () => {
  for (const handle of live) handle.child.kill('SIGKILL');
});
