/**
 * The widget on simulated real phones (test/support/phone-camera.ts): each profile's lenses, labels,
 * stream shapes and photo sizes, and the faults real phones have and a fake camera never does. What a
 * user would notice: the right lens opens, the capture is big enough to check, a check completes, and a
 * camera that hangs, stalls or goes black ends in a message with a way out, never in "Starting camera…".
 */
import { expect } from '@open-wc/testing';
import type { AccuraIdLiveness, LivenessCaptureEvent, LivenessErrorEvent, LivenessResultEvent } from '../../src/index.ts';
import { MIN_LONG_SIDE, MIN_SHORT_SIDE } from '../../src/image/limits.ts';
import { MAX_CANVAS_PIXELS } from '../../src/image/canvas-limit.ts';
import {
  FACEBOOK_ANDROID_UA,
  PROFILES,
  type PhoneCamera,
  type PhoneOptions,
  WKWEBVIEW_UA,
  installPhone,
  profile,
} from '../support/phone-camera.ts';
import { button, chooseFile, countPreviewAnalyses, makeElement, oneEvent, untilLive, untilPhase, untilText } from '../support/harness.ts';
import { photoJpeg } from '../support/fixtures.ts';
import { until } from '../support/wait.mjs';

let sim: PhoneCamera | undefined;
let element: AccuraIdLiveness | undefined;
afterEach(() => {
  element?.remove();
  sim?.restore();
  sim = element = undefined;
});

async function phoneWidget(id: string, options: PhoneOptions = {}, attributes: Partial<AccuraIdLiveness> = {}) {
  sim = installPhone(profile(id), options);
  const { el } = await makeElement({ score: 81 }, { autoCapture: false, ...attributes });
  element = el;
  return el;
}

/** Space on the camera view, as a user on a keyboard (or the shutter) would. */
async function capture(el: AccuraIdLiveness): Promise<LivenessCaptureEvent['detail']> {
  const captured = oneEvent(el, 'liveness-capture') as Promise<LivenessCaptureEvent>;
  el.shadowRoot!.querySelector<HTMLElement>('[part=camera]')!.dispatchEvent(
    new KeyboardEvent('keydown', { key: ' ', bubbles: true, composed: true }),
  );
  return (await captured).detail;
}

async function check(el: AccuraIdLiveness): Promise<number> {
  await untilPhase(el, 'preview');
  const result = oneEvent(el, 'liveness-result') as Promise<LivenessResultEvent>;
  button(el, 'Check document').click();
  return (await result).detail.score;
}

async function cameraError(el: AccuraIdLiveness): Promise<string> {
  const failed = oneEvent(el, 'liveness-error') as Promise<LivenessErrorEvent>;
  button(el, 'Use camera').click();
  return (await failed).detail.code;
}

describe('the widget on real phone profiles', () => {
  for (const phone of PROFILES) {
    it(`${phone.name}: opens ${phone.expectedLens}, captures a card big enough to check, and a check completes`, async () => {
      const el = await phoneWidget(phone.id);
      button(el, 'Use camera').click();
      await untilLive(el);
      expect(sim!.currentLens(), 'the lens a good choice ends on').to.equal(phone.expectedLens);
      const still = await capture(el);
      expect(Math.max(still.width, still.height), 'long side').to.be.at.least(MIN_LONG_SIDE);
      expect(Math.min(still.width, still.height), 'short side').to.be.at.least(MIN_SHORT_SIDE);
      // A photo only where it beats the frame, and then sized: never the whole sensor.
      for (const photo of sim!.photos) {
        expect(photo.settings?.imageWidth, 'a sized photo').to.be.a('number');
        expect(photo.width * photo.height).to.be.at.most(MAX_CANVAS_PIXELS);
      }
      expect(await check(el)).to.equal(81);
    });
  }

  for (const shape of [
    { width: 1280, height: 720 },
    { width: 720, height: 1280 },
  ]) {
    it(`a ${shape.width}×${shape.height} stream in the full-screen camera still gives a capture big enough to check`, async () => {
      const el = await phoneWidget('iphone-se', { shape }, { cameraView: 'fullscreen' });
      button(el, 'Use camera').click();
      await untilLive(el);
      const still = await capture(el);
      expect(Math.max(still.width, still.height)).to.be.at.least(MIN_LONG_SIDE);
      expect(Math.min(still.width, still.height)).to.be.at.least(MIN_SHORT_SIDE);
      expect(await check(el)).to.equal(81);
    });
  }
});

