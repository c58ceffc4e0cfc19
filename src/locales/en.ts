import type { LivenessErrorCode } from '../lib/errors.ts';
import type { CameraHintCode } from '../lib/framing.ts';
import type { QualityIssueCode } from '../lib/quality.ts';

/** English UI strings: the reference locale. Register a locale of your own with `registerLocale(code, strings)`. */
export const en = {
  title: 'Check your ID document',
  instructions: 'Take a clear photo of the whole card, flat and without glare, then choose it here.',
  /** Instead of `instructions` on touch devices (`pointer: coarse`): phrased for a phone. */
  instructionsTouch: 'Take a photo of your card: the whole card, flat and without glare.',
  choose: 'Choose a photo',
  dropHint: 'or drop it here, or paste it',
  fileLabel: 'Photo of your ID document',
  previewAlt: 'The photo you chose',
  check: 'Check document',
  chooseAnother: 'Choose another',
  preparing: 'Preparing the photo…',
  uploading: 'Checking the document…',
  cancel: 'Cancel',
  live: 'Live document',
  spoof: 'Not a live document',
  liveHint: 'The photo shows a real card.',
  spoofHint: 'The photo looks like a screen, a printout or a copy.',
  score: 'Score',
  sandbox: 'Sandbox answer: not a real liveness check.',
  checkAnother: 'Check another',
  tryAgain: 'Try again',
  errorTitle: 'The check did not complete',
  cancelled: 'Cancelled. You can check this photo again or choose another.',
  ready: 'Photo chosen. Press Check document to continue.',
  startAnnouncement: 'Choose a photo of your ID document.',
  useCamera: 'Use camera',
  useCameraApp: "Use the phone's camera app",
  cameraLabel: 'Camera preview',
  cameraGuidance: 'Place the card inside the frame, flat and filling it, then press Capture (or Space).',
  /** Instead of `cameraGuidance` on touch devices. */
  cameraGuidanceTouch: 'Fit the card inside the frame, flat and filling it, then tap Capture.',
  capture: 'Capture',
  switchCamera: 'Switch camera',
  torchOn: 'Torch on',
  torchOff: 'Torch off',
  choosePhotoInstead: 'Choose a photo instead',
  tryCameraAgain: 'Try the camera again',
  startingCamera: 'Starting the camera…',
  checkingQuality: 'Checking the photo quality…',
  qualityIssues: 'This photo may not give a reliable result:',
  qualityBlocked: 'Take a new photo to continue:',
  useAnyway: 'Use anyway',
  retake: 'Retake',
  holdingSteady: 'Good. Hold still…',
  required: 'Check your ID document to continue.',
  notLive: 'The document did not pass the liveness check. Check it again with the real card.',
  /** Per error code, a message shown instead of the technical one (English keeps the technical one, which carries details). */
  errors: {} as Partial<Record<LivenessErrorCode, string>>,
  /** The live camera's one hint at a time. */
  cameraHints: {
    'no-card': 'No card in view',
    'cut-off': 'Move back: a corner is cut off',
    'move-closer': 'Move closer',
    'skewed': 'Hold the card flat and square',
    'dark': 'More light',
    'bright': 'Less light',
    'glare': 'Too much glare',
    'hold-still': 'Hold still',
    'ready': 'Good. Hold still…',
  } satisfies Record<CameraHintCode, string>,
  /** Per quality issue, the hint shown. */
  quality: {
    blur: 'Hold still: the photo is blurred.',
    glare: 'Avoid glare: tilt the card away from the light.',
    dark: 'More light: the photo is too dark.',
    bright: 'Less light: the photo is too bright.',
    'low-resolution': 'The card is too small in the photo: move closer or use a better camera.',
    'not-framed': 'Move closer: the card should fill the frame.',
    'skewed': 'Hold the card flat and square to the camera.',
    'cut-off': 'Move back: a corner of the card is cut off.',
  } satisfies Record<QualityIssueCode, string>,
};

export type LivenessStrings = typeof en;
