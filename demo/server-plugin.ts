import type { Plugin } from 'vite';

/** Placeholder until the demo backend lands. */
export function livenessServerPlugin(): Plugin {
  return { name: 'accura-liveness-server' };
}
