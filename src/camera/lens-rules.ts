/**
 * Pure rules for which camera to open, how to ask for it, and what the switch button calls the next one.
 *
 * iOS lists each lens and the virtual devices that join them; only the virtual ones (Triple, Dual Wide,
 * Dual) switch lens by themselves when a card comes close, so they are preferred by label, as BlinkID
 * does. Android labels say little ("camera2 0, facing back"): the rear cameras are ranked by what each
 * track reports it can do. Labels are English on iOS only in English; in another language no label
 * matches and the camera `facingMode: environment` gave is kept.
 */

export type CameraPlatform = 'ios' | 'android' | 'other';

/** A camera as enumerateDevices lists it, with its track's capabilities once it has been opened. */
export interface LensCandidate {
  deviceId: string;
  label: string;
  capabilities?: LensCapabilities;
}

/** The parts of MediaTrackCapabilities the rules read. */
export interface LensCapabilities {
  facingMode?: string[];
  focusMode?: string[];
  torch?: boolean;
  width?: { max?: number };
  height?: { max?: number };
}

/** iOS's rear devices, best first: the virtual multi-lens devices switch to the lens that can focus. */
export const IOS_REAR_ORDER = ['Back Triple Camera', 'Back Dual Wide Camera', 'Back Dual Camera', 'Back Camera'];
const IOS_SINGLE_LENSES = ['Back Ultra Wide Camera', 'Back Telephoto Camera'];

/** Lenses a label marks as wrong for a card at arm's length. */
const SPECIAL_LENS = /ultra[\s-]?wide|\buw\b|macro|depth|tele(photo)?\b|\btof\b/i;
const FRONT = /\b(front|user|facing front|selfie|face ?time)\b/i;
const BACK = /\b(back|rear|environment|facing back|world)\b/i;

/** Whether a camera faces away from the user, from its capabilities or else its label; undefined when neither says. */
export function isRear(candidate: LensCandidate): boolean | undefined {
  const facing = candidate.capabilities?.facingMode;
  if (facing?.length) return facing.includes('environment');
  if (FRONT.test(candidate.label)) return false;
  if (BACK.test(candidate.label)) return true;
  return undefined;
}

/** iOS: the best rear device by label; Ultra Wide or Telephoto only when it is the only rear camera. */
export function chooseIosLens(candidates: LensCandidate[]): LensCandidate | undefined {
  for (const label of IOS_REAR_ORDER) {
    const found = candidates.find((c) => c.label === label);
    if (found) return found;
  }
  const rear = candidates.filter((c) => IOS_SINGLE_LENSES.includes(c.label));
  return rear.length === 1 ? rear[0] : undefined;
}

/** Android: the rear cameras worth opening to read their capabilities (labelled special lenses left out, unless nothing else is left). */
export function androidRearCandidates(candidates: LensCandidate[]): LensCandidate[] {
  const rear = candidates.filter((c) => isRear(c) === true);
  const plain = rear.filter((c) => !SPECIAL_LENS.test(c.label));
  return plain.length ? plain : rear;
}

/** A rear camera's worth for a card: continuous focus first, then a torch, then at least 1920 px. */
export function lensScore(capabilities: LensCapabilities | undefined): number {
  if (!capabilities) return 0;
  const longSide = Math.max(capabilities.width?.max ?? 0, capabilities.height?.max ?? 0);
  return (capabilities.focusMode?.includes('continuous') ? 4 : 0) + (capabilities.torch ? 2 : 0) + (longSide >= 1920 ? 1 : 0);
}

/** Android: the best of the probed rear cameras; a tie keeps `current` (no reopen), then the first listed. */
export function chooseAndroidLens(candidates: LensCandidate[], current?: string): LensCandidate | undefined {
  const rear = androidRearCandidates(candidates);
  let best: LensCandidate | undefined;
  for (const candidate of rear) {
    const better = !best || lensScore(candidate.capabilities) > lensScore(best.capabilities);
    const tieWithCurrent = best && lensScore(candidate.capabilities) === lensScore(best.capabilities) && candidate.deviceId === current;
    if (better || tieWithCurrent) best = candidate;
  }
  return best;
}

/** The camera to keep for the visit, or undefined to keep the one `facingMode: environment` opened. */
export function chooseLens(platform: CameraPlatform, candidates: LensCandidate[], current?: string): LensCandidate | undefined {
  if (platform === 'ios') return chooseIosLens(candidates);
  if (platform === 'android') return chooseAndroidLens(candidates, current);
  return undefined;
}

/** Android only: more than one rear camera to compare, so each must be opened once to read its capabilities. */
export function needsProbe(platform: CameraPlatform, candidates: LensCandidate[]): boolean {
  return platform === 'android' && androidRearCandidates(candidates).length > 1;
}

/**
 * The cameras the switch button moves between: on phones and tablets the chosen rear camera and the
 * front ones (the others are the lenses the rules turned down); elsewhere (laptops, desktops) every camera.
 */
