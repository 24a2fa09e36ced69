// Vite configuration of the portal. `npm run dev:web` serves it with /api proxied to the API
// (CTL_API_URL, default the embedded API on 127.0.0.1:8080); `npm run build:web` writes
// web/dist, which the API serves with an SPA fallback.
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const apiTarget = process.env.CTL_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  server: {
    proxy: { '/api': { target: apiTarget } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
});
