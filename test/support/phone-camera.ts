/**
 * A phone camera simulator for browser tests: replaces `navigator.mediaDevices` (enumerateDevices,
 * getUserMedia), each track's getCapabilities / getSettings / applyConstraints, and `ImageCapture`
 * (getPhotoCapabilities, takePhoto), driven by recorded profiles of real phones. Frames are real: a
 * canvas `captureStream()` of a rendered card scene at the stream's shape, so a `<video>` plays them
 * and the widget's whole pipeline runs on them, in Chromium, Firefox and WebKitGTK alike.
 *
 * Fault switches reproduce what real phones do and a fake camera never does: a getUserMedia that never
 * settles (Facebook's Android in-app browser), OverconstrainedError above 1080p, a stream with no frames,
 * a track that ends when the page is hidden, black frames after a resume, a 200 MP takePhoto(), and
 * another user agent (a WKWebView, an in-app browser).
 *
 * Sources for the profiles (labels, lens sets, capabilities, resolutions, close-focus distances):
 * - iOS labels: WebKit enumerates AVCaptureDevice discovery-session types and uses each device's
 *   `localizedName` (WebKit, Source/WebCore/platform/mediastream/mac/AVCaptureDeviceManager.mm); Apple's
 *   names are "Back Camera", "Back Ultra Wide Camera", "Back Telephoto Camera", "Back Dual Camera",
 *   "Back Dual Wide Camera", "Back Triple Camera", "Front Camera" (Apple, AVCaptureDevice.DeviceType,
 *   developer.apple.com/documentation/avfoundation/avcapturedevice/devicetype). The same list is what
 *   BlinkID's `CameraUtils.selectCamera` (github.com/BlinkID/blinkid-in-browser, src/MicroblinkSDK/CameraUtils.ts)
 *   matches by label.
 * - iOS close focus: `AVCaptureDevice.minimumFocusDistance` (Apple docs; WWDC21 "What's new in camera
 *   capture", which gives 20 cm for iPhone 13 Pro's wide lens and shows the zoom-out fix in the
 *   AVCamBarcode sample). iPhone 15 Pro's main lens reports the same 20 cm class; the SE's older
 *   12 MP lens focuses from about 10 cm.
 * - Lens sets and sensor sizes: Apple's tech specs (support.apple.com/kb/SP903 iPhone 15 Pro, SP867
 *   iPhone SE 3rd gen, iPad Pro 12.9" 6th gen SP882), Google's Pixel 8 Pro tech specs
 *   (store.google.com/product/pixel_8_pro_specs), Samsung's Galaxy S23 Ultra specs (samsung.com, SM-S918B:
 *   200 MP main, 16320 × 12240), GSMArena pages for each for the close-focus class.
 * - Android labels and capabilities: Chrome names camera2 devices "camera2 N, facing back|front"
 *   (Chromium, media/capture/video/android/java/src/org/chromium/media/VideoCaptureCamera2.java), and
 *   reports focusMode / torch / zoom / focusDistance from camera2's characteristics (LENS_INFO_MINIMUM_FOCUS_DISTANCE
 *   in dioptres, given here in metres as Chrome converts it). Chrome's ImageCapture getPhotoCapabilities()
 *   reports the largest JPEG size camera2 offers to apps (12 MP binned on the 200 MP phone).
 * - Defaults: Chrome and Safari open 640 × 480 when no size is asked; Safari and Chrome on a phone held
 *   upright deliver portrait frames (the sensor's landscape mode, rotated).
 * Figures a spec sheet doesn't give (an Android camera id's extra rear lens, frame rates) are the usual
 * values for that class of phone and are marked "class value" below.
 */
import { drawPhotoLike } from './fixtures.ts';

export type Facing = 'environment' | 'user';
/** What a lens is, so a table test can name the one that should be chosen. */
export type LensKind = 'wide' | 'ultra-wide' | 'tele' | 'dual' | 'dual-wide' | 'triple' | 'front' | 'depth' | 'macro';

export interface SimLens {
  label: string;
  facing: Facing;
  kind: LensKind;
  /** Video modes the lens offers, landscape (sensor) width × height, largest first. */
  modes: [number, number][];
  focusModes?: string[];
  torch?: boolean;
  zoom?: { min: number; max: number; step: number };
  /** The closest the lens focuses, in metres (Chrome's focusDistance.min; iOS's minimumFocusDistance). */
  closeFocus: number;
  /** The largest still ImageCapture offers, landscape. */
  photo: [number, number];
}

export interface PhoneProfile {
  id: string;
  name: string;
  os: 'ios' | 'ipados' | 'android';
  userAgent: string;
  platform: string;
  maxTouchPoints: number;
  /** The screen in CSS pixels as held in the tests (portrait for phones, landscape for the iPad). */
  screen: { width: number; height: number };
  /** Frames are delivered rotated to portrait (a phone held upright). */
  portrait: boolean;
  /** Where `facingMode: environment` lands. */
  defaultRear: string;
  /** Chrome on Android has ImageCapture; Safari doesn't. */
  imageCapture: boolean;
  /** Only one camera can be open at a time (Android's camera HAL): a second open fails with NotReadableError. */
  exclusive: boolean;
  /** Time the camera takes to open, in ms (class value), so the bench's time to the first frame is not zero. */
  openMs: number;
  lenses: SimLens[];
  /** The lens a good choice ends on. */
  expectedLens: string;
}

