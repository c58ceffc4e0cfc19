// Lens choice, from real devices' published labels and capabilities (sources in test/support/phone-camera.ts).
import { expect } from '@open-wc/testing';
import {
  type CameraPlatform,
  type LensCandidate,
  aboveFirstStep,
  chooseLens,
  frameShade,
  isRear,
  lensName,
  needsProbe,
  nextLens,
  nextStallStep,
  switchList,
  upgradeSteps,
  worthNextStep,
} from '../../src/camera/lens-rules.ts';
import { PROFILES } from '../support/phone-camera.ts';

const ios = (...labels: string[]): LensCandidate[] => labels.map((label, i) => ({ deviceId: `d${i}`, label }));
const focus = ['manual', 'single-shot', 'continuous'];

/** Label sets as each device lists them, and the camera a good choice lands on. */
const TABLE: { device: string; platform: CameraPlatform; candidates: LensCandidate[]; expected: string | undefined }[] = [
  {
    device: 'iPhone 15 Pro (Safari 17)',
    platform: 'ios',
    candidates: ios(
      'Front Camera',
      'Back Triple Camera',
      'Back Dual Wide Camera',
      'Back Ultra Wide Camera',
      'Back Camera',
      'Back Telephoto Camera',
      'Back Dual Camera',
    ),
    expected: 'Back Triple Camera',
  },
  {
    device: 'iPhone 13 / 14 / 15',
    platform: 'ios',
    candidates: ios('Front Camera', 'Back Dual Wide Camera', 'Back Ultra Wide Camera', 'Back Camera'),
    expected: 'Back Dual Wide Camera',
  },
  {
    device: 'iPhone XS',
    platform: 'ios',
    candidates: ios('Front Camera', 'Back Dual Camera', 'Back Camera', 'Back Telephoto Camera'),
    expected: 'Back Dual Camera',
  },
  { device: 'iPhone SE (3rd generation)', platform: 'ios', candidates: ios('Front Camera', 'Back Camera'), expected: 'Back Camera' },
  // An ultra-wide listed on its own beside the main lens is never chosen; alone, it is all there is.
  {
    device: 'iPad Air (5th generation)',
    platform: 'ios',
    candidates: ios('Front Camera', 'Back Camera', 'Back Ultra Wide Camera'),
    expected: 'Back Camera',
  },
  {
    device: 'an iOS device with only an ultra-wide rear camera',
    platform: 'ios',
    candidates: ios('Front Camera', 'Back Ultra Wide Camera'),
    expected: 'Back Ultra Wide Camera',
  },
  {
    device: 'iPhone in French (labels localised)',
    platform: 'ios',
    candidates: ios('Caméra avant', 'Caméra arrière triple', 'Caméra arrière'),
    expected: undefined,
  },
  {
    device: 'Galaxy S23 Ultra (Chrome 124)',
    platform: 'android',
    candidates: [
      {
        deviceId: 'a0',
        label: 'camera2 0, facing back',
        capabilities: { facingMode: ['environment'], focusMode: focus, torch: true, width: { max: 4000 }, height: { max: 3000 } },
      },
      {
        deviceId: 'a1',
        label: 'camera2 1, facing front',
        capabilities: { facingMode: ['user'], focusMode: focus, width: { max: 3840 }, height: { max: 2160 } },
      },
      {
        deviceId: 'a2',
        label: 'camera2 2, facing back',
        capabilities: { facingMode: ['environment'], focusMode: focus, torch: false, width: { max: 3840 }, height: { max: 2160 } },
      },
      {
        deviceId: 'a3',
        label: 'camera2 3, facing back',
        capabilities: { facingMode: ['environment'], focusMode: focus, torch: false, width: { max: 1920 }, height: { max: 1080 } },
      },
    ],
    expected: 'camera2 0, facing back',
  },
  {
    device: 'budget Android with a depth sensor, no torch',
    platform: 'android',
    candidates: [
      {
        deviceId: 'b2',
        label: 'camera2 2, facing back',
        capabilities: { facingMode: ['environment'], focusMode: ['manual'], width: { max: 1600 }, height: { max: 1200 } },
      },
      {
        deviceId: 'b0',
        label: 'camera2 0, facing back',
        capabilities: { facingMode: ['environment'], focusMode: focus, width: { max: 1280 }, height: { max: 720 } },
      },
      {
        deviceId: 'b1',
        label: 'camera2 1, facing front',
        capabilities: { facingMode: ['user'], width: { max: 640 }, height: { max: 480 } },
      },
    ],
    expected: 'camera2 0, facing back',
  },
  {
    device: 'Android browser that names its lenses (Firefox, some OEM builds)',
    platform: 'android',
    candidates: [
      {
        deviceId: 'c0',
        label: 'Back ultra-wide camera',
        capabilities: { facingMode: ['environment'], focusMode: focus, torch: true, width: { max: 4000 } },
      },
      {
        deviceId: 'c1',
        label: 'Back macro camera',
        capabilities: { facingMode: ['environment'], focusMode: focus, torch: true, width: { max: 1600 } },
      },
      {
        deviceId: 'c2',
        label: 'Back camera',
        capabilities: { facingMode: ['environment'], focusMode: ['continuous'], width: { max: 1920 } },
      },
    ],
    expected: 'Back camera',
  },
  { device: 'a laptop', platform: 'other', candidates: ios('Integrated Camera', 'USB Camera'), expected: undefined },
];

