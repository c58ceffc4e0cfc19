import { expect } from '@open-wc/testing';
import type { LivenessError } from '../../src/index.ts';
import { engine, reportSkip } from '../support/engine.ts';
import { photoJpeg } from '../support/fixtures.ts';
import { afterPendingWork, button, chooseFile, makeElement, requestsFor, untilPhase } from '../support/harness.ts';

/** Counts workers, and object URLs, while `run` goes. */
async function counting<T>(run: () => Promise<T>) {
  const counts = { workers: 0, terminated: 0, urls: 0, revoked: 0 };
  const OriginalWorker = window.Worker;
  const { createObjectURL, revokeObjectURL } = URL;
  const terminate = OriginalWorker.prototype.terminate;
  window.Worker = class extends OriginalWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      counts.workers++;
    }
  };
  OriginalWorker.prototype.terminate = function (this: Worker) {
    counts.terminated++;
    return terminate.call(this);
  };
  URL.createObjectURL = (object) => (counts.urls++, createObjectURL(object));
  URL.revokeObjectURL = (url) => (counts.revoked++, revokeObjectURL(url));
  try {
    return { value: await run(), counts };
  } finally {
    window.Worker = OriginalWorker;
    OriginalWorker.prototype.terminate = terminate;
    URL.createObjectURL = createObjectURL;
    URL.revokeObjectURL = revokeObjectURL;
  }
}

const gc = () => (window as unknown as { gc?: () => void }).gc?.();
const heap = () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
/**
 * The heap once collection has nothing more to free: each round lets queued tasks finish (and drop
 * what they hold), then collects; settled after three rounds in a row free less than 64 KB.
 */
async function settledHeap(): Promise<number> {
  let low = Infinity;
  for (let round = 0, calm = 0; round < 50 && calm < 3; round++) {
    await afterPendingWork();
    gc();
    const now = heap();
    calm = now < low - 65_536 ? 0 : calm + 1;
    low = Math.min(low, now);
  }
  return low;
}

describe('lifecycle', () => {
  it('removed mid-upload, it aborts the request and ends its worker', async () => {
    const { value, counts } = await counting(async () => {
      const { el } = await makeElement({ delay: 4000 });
      const pending = el.check(await photoJpeg(1200, 900)).catch((error: LivenessError) => error.code);
      await untilPhase(el, 'uploading');
      el.remove();
      return pending;
    });
    expect(value).to.equal('aborted');
    expect(counts.workers).to.equal(1);
    expect(counts.terminated).to.equal(1);
    expect(counts.revoked).to.equal(counts.urls);
  });

  it('moved in the DOM, it keeps its image and keeps working', async () => {
    const { el, id } = await makeElement();
    await chooseFile(el, new File([await photoJpeg(900, 600)], 'card.jpg', { type: 'image/jpeg' }));
    const elsewhere = document.createElement('section');
    document.body.append(elsewhere);
    elsewhere.append(el);
    await el.updateComplete;
    expect(el.phase).to.equal('preview');
    const preview = el.shadowRoot!.querySelector<HTMLImageElement>('img[part=preview]')!;
    await preview.decode();
    expect(preview.naturalWidth).to.equal(900);
    button(el, 'Check document').click();
    await untilPhase(el, 'result');
    expect(await requestsFor(id)).to.have.length(1);
    elsewhere.remove();
  });

  it('runs 100 checks in a row without leaking object URLs, workers or heap', async function () {
    this.timeout(300_000);
    const photo = new File([await photoJpeg(900, 600)], 'card.jpg', { type: 'image/jpeg' });
    const { el, id } = await makeElement();
    await el.check(photo); // warm up: worker, lazy chunk, JIT
    el.reset();
    const heapBefore = await settledHeap();
    const { counts } = await counting(async () => {
      for (let i = 0; i < 100; i++) {
        await chooseFile(el, photo);
        await el.check(photo);
        el.reset();
      }
    });
    expect(await requestsFor(id)).to.have.length(101);
    expect(counts.urls).to.equal(100);
    expect(counts.revoked).to.equal(counts.urls);
    expect(counts.workers, 'the worker is reused, not re-created').to.equal(0);
    const growth = (await settledHeap()) - heapBefore;
    console.log(
      `100 checks: heap ${(heapBefore / 1e6).toFixed(1)} MB before, growth ${(growth / 1e6).toFixed(2)} MB after GC; object URLs ${counts.urls} made, ${counts.revoked} revoked; workers started ${counts.workers}`,
    );
    // gc() and precise heap figures are Chromium's (--expose-gc, --enable-precise-memory-info).
    if (engine !== 'chromium')
      return reportSkip('the heap-growth part of "runs 100 checks in a row"', 'only Chromium exposes gc() and precise heap figures');
    expect(heapBefore, 'precise heap figures are on').to.be.greaterThan(0);
    expect(growth, `heap grew by ${(growth / 1e6).toFixed(2)} MB`).to.be.lessThan(3_000_000);
  });
});
