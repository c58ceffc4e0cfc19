/**
 * Pure rules for real phones' stream shapes, lenses and stills, as tables (no DOM): which fit the
 * full-screen view uses, how big the guide is and so how far the card sits, how far to zoom, and
 * what size of photo to ask for.
 */
import { expect } from '@open-wc/testing';
import {
  CAPTURE_MARGIN,
  CLOSE_FOCUS_MM,
  type CoverView,
  DOCUMENT_WIDTH_MM,
  FRAME_LONG_SIDE_MM,
  MAIN_LENS_FOCAL_MM,
  type Size,
  captureRect,
  frameInPhoto,
  frameTooSmall,
  guideRect,
  minGuideWidth,
  photoSize,
  viewFit,
  zoomFor,
} from '../../src/camera/camera-rules.ts';
import { MAX_CANVAS_PIXELS } from '../../src/image/canvas-limit.ts';
import { MIN_LONG_SIDE, MIN_SHORT_SIDE } from '../../src/image/limits.ts';
import { FILLS_GUIDE, MOTION_LIMIT, cameraHint, cardFill, frameChange } from '../../src/camera/framing.ts';
import type { QualityReport } from '../../src/quality/quality-rules.ts';
import { acceptFor } from '../../src/upload/accept-rules.ts';

/** The layer's free area, as camera-layer.styles.ts lays it out: 10.5rem above and below in portrait; in landscape 4.5rem, 0.75rem and an 11rem column each side. */
const portraitPhone: CoverView = { box: { width: 390, height: 844 }, area: { x: 0, y: 168, width: 390, height: 508 } };
const landscapeTablet: CoverView = { box: { width: 1180, height: 820 }, area: { x: 176, y: 72, width: 828, height: 736 } };

/** How far the card sits from the lens when it fills the guide, in mm, for a main lens (MAIN_LENS_FOCAL_MM). */
function cardDistance(frame: Size, guideWidth: number, zoom = 1): number {
  const share = guideWidth / Math.max(frame.width, frame.height);
  return (DOCUMENT_WIDTH_MM['id-card'] * MAIN_LENS_FOCAL_MM * zoom) / (FRAME_LONG_SIDE_MM * share);
}