const IOS_17_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
/** iPadOS asks for desktop sites: the user agent is a Mac's; only the touch points tell. */
const IPADOS_17_SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const androidChrome = (model: string) =>
  `Mozilla/5.0 (Linux; Android 14; ${model}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36`;

/** A WKWebView inside an app: iOS WebKit with no "Safari/" token (what Twitter's and many apps' views send). */
export const WKWEBVIEW_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
/** An Android WebView: Chrome's user agent with "; wv)". */
export const ANDROID_WEBVIEW_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro Build/AP1A.240405.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36';
/** Facebook's Android in-app browser. */
export const FACEBOOK_ANDROID_UA = `${ANDROID_WEBVIEW_UA} [FB_IAB/FB4A;FBAV/458.0.0.40.98;]`;

const UHD: [number, number][] = [
  [3840, 2160],
  [1920, 1080],
  [1280, 720],
  [640, 480],
];
const IOS_MODES: [number, number][] = [[4032, 3024], ...UHD];

export const PROFILES: PhoneProfile[] = [
  {
    id: 'iphone-15-pro',
    name: 'iPhone 15 Pro',
    os: 'ios',
    userAgent: IOS_17_SAFARI,
    platform: 'iPhone',
    maxTouchPoints: 5,
    screen: { width: 393, height: 852 },
    portrait: true,
    defaultRear: 'Back Camera',
    imageCapture: false,
    exclusive: false,
    openMs: 250,
    lenses: [
      { label: 'Front Camera', facing: 'user', kind: 'front', modes: IOS_MODES, closeFocus: 0.3, photo: [4032, 3024] },
      {
        label: 'Back Triple Camera',
        facing: 'environment',
        kind: 'triple',
        modes: IOS_MODES,
        zoom: { min: 1, max: 15, step: 0.1 },
        torch: true,
        closeFocus: 0.02,
        photo: [4032, 3024],
      },
      {
        label: 'Back Dual Wide Camera',
        facing: 'environment',
        kind: 'dual-wide',
        modes: IOS_MODES,
        zoom: { min: 1, max: 15, step: 0.1 },
        torch: true,
        closeFocus: 0.02,
        photo: [4032, 3024],
      },
      {
        label: 'Back Ultra Wide Camera',
        facing: 'environment',
        kind: 'ultra-wide',
        modes: IOS_MODES,
        zoom: { min: 1, max: 5, step: 0.1 },
        torch: true,
        closeFocus: 0.02,
        photo: [4032, 3024],
      },
      {
        label: 'Back Camera',
        facing: 'environment',
        kind: 'wide',
        modes: IOS_MODES,
        zoom: { min: 1, max: 10, step: 0.1 },
        torch: true,
        closeFocus: 0.2,
        photo: [4032, 3024],
      },
      {
        label: 'Back Telephoto Camera',
        facing: 'environment',
        kind: 'tele',
        modes: IOS_MODES,
        zoom: { min: 1, max: 5, step: 0.1 },
        torch: true,
        closeFocus: 0.6,
        photo: [4032, 3024],
      },
      {
        label: 'Back Dual Camera',
        facing: 'environment',
        kind: 'dual',
        modes: IOS_MODES,
        zoom: { min: 1, max: 15, step: 0.1 },
        torch: true,
        closeFocus: 0.2,
        photo: [4032, 3024],
      },
    ],
    expectedLens: 'Back Triple Camera',
  },
  {
    id: 'iphone-se',
    name: 'iPhone SE (3rd generation)',
    os: 'ios',
    userAgent: IOS_17_SAFARI,
    platform: 'iPhone',
    maxTouchPoints: 5,
    screen: { width: 375, height: 667 },
    portrait: true,
    defaultRear: 'Back Camera',
    imageCapture: false,
    exclusive: false,
    openMs: 300,
    lenses: [
      { label: 'Front Camera', facing: 'user', kind: 'front', modes: UHD, closeFocus: 0.3, photo: [3088, 2320] },
      {
        label: 'Back Camera',
        facing: 'environment',
        kind: 'wide',
        modes: IOS_MODES,
        zoom: { min: 1, max: 5, step: 0.1 },
        torch: true,
        closeFocus: 0.1,
        photo: [4032, 3024],
      },
    ],
    expectedLens: 'Back Camera',
  },
  {
    id: 'pixel-8-pro',
    name: 'Pixel 8 Pro',
    os: 'android',
    userAgent: androidChrome('Pixel 8 Pro'),
    platform: 'Linux armv81',
    maxTouchPoints: 5,
    screen: { width: 412, height: 915 },
    portrait: true,
    defaultRear: 'camera2 0, facing back',
    imageCapture: true,
    exclusive: true,
    openMs: 350,
    lenses: [
      {
        label: 'camera2 0, facing back',
        facing: 'environment',
        kind: 'wide',
        modes: [[4080, 3072], ...UHD],
        focusModes: ['manual', 'single-shot', 'continuous'],
        torch: true,
        zoom: { min: 1, max: 30, step: 0.1 },
        closeFocus: 0.08,
        photo: [4080, 3072],
      },
      {
        label: 'camera2 1, facing front',
        facing: 'user',
        kind: 'front',
        modes: UHD,
        focusModes: ['manual', 'single-shot', 'continuous'],
        closeFocus: 0.2,
        photo: [3840, 2880],
      },
      // Class value: the ultra-wide as a separate id, fixed focus to apps, no flash unit of its own.
      {
        label: 'camera2 2, facing back',
        facing: 'environment',
        kind: 'ultra-wide',
        modes: UHD,
        focusModes: ['manual'],
        torch: false,
        closeFocus: 0.03,
        photo: [4000, 3000],
      },
    ],
    expectedLens: 'camera2 0, facing back',
  },
  {
    id: 'galaxy-s23-ultra',
    name: 'Galaxy S23 Ultra',
    os: 'android',
    userAgent: androidChrome('SM-S918B'),
    platform: 'Linux armv81',
    maxTouchPoints: 5,
    screen: { width: 384, height: 824 },
    portrait: true,
    // Samsung lists the ultra-wide first on some firmwares; facingMode can land on it (class value: camera2 2).
    defaultRear: 'camera2 2, facing back',
    imageCapture: true,
    exclusive: true,
    openMs: 400,
    lenses: [
      {
        label: 'camera2 0, facing back',
        facing: 'environment',
        kind: 'wide',
        modes: [[4000, 3000], ...UHD],
        focusModes: ['manual', 'single-shot', 'continuous'],
        torch: true,
        zoom: { min: 1, max: 10, step: 0.1 },
        closeFocus: 0.12,
        photo: [4000, 3000],
      },
      {
        label: 'camera2 1, facing front',
        facing: 'user',
        kind: 'front',
        modes: UHD,
        focusModes: ['manual', 'single-shot', 'continuous'],
        closeFocus: 0.25,
        photo: [3648, 2736],
      },
      {
        label: 'camera2 2, facing back',
        facing: 'environment',
        kind: 'ultra-wide',
        modes: UHD,
        focusModes: ['manual', 'single-shot', 'continuous'],
        torch: false,
        closeFocus: 0.05,
        photo: [4000, 3000],
      },
      {
        label: 'camera2 3, facing back',
        facing: 'environment',
        kind: 'tele',
        modes: UHD.slice(1),
        focusModes: ['manual', 'single-shot', 'continuous'],
        torch: false,
        closeFocus: 0.5,
        photo: [3648, 2736],
      },
    ],
    expectedLens: 'camera2 0, facing back',
  },
  {
    id: 'android-720p',
    name: 'Low-end Android (720p, no torch)',
    os: 'android',
    userAgent: androidChrome('SM-A037F'),
    platform: 'Linux armv7l',
    maxTouchPoints: 5,
    screen: { width: 360, height: 760 },
    portrait: true,
    defaultRear: 'camera2 0, facing back',
    imageCapture: true,
    exclusive: true,
    openMs: 600,
    lenses: [
      {
        label: 'camera2 0, facing back',
        facing: 'environment',
        kind: 'wide',
        modes: [
          [1280, 720],
          [640, 480],
        ],
        focusModes: ['manual', 'single-shot', 'continuous'],
        torch: false,
        closeFocus: 0.1,
        photo: [4160, 3120],
      },
      {
        label: 'camera2 1, facing front',
        facing: 'user',
        kind: 'front',
        modes: [[640, 480]],
        focusModes: ['manual'],
        closeFocus: 0.3,
        photo: [2592, 1944],
      },
      // Class value: the 2 MP depth sensor budget phones list as a second back camera.
      {
        label: 'camera2 2, facing back',
        facing: 'environment',
        kind: 'depth',
        modes: [
          [1600, 1200],
          [640, 480],
        ],
        focusModes: ['manual'],
        torch: false,
        closeFocus: 0.3,
        photo: [1600, 1200],
      },
    ],
    expectedLens: 'camera2 0, facing back',
  },
  {
    id: 'ipad-pro',
    name: 'iPad Pro 12.9" (6th generation)',
    os: 'ipados',
    userAgent: IPADOS_17_SAFARI,
    platform: 'MacIntel',
    maxTouchPoints: 5,
    screen: { width: 1366, height: 1024 },
    portrait: false,
    defaultRear: 'Back Camera',
    imageCapture: false,
    exclusive: false,
    openMs: 250,
    lenses: [
      { label: 'Front Camera', facing: 'user', kind: 'front', modes: UHD, closeFocus: 0.3, photo: [4032, 3024] },
      {
        label: 'Back Camera',
        facing: 'environment',
        kind: 'wide',
        modes: IOS_MODES,
        zoom: { min: 1, max: 5, step: 0.1 },
        torch: true,
        closeFocus: 0.1,
        photo: [4032, 3024],
      },
      {
        label: 'Back Ultra Wide Camera',
        facing: 'environment',
        kind: 'ultra-wide',
        modes: UHD,
        torch: true,
        closeFocus: 0.1,
        photo: [4032, 3024],
      },
      {
        label: 'Back Dual Wide Camera',
        facing: 'environment',
        kind: 'dual-wide',
        modes: IOS_MODES,
        zoom: { min: 1, max: 10, step: 0.1 },
        torch: true,
        closeFocus: 0.1,
        photo: [4032, 3024],
      },
    ],
    expectedLens: 'Back Dual Wide Camera',
  },
];

