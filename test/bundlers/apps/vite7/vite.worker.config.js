// The README's one line for Vite 7's dev server, so the worker is served instead of a 404.
import { defineConfig } from 'vite';

export default defineConfig({ optimizeDeps: { exclude: ['accura-id-liveness'] } });
