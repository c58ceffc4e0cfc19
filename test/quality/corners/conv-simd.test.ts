import { expect } from '@open-wc/testing';

// The corner network's convolutions in WebAssembly SIMD, in each engine the tests run: in a worker (whose script came
// with no CSP) it compiles and gives the JavaScript path's values to float32 rounding.
describe('the corner network in WebAssembly SIMD', () => {
  it('compiles in a worker and gives the JavaScript path’s maps', async () => {
    const worker = new Worker(new URL('./conv-simd.worker.ts', import.meta.url), { type: 'module' });
    const answer = await new Promise<{ simd: boolean; largest: number; nonZero: number }>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
    });
    worker.terminate();
    expect(answer.simd, 'WebAssembly SIMD in the worker').to.equal(true);
    expect(answer.nonZero, 'a layer with something to compare').to.be.greaterThan(1000);
    expect(answer.largest).to.be.lessThan(1e-4);
  });
});