export const profile = (id: string): PhoneProfile => {
  const found = PROFILES.find((p) => p.id === id);
  if (!found) throw new Error(`No phone profile "${id}"`);
  return found;
};

export interface PhoneFaults {
  /** getUserMedia never settles (in-app browsers). */
  neverSettle?: boolean;
  /** Any size above 1080p (asked or applied) fails with OverconstrainedError. */
  overconstrainedAbove1080?: boolean;
  /** The stream delivers no frame at all. */
  blank?: boolean;
  /** Live tracks end (stop + `ended`) when the page is hidden. */
  endOnHidden?: boolean;
  /** After the page comes back: every frame is black, `until-restart` (a new stream is fine) or `always`. */
  blackAfterResume?: 'until-restart' | 'always';
  /** takePhoto() with no size gives the 200 MP sensor's full 16320 × 12240 JPEG. */
  photo200MP?: boolean;
  /** Another user agent, e.g. WKWEBVIEW_UA. */
  userAgent?: string;
}

export interface PhoneOptions extends PhoneFaults {
  /** Force the delivered frame size (any width × height), whatever the constraints ask. */
  shape?: { width: number; height: number };
  /** Frames per second drawn on the canvas. */
  fps?: number;
  /** The card's share of the frame's limiting side. */
  cardShare?: number;
}