describe('capture rules: every stream shape gives a usable crop, at the most detail the camera has', () => {
  // stream, screen, fit, least crop width (the MIN sizes, or 1280 from a 4K stream), least card distance (mm)
  const table: [string, Size, CoverView, 'cover' | 'contain', number, number][] = [
    ['1280×720 landscape stream on a 390×844 portrait phone', { width: 1280, height: 720 }, portraitPhone, 'contain', MIN_LONG_SIDE, 120],
    ['720×1280 portrait stream (a low-end phone)', { width: 720, height: 1280 }, portraitPhone, 'contain', MIN_LONG_SIDE, 120],
    ['1080×1920 portrait stream', { width: 1080, height: 1920 }, portraitPhone, 'cover', MIN_LONG_SIDE, 180],
    ['2160×3840 portrait stream (4K)', { width: 2160, height: 3840 }, portraitPhone, 'cover', 1280, CLOSE_FOCUS_MM],
    ['3840×2160 landscape 4K stream on a portrait phone', { width: 3840, height: 2160 }, portraitPhone, 'contain', 1280, CLOSE_FOCUS_MM],
    ['1080×1920 portrait stream on a landscape tablet', { width: 1080, height: 1920 }, landscapeTablet, 'cover', MIN_LONG_SIDE, 180],
    ['1920×1080 landscape stream on a landscape tablet', { width: 1920, height: 1080 }, landscapeTablet, 'cover', MIN_LONG_SIDE, 180],
  ];
  for (const [name, frame, view, fit, leastCrop, leastDistance] of table) {
    it(name, () => {
      expect(viewFit(frame, view, 'id-card'), 'fit').to.equal(fit);
      const crop = captureRect(frame.width, frame.height, 'id-card', view);
      expect(crop.width, 'crop width').to.be.at.least(leastCrop);
      expect(crop.height, 'crop height').to.be.at.least(MIN_SHORT_SIDE);
      const guide = guideRect(frame.width, frame.height, 'id-card', view);
      expect(cardDistance(frame, guide.width), 'card distance (mm)').to.be.at.least(leastDistance - 0.5);
    });
  }

  it('sizes the guide so a card that fills it sits at the close-focus limit, unless the frame is too small for that', () => {
    const frame = { width: 2160, height: 3840 };
    const guide = guideRect(frame.width, frame.height, 'id-card', portraitPhone);
    expect(cardDistance(frame, guide.width)).to.be.closeTo(CLOSE_FOCUS_MM, 1);
    // 1080p: at 20 cm the card would be 617 px, under the least usable guide: the guide keeps the pixels.
    const hd = guideRect(1080, 1920, 'id-card', portraitPhone);
    expect(hd.width).to.be.closeTo(minGuideWidth('id-card'), 1);
  });

  it('zooms in rather than bring the card closer, where the track can, up to 2×', () => {
    const range = { min: 1, max: 10, step: 0.1 };
    // stream, view, range, zoom
    const zooms: [Size, CoverView, typeof range | undefined, number][] = [
      [{ width: 2160, height: 3840 }, portraitPhone, range, 1.3],
      [{ width: 1080, height: 1920 }, portraitPhone, range, 1.3],
      [{ width: 1080, height: 1920 }, portraitPhone, undefined, 1],
      [{ width: 1080, height: 1920 }, portraitPhone, { min: 1, max: 1, step: 0.1 }, 1],
      [{ width: 1080, height: 1920 }, landscapeTablet, range, 1.1],
      [{ width: 3840, height: 2160 }, portraitPhone, { min: 1, max: 8, step: 0.5 }, 2],
    ];
    for (const [frame, view, zoomRange, zoom] of zooms)
      expect(zoomFor(frame, view, 'id-card', zoomRange), `${frame.width}×${frame.height}`).to.be.closeTo(zoom, 1e-9);
    // Zoomed, the guide grows and the card stays as far away.
    const frame = { width: 2160, height: 3840 };
    const zoomed = guideRect(frame.width, frame.height, 'id-card', { ...portraitPhone, zoom: 1.3 });
    const plain = guideRect(frame.width, frame.height, 'id-card', portraitPhone);
    expect(zoomed.width).to.be.closeTo(plain.width * 1.3, 1);
    expect(cardDistance(frame, zoomed.width, 1.3)).to.be.at.least(CLOSE_FOCUS_MM - 1);
  });

  it('inline, a small frame gets a wider guide; a frame that can only give image-too-small is refused', () => {
    expect(guideRect(640, 480, 'id-card').width).to.be.closeTo(640 / (1 + 2 * CAPTURE_MARGIN), 1e-6);
    expect(captureRect(640, 480, 'id-card').width).to.equal(640);
    // frame, refused
    const frames: [Size, boolean][] = [
      [{ width: 640, height: 480 }, false],
      [{ width: 1280, height: 720 }, false],
      [{ width: 720, height: 1280 }, false],
      [{ width: 480, height: 640 }, true],
      [{ width: 320, height: 240 }, true],
    ];
    for (const [frame, refused] of frames) expect(frameTooSmall(frame, 'id-card'), `${frame.width}×${frame.height}`).to.equal(refused);
  });
});

