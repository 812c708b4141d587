import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The sidebar page. Relative asset paths and a flat `dist/` so the page works wherever it is
 * served: `/app/` in the sandbox preview, `assets/iframe.html` in the Zendesk package.
 * React is deduped to this app's copy (the workspace root hoists another major).
 */
export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  resolve: { dedupe: ['react', 'react-dom', 'styled-components'] },
  build: { outDir: 'dist', assetsDir: '', emptyOutDir: true, target: 'es2020', sourcemap: false },
});
