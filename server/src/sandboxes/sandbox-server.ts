import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';

/** A vendor sandbox listening at the root of its own loopback origin. */
export interface RunningSandbox {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves a sandbox Hono app on 127.0.0.1 (port 0 = any free port). */
export function startSandboxServer(app: Hono, options: { readonly port?: number } = {}): Promise<RunningSandbox> {
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined;
    try {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: options.port ?? 0 }, (info) => {
        const running = server;
        if (!running) return;
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              if ('closeAllConnections' in running) running.closeAllConnections();
              running.close(() => done());
            }),
        });
      });
      server.on('error', reject);
    } catch (error) {
      reject(error);
    }
  });
}