/** One simulated camera stream. */
interface SimStream {
  lens: SimLens;
  canvas: HTMLCanvasElement;
  stream: MediaStream;
  track: MediaStreamTrack;
  black: boolean;
  timer?: ReturnType<typeof setInterval>;
}

/** The simulator's handle: what was asked, what is live, and the switches a test pulls. */
export interface PhoneCamera {
  profile: PhoneProfile;
  /** Every getUserMedia call's constraints, in order. */
  calls: MediaStreamConstraints[];
  /** Every applyConstraints call, in order. */
  applied: MediaTrackConstraints[];
  /** Labels of the lenses opened, in order. */
  opened: string[];
  /** Every takePhoto call's settings (undefined: no settings) and the photo's size. */
  photos: { settings?: PhotoSettings; width: number; height: number }[];
  /** The lens of the newest live stream, if any. */
  currentLens(): string | undefined;
  /** Frame size of the newest live stream. */
  currentSize(): { width: number; height: number } | undefined;
  /** The page goes to the background (visibilityState hidden), then comes back. */
  background(): void;
  foreground(): void;
  /** The live track is muted / unmuted by the system (a call, Siri). */
  mute(): void;
  unmute(): void;
  /** The system ends the live track (another app took the camera). */
  end(): void;
  /** Turns black frames on or off for the live stream. */
  setBlack(black: boolean): void;
  /** Puts every replaced API back and stops every stream. */
  restore(): void;
}

export interface PhotoSettings {
  imageWidth?: number;
  imageHeight?: number;
  fillLightMode?: string;
}

const sensor200MP: [number, number] = [16320, 12240];

function overconstrained(constraint: string, message: string): Error {
  const Ctor = (globalThis as unknown as { OverconstrainedError?: new (constraint: string, message: string) => Error })
    .OverconstrainedError;
  if (typeof Ctor === 'function') return new Ctor(constraint, message);
  return Object.assign(new DOMException(message, 'OverconstrainedError'), { constraint });
}

type Range = number | ConstrainULong | undefined;
const parts = (value: Range) =>
  (typeof value === 'number' ? { ideal: value } : (value ?? {})) as { ideal?: number; exact?: number; min?: number; max?: number };

/** The constraint's width and height, turned landscape when it asks for portrait (the sensor's modes are landscape). */
function sizeConstraint(video: MediaTrackConstraints) {
  let w = parts(video.width as Range);
  let h = parts(video.height as Range);
  const wv = w.exact ?? w.ideal ?? w.min;
  const hv = h.exact ?? h.ideal ?? h.min;
  if (wv !== undefined && hv !== undefined && hv > wv) [w, h] = [h, w];
  return { w, h };
}

