import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

/** The API in development (`npm run dev` at the repo root); in production it serves this app itself. */
const API_ORIGIN = 'http://127.0.0.1:3000';
const apiProxy = { '/api': API_ORIGIN, '/healthz': API_ORIGIN, '/readyz': API_ORIGIN };

/** The strings of one language (base file and area files), e.g. `src/i18n/areas/week.zh-CN.json`. */
const stringsOf = (language: string) => new RegExp(String.raw`[\\/]src[\\/]i18n[\\/](?:areas[\\/][\w-]+\.)?${language}\.json$`);

/** Workspace packages whose modules do nothing when imported (see `treeshake` below). */
const PURE_WORKSPACE_PACKAGE = /[\\/]packages[\\/]domain[\\/]src[\\/]/;

export default defineConfig({
  plugins: [
    react(),
    // Every file is written beside a .br and a .gz (at the highest levels: done once per build, not per request);
    // the API serves whichever the browser accepts (@fastify/static `preCompressed`). A compressed copy that would
    // not be smaller is not written, and the file itself is served.
    compression({ algorithms: ['brotliCompress', 'gzip'], logLevel: 'silent' }),
  ],
  server: { host: '127.0.0.1', port: 5173, proxy: apiProxy },
  preview: { host: '127.0.0.1', port: 4173, proxy: apiProxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      treeshake: {
        // packages/domain is pure rules (no I/O, nothing done on import), but its package does not say so, so one
        // constant imported from it (HOLDING_STATUSES) used to bring all of it, and luxon with its time rules
        // (25 KB compressed), onto the resident's first screen. Its unused modules may be dropped. Anything else:
        // as its package says.
        moduleSideEffects: (id) => (PURE_WORKSPACE_PACKAGE.test(id) ? false : undefined),
      },
      output: {
        codeSplitting: {
          // Libraries the first screen needs go in long-cached vendor chunks: React and i18next (rarely change),
          // and the rest (TanStack Query, openapi-fetch). '$initial' keeps what only lazy pages use out of them:
          // antd above all, which the first screens do without (ui/light.tsx) and which is split between the
          // pages that use it.
          groups: [
            // Each language's strings in one chunk, fetched only when that language is shown (i18n/index.ts).
            { name: 'strings-zh-CN', test: stringsOf('zh-CN'), priority: 3 },
            { name: 'strings-en', test: stringsOf('en'), priority: 3 },
            {
              name: 'vendor-react',
              test: /[\\/]node_modules[\\/](react|react-dom|scheduler|i18next|react-i18next)[\\/]/,
              tags: ['$initial'],
              priority: 2,
            },
            { name: 'vendor', test: /[\\/]node_modules[\\/]/, tags: ['$initial'], priority: 1 },
          ],
        },
      },
    },
  },
});
