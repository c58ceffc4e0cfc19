import { expect } from '@open-wc/testing';

interface Answer {
  simd: boolean;
  largest: number;
  nonZero: number;
  refused: string[];
}

/** The probe worker's answer; `query` goes on its script's URL. */
async function probe(query = ''): Promise<Answer> {
  const worker = new Worker(new URL(`./conv-simd.worker.ts${query}`, import.meta.url), { type: 'module' });
  try {
    return await new Promise<Answer>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
    });
  } finally {
    worker.terminate();
  }
}

// The corner network's convolutions in WebAssembly SIMD, in each engine the tests run.
describe('the corner network in WebAssembly SIMD', () => {
  it('compiles in a worker whose script came without a CSP, and gives the JavaScript path’s maps', async () => {
    const answer = await probe();
    expect(answer.simd, 'WebAssembly SIMD in the worker').to.equal(true);
    expect(answer.nonZero, 'a layer with something to compare').to.be.greaterThan(1000);
    expect(answer.largest).to.be.lessThan(1e-4);
    expect(answer.refused).to.deep.equal([]);
  });

  // Chromium and Firefox report the refusal in the worker (script-src); WebKitGTK reports none.
  it('falls back to JavaScript in a worker whose script’s CSP has no wasm-unsafe-eval, and the network still runs', async () => {
    const answer = await probe('?csp=strict');
    expect(answer.simd, 'WebAssembly refused by the CSP').to.equal(false);
    expect(answer.nonZero).to.be.greaterThan(1000);
    expect(answer.largest).to.equal(0);
  });
});