/** The mode a browser would pick: within exact/min/max, nearest the ideal; 640 × 480 when nothing is asked. */
function chooseMode(lens: SimLens, video: MediaTrackConstraints): [number, number] {
  const { w, h } = sizeConstraint(video);
  const fits = (value: number, c: ReturnType<typeof parts>) =>
    (c.exact === undefined || c.exact === value) && (c.min === undefined || value >= c.min) && (c.max === undefined || value <= c.max);
  const candidates = lens.modes.filter(([mw, mh]) => fits(mw, w) && fits(mh, h));
  if (!candidates.length) throw overconstrained(w.exact || w.min ? 'width' : 'height', 'No camera mode meets the constraints');
  const iw = w.ideal ?? w.exact ?? w.min;
  const ih = h.ideal ?? h.exact ?? h.min;
  if (iw === undefined && ih === undefined)
    return candidates.find(([mw, mh]) => mw === 640 && mh === 480) ?? candidates[candidates.length - 1];
  const distance = ([mw, mh]: [number, number]) =>
    (iw === undefined ? 0 : Math.abs(mw - iw) / Math.max(mw, iw)) + (ih === undefined ? 0 : Math.abs(mh - ih) / Math.max(mh, ih));
  return candidates.reduce((best, mode) => (distance(mode) < distance(best) ? mode : best));
}

/** True when a constraint asks (ideal, exact or min) for more than 1080p. */
function asksAbove1080(video: MediaTrackConstraints): boolean {
  const { w, h } = sizeConstraint(video);
  const most = (c: ReturnType<typeof parts>) => Math.max(c.ideal ?? 0, c.exact ?? 0, c.min ?? 0);
  return most(w) > 1920 || most(h) > 1080;
}

/** The frame a phone delivers for a sensor mode: rotated to portrait when held upright. */
function oriented(profile: PhoneProfile, [w, h]: [number, number]): { width: number; height: number } {
  return profile.portrait ? { width: h, height: w } : { width: w, height: h };
}

/** Draws the card scene at the canvas's size (cached per size: drawing 8 MP takes a moment). */
const scenes = new Map<string, OffscreenCanvas>();
function sceneFor(width: number, height: number, cardShare: number): OffscreenCanvas {
  const key = `${width}x${height}@${cardShare}`;
  let scene = scenes.get(key);
  if (!scene) {
    scene = new OffscreenCanvas(width, height);
    // Sensor noise is a per-pixel loop: skipped above 2 MP, where it would take seconds on a loaded machine.
    drawPhotoLike(scene.getContext('2d')!, width, height, 21, width * height > 2_100_000 ? 0 : 8, cardShare);
    scenes.set(key, scene);
  }
  return scene;
}

/**
 * A grey JPEG of any size, written by hand: every 8 × 8 block flat (DC only), a light card on a dark
 * table. A 200 MP file is about 1.2 MB and takes milliseconds to make, where a canvas would need 800 MB.
 */
