// Vite builds the renderer (React + Ant Design, Vietnamese locale) into dist/renderer, served by the
// Electron custom protocol in production and by the local HTTP host in development and tests.
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    // RENDERER_OUT lets two engineers' e2e runs build and serve separate copies on one machine.
    outDir: path.resolve(here, '..', process.env.RENDERER_OUT ?? path.join('dist', 'renderer')),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
  },
});