describe('the widget when a phone camera misbehaves', () => {
  it('a camera request that never settles: camera-timeout, the link for a real browser, and an upload still completes', async () => {
    const el = await phoneWidget('pixel-8-pro', { neverSettle: true });
    expect(await cameraError(el)).to.equal('camera-timeout');
    await untilText(el, 'Copy the link for your browser');
    await chooseFile(el, new File([await photoJpeg(1600, 1000)], 'card.jpg', { type: 'image/jpeg' }));
    expect(await check(el)).to.equal(81);
  });

  it('a named in-app browser is told before the camera is asked for, with the way to Chrome', async () => {
    const el = await phoneWidget('pixel-8-pro', { userAgent: FACEBOOK_ANDROID_UA });
    expect(await cameraError(el)).to.equal('camera-unavailable');
    expect(sim!.calls, 'no camera request').to.have.length(0);
    await untilText(el, 'Open in your browser');
  });

  it('a WKWebView whose camera never answers: camera-timeout and the link to copy (iOS has no link out of an app)', async () => {
    const el = await phoneWidget('iphone-15-pro', { userAgent: WKWEBVIEW_UA, neverSettle: true });
    expect(await cameraError(el)).to.equal('camera-timeout');
    await untilText(el, 'Copy the link for your browser');
    expect(el.shadowRoot!.textContent).not.to.include('Open in your browser');
  });

  it('a stream that sends no frame: camera-stalled, and Try the camera again is offered', async () => {
    const el = await phoneWidget('android-720p', { blank: true });
    expect(await cameraError(el)).to.equal('camera-stalled');
    await untilText(el, 'sent no picture');
    expect(button(el, 'Try the camera again')).to.exist;
  });

  it('a 200 MP sensor that would send its whole photo: the photo asked for is sized, and the capture checks', async () => {
    const el = await phoneWidget('galaxy-s23-ultra', { photo200MP: true });
    button(el, 'Use camera').click();
    await untilLive(el);
    const still = await capture(el);
    for (const photo of sim!.photos) expect(photo.width * photo.height, 'never the 200 MP photo').to.be.at.most(MAX_CANVAS_PIXELS);
    expect(Math.max(still.width, still.height)).to.be.at.least(MIN_LONG_SIDE);
    expect(await check(el)).to.equal(81);
  });

  it('a camera refusing anything above 1080p opens at 1080p and captures', async () => {
    const el = await phoneWidget('galaxy-s23-ultra', { overconstrainedAbove1080: true });
    button(el, 'Use camera').click();
    await untilLive(el);
    expect(Math.max(sim!.currentSize()!.width, sim!.currentSize()!.height)).to.be.at.most(1920);
    const still = await capture(el);
    expect(Math.max(still.width, still.height)).to.be.at.least(MIN_LONG_SIDE);
  });

  it('a track ended in the background and black frames after the return: the camera restarts and captures', async () => {
    const el = await phoneWidget('iphone-15-pro', { endOnHidden: true, blackAfterResume: 'until-restart' });
    button(el, 'Use camera').click();
    await untilLive(el);
    const opened = sim!.opened.length;
    sim!.background();
    sim!.foreground();
    await until('the camera to open again', () => sim!.opened.length > opened);
    await untilLive(el);
    const still = await capture(el);
    expect(Math.max(still.width, still.height)).to.be.at.least(MIN_LONG_SIDE);
  });

  // Before, a restart ended the preview loop: the camera came back with no guidance and no auto-capture.
  for (const restart of ['the page goes away and comes back', 'the user switches to the other camera'] as const) {
    it(`${restart}: the camera restarts, and its preview frames are judged again`, async () => {
      const analyses = countPreviewAnalyses();
      try {
        const el = await phoneWidget('iphone-15-pro', {}, { qualityCheck: 'warn' });
        button(el, 'Use camera').click();
        await untilLive(el);
        await until('a first preview frame judged', () => analyses.reported() >= 1);
        const opened = sim!.opened.length;
        if (restart === 'the page goes away and comes back') {
          sim!.background();
          sim!.foreground();
        } else {
          [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent?.startsWith('Switch to'))!.click();
        }
        await until('the camera to open again', () => sim!.opened.length > opened);
        await untilLive(el);
        const before = analyses.reported();
        await until('two preview frames judged after the restart', () => analyses.reported() >= before + 2, {
          seen: () => `${analyses.reported() - before} judged after it`,
        });
        expect(el.phase).to.equal('camera');
      } finally {
        analyses.restore();
      }
    });
  }

  it('a preview that stays black: the hint says so, then camera-stalled with the ways out', async () => {
    const el = await phoneWidget('iphone-15-pro', { blackAfterResume: 'always' });
    button(el, 'Use camera').click();
    await untilLive(el);
    const failed = oneEvent(el, 'liveness-error') as Promise<LivenessErrorEvent>;
    sim!.background();
    sim!.foreground();
    expect((await failed).detail.code).to.equal('camera-stalled');
    await untilText(el, 'only black');
    await untilText(el, 'Choose a photo instead');
    expect(button(el, 'Try the camera again')).to.exist;
  });
});
