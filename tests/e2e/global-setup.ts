/**
 * Starts the app as `npm start` does (API + built admin app on an embedded database seeded with the demo
 * portfolio), but on a fresh temporary data directory and a free port, and stops it afterwards.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const ROOT = resolve(import.meta.dirname, '../..');
const ADMIN = join(ROOT, 'apps/admin');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Where the app under test is built: apps/admin/dist, or E2E_ADMIN_DIST (an absolute path), so that several
 * people running browser tests on one machine do not serve each other's half-written builds.
 */
const ADMIN_DIST = process.env.E2E_ADMIN_DIST ?? join(ADMIN, 'dist');

/** Builds the admin app unless the build is newer than every source file (CI has just built it). */
function buildAdminIfNeeded(): void {
  const built = join(ADMIN_DIST, 'index.html');
  if (existsSync(built) && statSync(built).mtimeMs > Math.max(newestMtime(join(ADMIN, 'src')), statSync(join(ADMIN, 'vite.config.ts')).mtimeMs)) return;
  // Vitest runs with NODE_ENV=test, which a child `vite build` would inherit: React and antd would then be built
  // as test builds (antd's ids all become "test-id", so no dialog has an accessible name). Build for production.
  execSync(`npx vite build --outDir ${JSON.stringify(ADMIN_DIST)} --emptyOutDir`, { cwd: ADMIN, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilReady(baseUrl: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${log()}`);
    try {
      const response = await fetch(`${baseUrl}/readyz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the server was not ready in time:\n${log()}`);
}

export default async function setup(project: TestProject) {
  buildAdminIfNeeded();
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['apps/api/src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: join(dataDir, 'pglite'), LOG_LEVEL: 'warn', ADMIN_DIST_DIR: ADMIN_DIST,
      // Every test signs in several people through the API and the page; the service's 20 a minute is not what is tested here.
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
      // Vitest's NODE_ENV=test turns the in-process notification worker off; the inbox is part of what is tested.
      NOTIFICATIONS_WORKER: 'inline' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntilReady(baseUrl, child, () => output);
  project.provide('baseUrl', baseUrl);

  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        r(undefined);
      }, 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        r(undefined);
      });
    });
    rmSync(dataDir, { recursive: true, force: true });
  };
}
