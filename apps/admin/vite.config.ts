import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The API in development (`npm run dev` at the repo root); in production it serves this app itself. */
const API_ORIGIN = 'http://127.0.0.1:3000';
const apiProxy = { '/api': API_ORIGIN, '/healthz': API_ORIGIN, '/readyz': API_ORIGIN };

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, proxy: apiProxy },
  preview: { host: '127.0.0.1', port: 4173, proxy: apiProxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // Libraries the first screen needs go in long-cached vendor chunks: React and i18next (rarely change),
          // and antd's core and the components of the sign-in page. '$initial' keeps what only lazy pages use
          // (antd Table, Menu ...) out of them, in those pages' chunks.
          groups: [
            {
              name: 'vendor-react',
              test: /[\\/]node_modules[\\/](react|react-dom|scheduler|i18next|react-i18next)[\\/]/,
              tags: ['$initial'],
              priority: 2,
            },
            { name: 'vendor-antd', test: /[\\/]node_modules[\\/]/, tags: ['$initial'], priority: 1 },
          ],
        },
      },
    },
  },
});
