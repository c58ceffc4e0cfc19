/**
 * The widget on each simulated phone (test/support/phone-camera.ts), timed as a user lives it:
 * from "Use camera" to a live preview with Capture enabled, and from the capture to the upload's
 * start (the still cut, the photo prepared under 1 MB). The upload goes to a path that answers 404:
 * only its start is timed. The main thread is watched during the capture for long tasks and frame gaps.
 */
import '../../src/accura-id-liveness.ts';
import type { AccuraIdLiveness } from '../../src/index.ts';
import { PROFILES, installPhone } from '../support/phone-camera.ts';
import { until } from '../support/wait.mjs';
import { watchMainThread } from './bench-page.ts';

export interface PhoneRow {
  name: string;
  lens: string;
  firstFrame: number[];
  captureToUpload: number[];
  still: string;
  longestTask: number;
  longestFrameGap: number;
}

// Not the harness's button(): the harness pulls in @open-wc/testing, which this plain Vite page does not load.
const button = (el: AccuraIdLiveness, text: string) =>
  [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);

async function once(
  index: number,
): Promise<{ firstFrame: number; captureToUpload: number; still: string; lens: string; longestTask: number; longestFrameGap: number }> {
  const phone = PROFILES[index];
  const sim = installPhone(phone);
  const el = document.createElement('accura-id-liveness') as AccuraIdLiveness;
  Object.assign(el, { endpoint: '/bench-upload-404', countryCode: 'USA', cardCode: 'MRZ', autoCapture: false, qualityCheck: 'off' });
  document.body.append(el);
  try {
    await el.updateComplete;
    const opened = performance.now();
    button(el, 'Use camera')!.click();
    const video = await until('the camera preview', () => el.shadowRoot!.querySelector('video'));
    await until(
      'a live preview with Capture enabled',
      () => video.readyState >= 2 && video.videoWidth && button(el, 'Capture')?.disabled === false,
    );
    const firstFrame = performance.now() - opened;
    let still = '';
    el.addEventListener('liveness-capture', (event) => {
      const { width, height } = event.detail;
      still = `${width}×${height}`;
    });
    let uploading = false;
    el.addEventListener('liveness-progress', (event) => {
      if (event.detail.stage === 'uploading') uploading = true;
    });
    const watched = await watchMainThread(async () => {
      const captured = performance.now();
      el.shadowRoot!.querySelector<HTMLElement>('[part=camera]')!.dispatchEvent(
        new KeyboardEvent('keydown', { key: ' ', bubbles: true, composed: true }),
      );
      await until('the photo taken', () => el.phase === 'preview');
      button(el, 'Check document')!.click();
      await until('the upload to start', () => uploading || el.phase === 'error' || el.phase === 'result');
      return performance.now() - captured;
    });
    return {
      firstFrame,
      captureToUpload: watched.value,
      still,
      lens: sim.currentLens() ?? sim.opened.at(-1) ?? '',
      longestTask: watched.longestTask,
      longestFrameGap: watched.longestFrameGap,
    };
  } finally {
    el.remove();
    sim.restore();
  }
}

async function benchPhones(runs = 3): Promise<PhoneRow[]> {
  const rows: PhoneRow[] = [];
  for (let index = 0; index < PROFILES.length; index++) {
    const row: PhoneRow = {
      name: PROFILES[index].name,
      lens: '',
      firstFrame: [],
      captureToUpload: [],
      still: '',
      longestTask: 0,
      longestFrameGap: 0,
    };
    for (let run = 0; run < runs; run++) {
      const result = await once(index);
      row.firstFrame.push(result.firstFrame);
      row.captureToUpload.push(result.captureToUpload);
      row.lens = result.lens;
      row.still = result.still;
      row.longestTask = Math.max(row.longestTask, result.longestTask);
      row.longestFrameGap = Math.max(row.longestFrameGap, result.longestFrameGap);
    }
    rows.push(row);
  }
  return rows;
}
(window as unknown as { benchPhones: typeof benchPhones }).benchPhones = benchPhones;