describe('capture rules: the still', () => {
  it('asks takePhoto for the frame’s aspect at the most pixels a canvas holds, or for nothing', () => {
    // capabilities (sensor orientation), frame, photo settings
    const cases: [
      { imageWidth?: { min?: number; max?: number; step?: number }; imageHeight?: { min?: number; max?: number; step?: number } },
      Size,
      { imageWidth: number; imageHeight: number } | undefined,
    ][] = [
      [
        { imageWidth: { min: 160, max: 4080, step: 1 }, imageHeight: { min: 120, max: 3072, step: 1 } },
        { width: 1080, height: 1920 },
        { imageWidth: 4080, imageHeight: 2295 },
      ],
      [
        { imageWidth: { min: 160, max: 4032, step: 1 }, imageHeight: { min: 120, max: 3024, step: 1 } },
        { width: 1920, height: 1080 },
        { imageWidth: 4032, imageHeight: 2268 },
      ],
      [{ imageWidth: { max: 1280 }, imageHeight: { max: 720 } }, { width: 1280, height: 720 }, undefined],
      [{}, { width: 1920, height: 1080 }, undefined],
    ];
    for (const [caps, frame, size] of cases) expect(photoSize(caps, frame)).to.deep.equal(size);
    // A 200 MP sensor: never past the canvas limit, still 16:9.
    const big = photoSize(
      { imageWidth: { min: 160, max: 16320, step: 16 }, imageHeight: { min: 120, max: 12240, step: 16 } },
      { width: 1080, height: 1920 },
    )!;
    expect(big.imageWidth * big.imageHeight).to.be.at.most(MAX_CANVAS_PIXELS);
    expect(big.imageWidth * big.imageHeight).to.be.at.least(MAX_CANVAS_PIXELS * 0.98);
    expect(big.imageWidth / big.imageHeight).to.be.closeTo(16 / 9, 0.01);
  });

  it('places the preview frame in the middle of a photo from the same sensor; a sideways photo is not used', () => {
    expect(frameInPhoto({ width: 1920, height: 1080 }, { width: 4032, height: 3024 })).to.deep.equal({
      scale: 2.1,
      x: 0,
      y: (3024 - 1080 * 2.1) / 2,
    });
    expect(frameInPhoto({ width: 1080, height: 1920 }, { width: 2295, height: 4080 })!.scale).to.be.closeTo(2.125, 1e-9);
    expect(frameInPhoto({ width: 1080, height: 1920 }, { width: 4080, height: 3072 })).to.equal(undefined);
  });
});

describe('framing: blur from motion, and blur from a card too close', () => {
  const blurred: QualityReport = {
    ok: false,
    issues: [{ code: 'blur', value: 0.01, limit: 0.02, message: '' }],
    corners: [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 10, y: 6 },
      { x: 0, y: 6 },
    ],
  };
  it('says "Hold still" for motion and "Move the phone back" for a still, blurred card that fills the guide', () => {
    // motion, fill, hint
    const rows: [number, number, string][] = [
      [MOTION_LIMIT + 4, 0.8, 'hold-still'],
      [Infinity, 0.8, 'hold-still'],
      [1, FILLS_GUIDE + 0.1, 'move-back'],
      [1, FILLS_GUIDE - 0.2, 'hold-still'],
    ];
    for (const [motion, fill, hint] of rows) expect(cameraHint(blurred, { motion, fill }), `motion ${motion}, fill ${fill}`).to.equal(hint);
    expect(cameraHint({ ok: true, issues: [], corners: blurred.corners }, { motion: 30, fill: 0.8 })).to.equal('ready');
  });

  it('measures change between frames and the card’s fill', () => {
    expect(frameChange(undefined, new Uint8Array(4))).to.equal(Infinity);
    expect(frameChange(Uint8Array.of(10, 10, 10, 10), Uint8Array.of(12, 8, 10, 10))).to.equal(1);
    expect(cardFill(blurred.corners, { width: 20, height: 6 })).to.be.closeTo(0.5, 1e-9);
  });
});

describe('accept: iOS converts HEIC library photos to JPEG only when HEIC is not listed', () => {
  const heic = (ua: string) => acceptFor(ua).includes('image/heic');
  const rows: [string, string, boolean][] = [
    [
      'iPhone Safari 17',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
      false,
    ],
    [
      'iPhone Chrome',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/122.0.6261.89 Mobile/15E148 Safari/604.1',
      false,
    ],
    [
      'macOS Safari 17 (and iPadOS 17)',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      true,
    ],
    [
      'macOS Safari 16',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Safari/605.1.15',
      false,
    ],
    [
      'Chrome on Windows',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
      false,
    ],
    [
      'Chrome on Android',
      'Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36',
      false,
    ],
    ['Firefox', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', false],
  ];
  for (const [name, ua, listed] of rows) it(`${name}: HEIC ${listed ? 'listed' : 'left out'}`, () => expect(heic(ua)).to.equal(listed));
});
