// vite.config.js plus the README's one line for Vite 7's dev server, so the worker is served.
import { defineConfig, mergeConfig } from 'vite';
import base from './vite.config.js';

export default mergeConfig(base, defineConfig({ optimizeDeps: { exclude: ['accura-id-liveness'] } }));
