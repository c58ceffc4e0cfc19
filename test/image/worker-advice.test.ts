import { expect } from '@open-wc/testing';
import { workerFallbackAdvice } from '../../src/image/worker/advice.ts';

describe('workerFallbackAdvice', () => {
  it('names the cause, the URL, and the fix for the bundler the URL points at', () => {
    const angular = workerFallbackAdvice('http://localhost:4200/.angular/cache/21/app/vite/deps/accura-id-liveness.worker.js', 'a 404');
    expect(angular).to.contain('(a 404)').and.contain('/.angular/cache/').and.contain('angular.json');
    const vite = workerFallbackAdvice('http://localhost:5173/node_modules/.vite/deps/accura-id-liveness.worker.js', 'a 404');
    expect(vite).to.contain("optimizeDeps: { exclude: ['accura-id-liveness'] }");
    const esbuild = workerFallbackAdvice('http://127.0.0.1:8000/chunk-ABC.js/../accura-id-liveness.worker.js', 'a 404');
    expect(esbuild).to.contain('dist/accura-id-liveness.worker.js beside').and.contain('worker-src');
  });

  it('says that checks still work, so nobody reloads in vain', () => {
    expect(workerFallbackAdvice(undefined, 'blocked')).to.contain('checks still work').and.not.contain('Reload');
  });
});