export function flatJpeg(width: number, height: number): Blob {
  const blocksX = Math.ceil(width / 8);
  const blocksY = Math.ceil(height / 8);
  const out = new Uint8Array(blocksX * blocksY + 4096);
  let length = 0;
  const put = (...bytes: number[]) => {
    for (const b of bytes) out[length++] = b;
  };
  put(0xff, 0xd8);
  put(0xff, 0xdb, 0, 67, 0, ...new Array<number>(64).fill(1)); // quantisation: all 1
  put(0xff, 0xc0, 0, 11, 8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0);
  // The standard luminance DC table, and an AC table with only end-of-block ("0").
  const dcBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
  put(0xff, 0xc4, 0, 31, 0x00, ...dcBits, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  put(0xff, 0xc4, 0, 20, 0x10, 1, ...new Array<number>(15).fill(0), 0);
  put(0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 63, 0);
  const dcCodes: [number, number][] = [
    [0b00, 2],
    [0b010, 3],
    [0b011, 3],
    [0b100, 3],
    [0b101, 3],
    [0b110, 3],
    [0b1110, 4],
    [0b11110, 5],
    [0b111110, 6],
    [0b1111110, 7],
    [0b11111110, 8],
    [0b111111110, 9],
  ];
  let acc = 0;
  let bits = 0;
  const write = (value: number, count: number) => {
    for (let i = count - 1; i >= 0; i--) {
      acc = (acc << 1) | ((value >> i) & 1);
      if (++bits === 8) {
        out[length++] = acc;
        if (acc === 0xff) out[length++] = 0;
        acc = 0;
        bits = 0;
      }
    }
  };
  const card = { x0: blocksX * 0.2, x1: blocksX * 0.8, y0: blocksY * 0.5 - blocksX * 0.19, y1: blocksY * 0.5 + blocksX * 0.19 };
  let previous = 0;
  for (let by = 0; by < blocksY; by++) {
    for (let bx = 0; bx < blocksX; bx++) {
      const inCard = bx >= card.x0 && bx < card.x1 && by >= card.y0 && by < card.y1;
      const level = inCard ? (by < card.y0 + (card.y1 - card.y0) * 0.16 ? 80 : 215) : 70;
      const dc = 8 * (level - 128);
      const diff = dc - previous;
      previous = dc;
      const magnitude = Math.abs(diff);
      const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
      write(...dcCodes[category]);
      if (category) write(diff > 0 ? diff : diff + (1 << category) - 1, category);
      write(0, 1); // end of block
    }
  }
  if (bits) write(0xff >> bits, 8 - bits);
  put(0xff, 0xd9);
  return new Blob([out.slice(0, length)], { type: 'image/jpeg' });
}

/** Installs the simulator for a profile, with any faults. Call restore() when done. */
export function installPhone(phone: PhoneProfile, options: PhoneOptions = {}): PhoneCamera {
  const fps = options.fps ?? 15;
  const cardShare = options.cardShare ?? 0.7;
  const ids = new Map(phone.lenses.map((lens, i) => [lens, `${phone.id}-${i}-${(0x9e3779b1 * (i + 7)).toString(16)}`]));
  const lensById = new Map([...ids].map(([lens, id]) => [id, lens]));
  const streams: SimStream[] = [];
  let permitted = false;
  let hidden = false;
  let resumed = false;
  let blackNext = false;
  const handle: PhoneCamera = {
    profile: phone,
    calls: [],
    applied: [],
    opened: [],
    photos: [],
    currentLens: () => live().at(-1)?.lens.label,
    currentSize: () => {
      const s = live().at(-1);
      return s ? { width: s.canvas.width, height: s.canvas.height } : undefined;
    },
    background: () => {
      hidden = true;
      document.dispatchEvent(new Event('visibilitychange'));
      if (options.endOnHidden) for (const s of live()) endTrack(s);
    },
    foreground: () => {
      hidden = false;
      resumed = true;
      // Black until a restart: the streams live now, or else the next one opened (an app that restarts on resume).
      if (options.blackAfterResume) for (const s of live()) setBlack(s, true);
      if (options.blackAfterResume === 'until-restart' && !live().length) blackNext = true;
      document.dispatchEvent(new Event('visibilitychange'));
    },
    mute: () => setMuted(true),
    unmute: () => setMuted(false),
    end: () => live().forEach(endTrack),
    setBlack: (black) => live().forEach((s) => setBlack(s, black)),
    restore: () => {
      for (const s of streams) stopStream(s);
      for (const [target, key] of replaced) delete (target as Record<string, unknown>)[key];
      for (const [target, key, descriptor] of saved) Object.defineProperty(target, key, descriptor);
    },
  };

  const live = () => streams.filter((s) => s.track.readyState === 'live');
  const stopStream = (s: SimStream) => {
    clearInterval(s.timer);
    s.track.stop();
  };
  const endTrack = (s: SimStream) => {
    stopStream(s);
    s.track.dispatchEvent(new Event('ended'));
  };
  let muted = false;
  const setMuted = (value: boolean) => {
    muted = value;
    for (const s of live()) s.track.dispatchEvent(new Event(value ? 'mute' : 'unmute'));
  };
  const setBlack = (s: SimStream, black: boolean) => {
    s.black = black;
    paint(s);
  };
  const paint = (s: SimStream) => {
    const context = s.canvas.getContext('2d')!;
    if (s.black) {
      context.fillStyle = '#000';
      context.fillRect(0, 0, s.canvas.width, s.canvas.height);
    } else {
      context.drawImage(sceneFor(s.canvas.width, s.canvas.height, cardShare), 0, 0);
    }
  };
  /** A new frame: one pixel in the corner flips, so the canvas is dirty and captureStream sends it. */
  let tick = 0;
  const touch = (s: SimStream) => {
    const context = s.canvas.getContext('2d')!;
    context.fillStyle = s.black ? `rgb(${tick++ % 2},0,0)` : `rgb(${100 + (tick++ % 2)},80,60)`;
    context.fillRect(0, 0, 1, 1);
  };
  const resize = (s: SimStream, size: { width: number; height: number }) => {
    s.canvas.width = size.width;
    s.canvas.height = size.height;
    paint(s);
  };

  const capabilities = (lens: SimLens): MediaTrackCapabilities => {
    const [w, h] = lens.modes[0];
    const caps: Record<string, unknown> = {
      deviceId: ids.get(lens),
      groupId: `${phone.id}-group`,
      facingMode: [lens.facing],
      width: { min: 1, max: w },
      height: { min: 1, max: h },
      aspectRatio: { min: 1 / h, max: w },
      frameRate: { min: 1, max: 60 },
      resizeMode: phone.os === 'android' ? ['none', 'crop-and-scale'] : undefined,
    };
    if (phone.os === 'android') {
      caps.focusMode = lens.focusModes ?? [];
      caps.focusDistance = { min: lens.closeFocus, max: 10, step: 0.01 };
      caps.torch = Boolean(lens.torch);
    } else if (lens.torch) {
      caps.torch = true; // Safari 17.4+
    }
    if (lens.zoom) caps.zoom = lens.zoom;
    return Object.fromEntries(Object.entries(caps).filter(([, v]) => v !== undefined)) as MediaTrackCapabilities;
  };

  const open = async (lens: SimLens, video: MediaTrackConstraints): Promise<MediaStream> => {
    if (options.overconstrainedAbove1080 && asksAbove1080(video)) throw overconstrained('height', 'This camera fails above 1080p');
    const size = options.shape ?? oriented(phone, chooseMode(lens, video));
    if (phone.exclusive && live().length) throw new DOMException('Could not start video source', 'NotReadableError');
    await new Promise((resolve) => setTimeout(resolve, phone.openMs));
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    // A blank stream: no frame is ever drawn or requested.
    const stream = options.blank ? canvas.captureStream(0) : canvas.captureStream(fps);
    const track = stream.getVideoTracks()[0];
    const s: SimStream = { lens, canvas, stream, track, black: (options.blackAfterResume === 'always' && resumed) || blackNext };
    blackNext = false;
    streams.push(s);
    handle.opened.push(lens.label);
    const settings: Record<string, unknown> = {
      deviceId: ids.get(lens),
      groupId: `${phone.id}-group`,
      facingMode: lens.facing,
      frameRate: fps,
    };
    if (phone.os === 'android' && lens.focusModes?.length)
      settings.focusMode = lens.focusModes.includes('continuous') ? 'continuous' : lens.focusModes[0];
    if (lens.torch && phone.os === 'android') settings.torch = false;
    if (lens.zoom) settings.zoom = lens.zoom.min;
    let constraints: MediaTrackConstraints = video;
    Object.defineProperties(track, {
      label: { configurable: true, get: () => lens.label },
      muted: { configurable: true, get: () => muted },
      getCapabilities: { configurable: true, value: () => capabilities(lens) },
      getConstraints: { configurable: true, value: () => constraints },
      getSettings: {
        configurable: true,
        value: () => ({ ...settings, width: canvas.width, height: canvas.height, aspectRatio: canvas.width / canvas.height }),
      },
      applyConstraints: {
        configurable: true,
        value: async (next: MediaTrackConstraints = {}) => {
          handle.applied.push(next);
          if (track.readyState !== 'live') throw new DOMException('The track has ended', 'InvalidStateError');
          if (options.overconstrainedAbove1080 && asksAbove1080(next)) throw overconstrained('height', 'This camera fails above 1080p');
          const caps = capabilities(lens) as Record<string, unknown>;
          const sets = [next, ...((next.advanced ?? []) as MediaTrackConstraintSet[])];
          for (const [i, set] of sets.entries()) {
            for (const [key, value] of Object.entries(set)) {
              if (key === 'advanced' || key === 'width' || key === 'height') continue;
              const supported =
                key === 'torch'
                  ? caps.torch === true
                  : key === 'focusMode'
                    ? (caps.focusMode as string[] | undefined)?.includes(String(value))
                    : key in caps;
              // An unsupported advanced set is skipped; a required one fails.
              if (!supported) {
                if (i === 0 && key !== 'aspectRatio' && key !== 'frameRate') throw overconstrained(key, `${key} is not supported`);
                continue;
              }
              settings[key] =
                typeof value === 'object' && value !== null
                  ? ((value as { ideal?: unknown; exact?: unknown }).exact ?? (value as { ideal?: unknown }).ideal)
                  : value;
            }
          }
          if (next.width !== undefined || next.height !== undefined) {
            if (!options.shape) resize(s, oriented(phone, chooseMode(lens, next)));
          }
          constraints = next;
        },
      },
    });
    permitted = true;
    if (!options.blank) {
      paint(s);
      s.timer = setInterval(() => touch(s), 1000 / fps);
    }
    return stream;
  };

  const getUserMedia = async (constraints: MediaStreamConstraints = {}): Promise<MediaStream> => {
    handle.calls.push(constraints);
    if (options.neverSettle) return new Promise<MediaStream>(() => undefined);
    if (!constraints.video) throw new TypeError('video is required');
    const video: MediaTrackConstraints = constraints.video === true ? {} : constraints.video;
    const wanted = video.deviceId;
    let lens: SimLens | undefined;
    if (wanted) {
      const id =
        typeof wanted === 'string'
          ? wanted
          : Array.isArray(wanted)
            ? wanted[0]
            : ((wanted as ConstrainDOMStringParameters).exact ?? (wanted as ConstrainDOMStringParameters).ideal);
      lens = lensById.get(String(id));
      const exact = typeof wanted === 'object' && !Array.isArray(wanted) && 'exact' in wanted;
      if (!lens && exact) throw overconstrained('deviceId', 'No such camera');
    }
    if (!lens) {
      const facing = video.facingMode;
      const value =
        typeof facing === 'string'
          ? facing
          : ((facing as ConstrainDOMStringParameters | undefined)?.exact ?? (facing as ConstrainDOMStringParameters | undefined)?.ideal);
      const want = Array.isArray(value) ? value[0] : value;
      if (want === 'environment') lens = phone.lenses.find((l) => l.label === phone.defaultRear);
      else if (want === 'user') lens = phone.lenses.find((l) => l.facing === 'user');
      lens ??= phone.lenses[0];
    }
    return open(lens, video);
  };

  const enumerateDevices = async (): Promise<MediaDeviceInfo[]> => {
    // Before permission, browsers hide labels and ids: one anonymous entry per kind.
    const info = (deviceId: string, label: string) =>
      ({
        deviceId,
        groupId: permitted ? `${phone.id}-group` : '',
        kind: 'videoinput',
        label,
        toJSON: () => ({ deviceId, label, kind: 'videoinput' }),
      }) as unknown as MediaDeviceInfo;
    if (!permitted) return [info('', '')];
    return phone.lenses.map((lens) => info(ids.get(lens)!, lens.label));
  };

  class SimImageCapture {
    constructor(readonly track: MediaStreamTrack) {}
    async getPhotoCapabilities() {
      const [w, h] = this.photoMax();
      return {
        redEyeReduction: 'never',
        imageWidth: { min: 160, max: w, step: 1 },
        imageHeight: { min: 120, max: h, step: 1 },
        fillLightMode: this.lens().torch ? ['auto', 'off', 'flash'] : ['off'],
      };
    }
    async getPhotoSettings() {
      const [w, h] = this.photoMax();
      return { imageWidth: w, imageHeight: h, fillLightMode: 'off', redEyeReduction: false };
    }
    async takePhoto(settings?: PhotoSettings): Promise<Blob> {
      if (this.track.readyState !== 'live') throw new DOMException('The track has ended', 'InvalidStateError');
      const [mw, mh] = this.photoMax();
      let width = mw;
      let height = mh;
      if (settings?.imageWidth || settings?.imageHeight) {
        // Chrome picks the sensor's aspect at the asked size, within the capabilities.
        width = Math.min(mw, Math.round(settings.imageWidth ?? (settings.imageHeight! * mw) / mh));
        height = Math.min(mh, Math.round(settings.imageHeight ?? (width * mh) / mw));
      }
      const size = oriented(phone, [width, height]);
      handle.photos.push({ settings, ...size });
      // A large still is a hand-written flat JPEG (a 200 MP canvas would not fit in memory).
      // Above 4 MP too, as drawing and encoding one takes seconds on a loaded machine.
      if (size.width * size.height > 4_000_000) return flatJpeg(size.width, size.height);
      const canvas = new OffscreenCanvas(size.width, size.height);
      canvas.getContext('2d')!.drawImage(sceneFor(size.width, size.height, cardShare), 0, 0);
      return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    }
    async grabFrame(): Promise<ImageBitmap> {
      const s = streams.find((x) => x.track === this.track);
      if (!s || this.track.readyState !== 'live') throw new DOMException('The track has ended', 'InvalidStateError');
      return createImageBitmap(s.canvas);
    }
    private lens(): SimLens {
      return streams.find((x) => x.track === this.track)?.lens ?? phone.lenses[0];
    }
    private photoMax(): [number, number] {
      return options.photo200MP ? sensor200MP : this.lens().photo;
    }
  }

  // Replace, remembering what to put back: own properties are deleted, shadowed ones restored.
  const replaced: [object, string][] = [];
  const saved: [object, string, PropertyDescriptor][] = [];
  const override = (target: object, key: string, descriptor: PropertyDescriptor) => {
    const own = Object.getOwnPropertyDescriptor(target, key);
    if (own) saved.push([target, key, own]);
    else replaced.push([target, key]);
    Object.defineProperty(target, key, { configurable: true, ...descriptor });
  };
  if (!navigator.mediaDevices) override(navigator, 'mediaDevices', { value: new EventTarget() });
  // On MediaDevices.prototype where there is one: WebKitGTK drops navigator.mediaDevices's JS wrapper, and what is set
  // on it, at a garbage collection (stubMediaDevices in harness.ts).
  const devices =
    typeof MediaDevices === 'function' && navigator.mediaDevices instanceof MediaDevices ? MediaDevices.prototype : navigator.mediaDevices;
  override(devices, 'getUserMedia', { value: getUserMedia, writable: true });
  override(devices, 'enumerateDevices', { value: enumerateDevices, writable: true });
  override(devices, 'getSupportedConstraints', {
    value: () => ({
      width: true,
      height: true,
      aspectRatio: true,
      frameRate: true,
      facingMode: true,
      deviceId: true,
      groupId: true,
      resizeMode: phone.os === 'android',
      focusMode: phone.os === 'android',
      torch: true,
      zoom: true,
    }),
    writable: true,
  });
  override(globalThis, 'ImageCapture', { value: phone.imageCapture ? SimImageCapture : undefined, writable: true });
  override(navigator, 'userAgent', { get: () => options.userAgent ?? phone.userAgent });
  override(navigator, 'platform', { get: () => phone.platform });
  override(navigator, 'maxTouchPoints', { get: () => phone.maxTouchPoints });
  override(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible') });
  override(document, 'hidden', { get: () => hidden });
  return handle;
}