export function switchList(platform: CameraPlatform, candidates: LensCandidate[], chosen?: string): LensCandidate[] {
  if (platform === 'other') return candidates;
  return candidates.filter((c) => c.deviceId === chosen || isRear(c) === false);
}

/** The camera after `current` in the switch list. */
export function nextLens(list: LensCandidate[], current?: string): LensCandidate | undefined {
  if (list.length < 2) return undefined;
  const index = list.findIndex((c) => c.deviceId === current);
  return list[(index + 1) % list.length];
}

/** What a camera is called on the switch button: its side, or its own label where the side is unknown. */
export type LensName = { kind: 'back' | 'front'; number?: number } | { kind: 'label'; label: string; number?: number };

/** The name for `target`, numbered when another camera in the list would have the same name. */
export function lensName(list: LensCandidate[], target: LensCandidate): LensName {
  const base = (c: LensCandidate): LensName => {
    const rear = isRear(c);
    return rear === undefined ? { kind: 'label', label: c.label || 'Camera' } : { kind: rear ? 'back' : 'front' };
  };
  const key = (n: LensName) => (n.kind === 'label' ? `label:${n.label}` : n.kind);
  const name = base(target);
  const same = list.filter((c) => key(base(c)) === key(name));
  return same.length > 1 ? { ...name, number: same.indexOf(target) + 1 } : name;
}

/** A video size step: width × height, landscape. */
export interface SizeStep {
  width: number;
  height: number;
}

/** The first ask: 1080p, which every phone camera meets. */
export const FIRST_STEP: SizeStep = { width: 1920, height: 1080 };
/** A frame or setting larger than the first step, portrait or landscape (missing sizes count as not). */
export function aboveFirstStep(width = 0, height = 0): boolean {
  return Math.max(width, height) > FIRST_STEP.width;
}
/** The steps tried when the camera fails or sends nothing: down to 720p, then no size at all (undefined). */
export const FALLBACK_LADDER: (SizeStep | undefined)[] = [FIRST_STEP, { width: 1280, height: 720 }, undefined];
/** Sizes above 1080p, asked for only where the track reports it can deliver them, largest first. */
export const UPGRADE_STEPS: SizeStep[] = [
  { width: 3840, height: 2160 },
  { width: 2560, height: 1440 },
];

/** The larger sizes this track reports it can deliver (its capabilities), largest first. */
export function upgradeSteps(capabilities: LensCapabilities | undefined): SizeStep[] {
  const long = Math.max(capabilities?.width?.max ?? 0, capabilities?.height?.max ?? 0);
  const short = Math.min(capabilities?.width?.max ?? 0, capabilities?.height?.max ?? 0);
  return UPGRADE_STEPS.filter((step) => long >= step.width && short >= step.height);
}

/** getUserMedia errors that a smaller size may cure: the next step of the ladder is tried. */
export function worthNextStep(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return (
    name === 'OverconstrainedError' || name === 'NotReadableError' || name === 'TrackStartError' || name === 'ConstraintNotSatisfiedError'
  );
}

/** A frame's mean luminance (0–255) below which it counts as black: a covered lens or a stalled iOS preview. */
export const BLACK_LUMINANCE = 6;
/**
 * What a canvas read of the preview shows: `black` under BLACK_LUMINANCE (a covered lens, a stalled iOS preview),
 * `lit`, or `unreadable` when every pixel is transparent. A camera's pixels are opaque, so a transparent read means the
 * engine had no frame to paint (WebKitGTK with a 4K stream, most of the time): no sign of a black lens, nor of a live one.
 */
export function frameShade(rgba: Uint8ClampedArray): 'black' | 'lit' | 'unreadable' {
  let sum = 0;
  let opaque = false;
  for (let i = 0; i < rgba.length; i += 4) {
    sum += rgba[i] * 0.299 + rgba[i + 1] * 0.587 + rgba[i + 2] * 0.114;
    if (rgba[i + 3]) opaque = true;
  }
  if (!opaque) return 'unreadable';
  return sum / (rgba.length / 4) < BLACK_LUMINANCE ? 'black' : 'lit';
}

/** Black analyses in a row before the watchdog acts. */
export const BLACK_FRAMES = 4;
/** getUserMedia unanswered this long: the user is told the ways out. */
export const GET_USER_MEDIA_TIMEOUT_MS = 8000;
/** A stream (or a new size) with no frame this long is treated as failed. */
export const FIRST_FRAME_TIMEOUT_MS = 2000;

/** What a stall watchdog does next: `play` the video again, `restart` the stream, or `explain` (give up and say so). */
export type StallStep = 'play' | 'restart' | 'explain';

/** The recovery ladder for a stalled preview, by how many steps were already taken. An ended track can't play: it restarts. */
export function nextStallStep(taken: number, ended: boolean): StallStep {
  const steps: StallStep[] = ended ? ['restart', 'explain'] : ['play', 'restart', 'explain'];
  return steps[Math.min(taken, steps.length - 1)];
}