describe('lens rules', () => {
  for (const row of TABLE) {
    it(`${row.device}: ${row.expected ?? 'keeps the camera facingMode opened'}`, () => {
      expect(chooseLens(row.platform, row.candidates)?.label).to.equal(row.expected);
    });
  }

  it('every simulated phone profile names the lens the rules choose', () => {
    for (const phone of PROFILES) {
      const platform: CameraPlatform = phone.os === 'android' ? 'android' : 'ios';
      const candidates = phone.lenses.map((lens, i) => ({
        deviceId: String(i),
        label: lens.label,
        capabilities: {
          facingMode: [lens.facing],
          focusMode: lens.focusModes,
          torch: lens.torch,
          width: { max: lens.modes[0][0] },
          height: { max: lens.modes[0][1] },
        },
      }));
      expect(chooseLens(platform, candidates)?.label, phone.name).to.equal(phone.expectedLens);
    }
  });

  it('a tie between Android cameras keeps the one already open', () => {
    const same = { facingMode: ['environment'], focusMode: ['continuous'], torch: true, width: { max: 1920 } };
    const candidates = [
      { deviceId: 'x', label: 'camera2 0, facing back', capabilities: same },
      { deviceId: 'y', label: 'camera2 4, facing back', capabilities: same },
    ];
    expect(chooseLens('android', candidates, 'y')?.deviceId).to.equal('y');
    expect(chooseLens('android', candidates)?.deviceId).to.equal('x');
  });

  it('Android probes only when there is more than one plain rear camera', () => {
    expect(needsProbe('android', ios('camera2 0, facing back', 'camera2 1, facing front'))).to.equal(false);
    expect(needsProbe('android', ios('camera2 0, facing back', 'camera2 1, facing front', 'camera2 2, facing back'))).to.equal(true);
    expect(needsProbe('ios', ios('Back Camera', 'Back Ultra Wide Camera'))).to.equal(false);
  });

  it('the switch moves between the chosen rear camera and the front one on phones, and names where it goes', () => {
    const candidates = ios('Front Camera', 'Back Triple Camera', 'Back Ultra Wide Camera', 'Back Camera');
    const list = switchList('ios', candidates, 'd1');
    expect(list.map((c) => c.label)).to.deep.equal(['Front Camera', 'Back Triple Camera']);
    const next = nextLens(list, 'd1')!;
    expect(lensName(list, next)).to.deep.equal({ kind: 'front' });
    expect(lensName(list, nextLens(list, 'd0')!)).to.deep.equal({ kind: 'back' });
    // A laptop's cameras keep their own names, numbered when two share one.
    const laptop = ios('USB Camera', 'USB Camera');
    expect(lensName(laptop, laptop[1])).to.deep.equal({ kind: 'label', label: 'USB Camera', number: 2 });
    expect(isRear({ deviceId: 'z', label: 'camera2 1, facing front' })).to.equal(false);
  });

  it('asks above 1080p only where the track reports it can, and steps down on the errors a smaller size cures', () => {
    expect(upgradeSteps({ width: { max: 4032 }, height: { max: 3024 } })).to.deep.equal([
      { width: 3840, height: 2160 },
      { width: 2560, height: 1440 },
    ]);
    expect(upgradeSteps({ width: { max: 1280 }, height: { max: 720 } })).to.deep.equal([]);
    expect(upgradeSteps(undefined)).to.deep.equal([]);
    expect(worthNextStep(new DOMException('x', 'OverconstrainedError'))).to.equal(true);
    expect(worthNextStep(new DOMException('x', 'NotReadableError'))).to.equal(true);
    expect(worthNextStep(new DOMException('x', 'NotAllowedError'))).to.equal(false);
    // What the sampler steps down from: larger than 1080p either way up.
    expect(aboveFirstStep(3840, 2160)).to.equal(true);
    expect(aboveFirstStep(1440, 2560), 'portrait').to.equal(true);
    expect(aboveFirstStep(1920, 1080)).to.equal(false);
    expect(aboveFirstStep(undefined, undefined), 'no size known').to.equal(false);
  });

  it('a stalled preview: play, then restart once, then explain; an ended track restarts at once', () => {
    expect([0, 1, 2, 3].map((n) => nextStallStep(n, false))).to.deep.equal(['play', 'restart', 'explain', 'explain']);
    expect([0, 1].map((n) => nextStallStep(n, true))).to.deep.equal(['restart', 'explain']);
  });

  it('a transparent read of the preview is unreadable, neither black nor lit; an opaque dark one is black', () => {
    const pixels = (r: number, g: number, b: number, a: number) => new Uint8ClampedArray(16 * 16 * 4).map((_, i) => [r, g, b, a][i % 4]);
    // WebKitGTK's canvas gets no frame from a 4K stream most of the time: every pixel 0, alpha included.
    expect(frameShade(pixels(0, 0, 0, 0))).to.equal('unreadable');
    expect(frameShade(pixels(0, 0, 0, 255)), 'a covered lens').to.equal('black');
    expect(frameShade(pixels(4, 5, 6, 255))).to.equal('black');
    // WebKit's mock camera: a dark pattern, but lit.
    expect(frameShade(pixels(13, 13, 13, 255))).to.equal('lit');
    const one = pixels(0, 0, 0, 0);
    one[3] = 255;
    expect(frameShade(one), 'one opaque pixel is a read').to.equal('black');
  });
});
