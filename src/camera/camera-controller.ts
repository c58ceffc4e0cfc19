import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  type CoverView,
  DOCUMENT_ASPECT,
  type DocumentType,
  type SizeRange,
  cameraBlocker,
  cameraError,
  captureRect,
  photoSize,
} from './camera-rules.ts';
import { LivenessError, withDeadline } from '../check/errors.ts';
import type { Quad } from '../quality/corners/geometry.ts';
import { type CutStill, cutPicture } from './cut.ts';
import type { ImageWorkerClient } from '../image/worker/worker-client.ts';
import {
  BLACK_FRAMES,
  aboveFirstStep,
  type CameraPlatform,
  FALLBACK_LADDER,
  FIRST_FRAME_TIMEOUT_MS,
  FIRST_STEP,
  GET_USER_MEDIA_TIMEOUT_MS,
  type LensCandidate,
  type LensCapabilities,
  type LensName,
  androidRearCandidates,
  chooseLens,
  frameShade,
  lensName,
  needsProbe,
  nextLens,
  nextStallStep,
  switchList,
  upgradeSteps,
  worthNextStep,
} from './lens-rules.ts';
import { cameraPlatform } from './platform.ts';

export type CameraState = 'off' | 'starting' | 'live';

/** What a capture produced: a cropped still, ready for the same pipeline as an upload. */
export type CameraStill = CutStill;

/** What to cut from the frame: the guide plus a margin (the default), or the card itself, rectified. */
export type CaptureCrop = 'guide' | 'document';

export interface CaptureOptions {
  crop?: CaptureCrop;
  /** The card found in the last preview frame, and that frame's size. */
  outline?: { corners: Quad; width: number; height: number };
  /** The full-screen view the guide was lined up in, if any. */
  view?: CoverView;
  /** Cuts a camera photo off the main thread. */
  worker: Pick<ImageWorkerClient, 'still'>;
}

interface TorchCapabilities extends MediaTrackCapabilities {
  torch?: boolean;
}

/** Chrome's ImageCapture: a still from the track's sensor, where the browser has it. */
declare class ImageCapture {
  constructor(track: MediaStreamTrack);
  getPhotoCapabilities(): Promise<{ imageWidth?: SizeRange; imageHeight?: SizeRange }>;
  takePhoto(settings?: { imageWidth?: number; imageHeight?: number }): Promise<Blob>;
}

/**
 * The camera's lifecycle. Starts only when asked, prefers the rear camera at the highest
 * resolution, and stops every track as soon as it is not needed: after capture, on cancel,
 * when the page is hidden and when the element leaves the page, so the camera light goes off.
 */
export class CameraController implements ReactiveController {
  state: CameraState = 'off';
  stream?: MediaStream;
  /** More than one camera to move between: show a switcher. */
  canSwitch = false;
  /** The camera the switcher moves to, named for its label and accessible name. */
  nextCamera?: LensName;
  /** The track has a torch: show a toggle. */
  hasTorch = false;
  torchOn = false;
  /** The preview shows only black (a covered lens, or iOS after a call): a hint of its own. */
  black = false;
  /** The chosen camera, remembered for the page's lifetime only (never stored). */
  private deviceId?: string;
  /** The lens rules have chosen this visit's camera. */
  private lensChosen = false;
  /** The rear camera the rules chose, which the switch comes back to from the front one. */
  private rearId?: string;
  private candidates: LensCandidate[] = [];
  private platform: CameraPlatform = 'other';
  private generation = 0;
  /** Recovery steps taken since the preview last looked healthy (play, restart, explain). */
  private stallSteps = 0;
  private recovering = false;
  private blackRun = 0;
  private healthyRun = 0;
  /** Unreadable samples in a row, and whether this stream was stepped down to 1080p for them (once a stream). */
  private unreadableRun = 0;
  private steppedDown = false;
  private sampler?: ReturnType<typeof setInterval>;
  private sampleCanvas?: HTMLCanvasElement;
  /** The page was hidden while the camera ran: restart it when the page comes back. */
  private resumeOnVisible = false;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** Called when the camera stopped on its own and could not recover, with the reason to show. */
    private readonly onInterrupted: (error?: LivenessError) => void,
    /** The preview's video element, for play() and the black-frame watch. */
    private readonly video: () => HTMLVideoElement | null = () => null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onVisibilityChange);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onVisibilityChange);
    this.stop();
  }

  private environment() {
    const policy = (document as Document & { permissionsPolicy?: { allowsFeature(feature: string): boolean } }).permissionsPolicy;
    const legacyPolicy = (document as Document & { featurePolicy?: { allowsFeature(feature: string): boolean } }).featurePolicy;
    return {
      isSecureContext: globalThis.isSecureContext,
      hasGetUserMedia: typeof navigator.mediaDevices?.getUserMedia === 'function',
      cameraAllowedByPolicy: (policy ?? legacyPolicy)?.allowsFeature('camera') ?? true,
      userAgent: navigator.userAgent,
    };
  }

  /**
   * Starts the preview: the visit's camera (chosen by the lens rules on the first start), 1080p with a
   * fallback ladder, more where the track can, continuous focus where it has it. Rejects with a
   * LivenessError (camera-denied, camera-unavailable, camera-in-use, camera-timeout, camera-stalled).
   */
  async start(deviceId = this.deviceId): Promise<void> {
    const blocker = cameraBlocker(this.environment());
    if (blocker) throw blocker;
    this.stop();
    const generation = ++this.generation;
    this.setState('starting');
    this.platform = cameraPlatform(navigator.userAgent, navigator.maxTouchPoints);
    try {
      let stream = await this.acquire(generation, deviceId ? { deviceId: { exact: deviceId } } : { facingMode: { ideal: 'environment' } });
      if (!this.lensChosen && !deviceId) {
        stream = await this.chooseLens(generation, stream);
        this.rearId = stream.getVideoTracks()[0]?.getSettings().deviceId ?? this.deviceId;
      }
      this.lensChosen = true;
      await this.tune(generation, stream);
      this.attach(stream);
    } catch (error) {
      if (generation === this.generation) this.setState('off');
      throw error;
    }
  }

  /** getUserMedia, given up on after GET_USER_MEDIA_TIMEOUT_MS (in-app browsers never answer); a late stream is stopped. */
  private async request(video: MediaTrackConstraints, generation: number): Promise<MediaStream> {
    let late = false;
    const asked = navigator.mediaDevices.getUserMedia({ video, audio: false });
    void asked.then(
      (stream) => (late || generation !== this.generation) && stream !== this.stream && stopTracks(stream),
      () => undefined,
    );
    const stream = await withDeadline(asked, GET_USER_MEDIA_TIMEOUT_MS, () => {
      late = true;
      return new LivenessError(
        'camera-timeout',
        "The camera didn't start. Choose a photo instead, continue on another phone, or open this page in your browser.",
        { retryable: true },
      );
    });
    this.ensureCurrent(generation, stream);
    return stream;
  }

  /** Stopped or restarted while waiting (a permission prompt, a probe): this stream is no longer wanted. */
  private ensureCurrent(generation: number, stream?: MediaStream): void {
    if (generation === this.generation) return;
    if (stream) stopTracks(stream);
    throw new LivenessError('aborted', 'The camera was closed.');
  }

  /** Opens `device` down the ladder (1080p, 720p, any size) until a stream sends a frame. */
  private async acquire(generation: number, device: MediaTrackConstraints): Promise<MediaStream> {
    let failure: unknown;
    for (const [index, step] of FALLBACK_LADDER.entries()) {
      const video: MediaTrackConstraints = { ...device, ...(step ? { width: { ideal: step.width }, height: { ideal: step.height } } : {}) };
      let stream: MediaStream;
      try {
        stream = await this.request(video, generation);
      } catch (error) {
        if (error instanceof LivenessError) throw error;
        if (!worthNextStep(error)) throw cameraError(error);
        failure = error;
        continue;
      }
      // The last step waits longer: after it there is nothing left to try.
      const wait = index === FALLBACK_LADDER.length - 1 ? FIRST_FRAME_TIMEOUT_MS * 2 : FIRST_FRAME_TIMEOUT_MS;
      if (await firstFrame(stream, wait)) {
        this.ensureCurrent(generation, stream);
        return stream;
      }
      stopTracks(stream);
      this.ensureCurrent(generation);
      failure = undefined;
    }
    if (failure) throw cameraError(failure);
    throw new LivenessError('camera-stalled', 'The camera started but sent no picture. Try the camera again, or choose a photo instead.', {
      retryable: true,
    });
  }

  /** The first start of the visit: the lens rules pick the rear camera (Android opens each rear camera once to compare). */
  private async chooseLens(generation: number, stream: MediaStream): Promise<MediaStream> {
    const track = stream.getVideoTracks()[0];
    const current = track?.getSettings().deviceId;
    const devices = (await navigator.mediaDevices.enumerateDevices().catch(() => [])).filter((d) => d.kind === 'videoinput' && d.deviceId);
    this.ensureCurrent(generation, stream);
    const candidates: LensCandidate[] = devices.map((d) => ({ deviceId: d.deviceId, label: d.label }));
    this.candidates = candidates;
    if (needsProbe(this.platform, candidates)) {
      // Android cameras open one at a time: read this one's capabilities, close it, then open each other rear camera.
      for (const c of candidates) if (c.deviceId === current) c.capabilities = capabilitiesOf(track);
      stopTracks(stream);
      for (const candidate of androidRearCandidates(candidates)) {
        if (candidate.deviceId === current) continue;
        try {
          const probe = await this.request(
            { deviceId: { exact: candidate.deviceId }, width: { ideal: FIRST_STEP.width }, height: { ideal: FIRST_STEP.height } },
            generation,
          );
          candidate.capabilities = capabilitiesOf(probe.getVideoTracks()[0]);
          stopTracks(probe);
        } catch (error) {
          // A lens that won't open is not chosen; a closed camera or a timeout ends the search.
          if (error instanceof LivenessError) throw error;
        }
      }
      const choice = chooseLens(this.platform, candidates, current) ?? candidates.find((c) => c.deviceId === current);
      this.deviceId = choice?.deviceId ?? current;
      return this.acquire(generation, this.deviceId ? { deviceId: { exact: this.deviceId } } : { facingMode: { ideal: 'environment' } });
    }
    const choice = chooseLens(this.platform, candidates, current);
    this.deviceId = choice?.deviceId ?? current;
    if (!choice || choice.deviceId === current) return stream;
    stopTracks(stream);
    try {
      return await this.acquire(generation, { deviceId: { exact: choice.deviceId } });
    } catch (error) {
      if (error instanceof LivenessError && (error.code === 'aborted' || error.code === 'camera-timeout')) throw error;
      // The chosen lens would not open: back to the one the browser gave.
      this.deviceId = current;
      return this.acquire(generation, current ? { deviceId: { exact: current } } : { facingMode: { ideal: 'environment' } });
    }
  }

  /** More than 1080p where the track reports it can (stepping down on refusal or silence), and continuous focus. */
  private async tune(generation: number, stream: MediaStream): Promise<void> {
    const track = stream.getVideoTracks()[0];
    if (!track?.applyConstraints) return;
    const capabilities = capabilitiesOf(track);
    const focus = focusConstraints(capabilities);
    for (const step of upgradeSteps(capabilities)) {
      try {
        await track.applyConstraints({ width: { ideal: step.width }, height: { ideal: step.height }, advanced: focus });
        this.ensureCurrent(generation);
        const { width = 0, height = 0 } = track.getSettings();
        // The camera kept its size: there is nothing larger to wait for.
        if (!aboveFirstStep(width, height)) break;
        if (await firstFrame(stream, FIRST_FRAME_TIMEOUT_MS, (w, h) => w === width && h === height)) return;
      } catch (error) {
        if (error instanceof LivenessError) throw error;
      }
    }
    // Back to 1080p (a refused or silent upgrade may have left the track anywhere), with focus where supported.
    const settings = track.getSettings();
    if (upgradeSteps(capabilities).length || focus.length || aboveFirstStep(settings.width, settings.height))
      await track.applyConstraints({ ...FIRST_STEP_SIZE, advanced: focus }).catch(() => undefined);
    this.ensureCurrent(generation);
  }

  /** Goes live on `stream`, watching it for an end, a mute and black frames. */
  private attach(stream: MediaStream): void {
    this.stream = stream;
    const track = stream.getVideoTracks()[0];
    this.deviceId = track?.getSettings().deviceId ?? this.deviceId;
    this.hasTorch = Boolean((track?.getCapabilities?.() as TorchCapabilities | undefined)?.torch);
    this.torchOn = false;
    const list = switchList(this.platform, this.candidates, this.rearId ?? this.deviceId);
    const next = nextLens(list, this.deviceId);
    this.canSwitch = Boolean(next);
    this.nextCamera = next ? lensName(list, next) : undefined;
    track?.addEventListener('ended', this.onEnded);
    track?.addEventListener('mute', this.onMute);
    this.blackRun = this.healthyRun = this.unreadableRun = 0;
    this.steppedDown = false;
    this.black = false;
    this.sampler = setInterval(this.sample, SAMPLE_INTERVAL_MS);
    this.setState('live');
  }

  /** Moves to the next camera in the switch list (the chosen rear camera and the front one, on phones). */
  async switchCamera(): Promise<void> {
    if (!this.candidates.length) {
      this.candidates = (await navigator.mediaDevices.enumerateDevices().catch(() => []))
        .filter((d) => d.kind === 'videoinput' && d.deviceId)
        .map((d) => ({ deviceId: d.deviceId, label: d.label }));
    }
    const next = nextLens(switchList(this.platform, this.candidates, this.rearId ?? this.deviceId), this.deviceId);
    if (!next) return;
    // The switch list keeps the rear choice; moving to the front camera must not forget it.
    this.lensChosen = true;
    await this.start(next.deviceId);
  }

  async toggleTorch(): Promise<void> {
    const track = this.stream?.getVideoTracks()[0];
    if (!track || !this.hasTorch) return;
    const on = !this.torchOn;
    await track.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] });
    this.torchOn = on;
    this.host.requestUpdate();
  }

  /** The track's zoom range, where it exposes one (Chrome on Android, Safari 17+). */
  zoomRange(): SizeRange | undefined {
    const zoom = (this.stream?.getVideoTracks()[0]?.getCapabilities?.() as { zoom?: SizeRange } | undefined)?.zoom;
    return zoom?.max ? zoom : undefined;
  }

  /** The zoom the track is at: 1 where it has none. */
  get zoom(): number {
    const zoom = (this.stream?.getVideoTracks()[0]?.getSettings?.() as { zoom?: number } | undefined)?.zoom;
    return typeof zoom === 'number' && zoom > 0 ? zoom : 1;
  }

  /** Zooms in (zoomFor decides how far) rather than have the user bring the card inside the lens's close-focus limit. */
  async setZoom(zoom: number): Promise<void> {
    const track = this.stream?.getVideoTracks()[0];
    if (!track || !this.zoomRange() || Math.abs(zoom - this.zoom) < 0.05) return;
    await track.applyConstraints({ advanced: [{ zoom } as MediaTrackConstraintSet] }).catch(() => undefined);
    this.host.requestUpdate();
  }

  /**
   * Takes a still at the camera's full detail and cuts the guide plus a margin out of it, then stops
   * the camera: a photo sized from getPhotoCapabilities where the browser has ImageCapture (decoded
   * and cut in the worker, never on the main thread), else the current frame (cut here). `view`: the
   * full-screen view the guide was lined up in, if any.
   */
  async capture(
    video: HTMLVideoElement,
    type: DocumentType,
    { crop: cropMode = 'guide', outline, view, worker }: CaptureOptions,
  ): Promise<CameraStill> {
    const track = this.stream?.getVideoTracks()[0];
    if (!track || this.state !== 'live') throw new LivenessError('camera-unavailable', 'The camera is not running.');
    try {
      const frame = { width: video.videoWidth, height: video.videoHeight };
      // The preview's corners, in this frame's pixels (the analysed frame may have had another size).
      const k = outline ? frame.width / outline.width : 1;
      const corners = outline?.corners.map((p) => ({ x: p.x * k, y: p.y * k })) as Quad | undefined;
      const request = {
        frame,
        crop: captureRect(frame.width, frame.height, type, view),
        corners,
        documentAspect: cropMode === 'document' && corners ? DOCUMENT_ASPECT[type] : undefined,
      };
      const photo = await this.takePhoto(track, frame);
      if (photo) {
        try {
          return await worker.still({ ...request, photo });
        } catch {
          // a photo turned sideways or undecodable: the frame is the still
        }
      }
      // The frame itself, cut here straight from the video: it is no larger than the stream, so one draw
      // of the crop and an asynchronous encode, with no copy of the frame to send to the worker.
      return await cutPicture(video, frame, { scale: 1, x: 0, y: 0 }, request);
    } finally {
      this.stop();
    }
  }

  /** A photo at the size photoSize picks, or undefined where there is no ImageCapture or it would not beat the frame. */
  private async takePhoto(track: MediaStreamTrack, frame: { width: number; height: number }): Promise<Blob | undefined> {
    if (typeof ImageCapture !== 'function') return undefined;
    try {
      const capture = new ImageCapture(track);
      const size = photoSize(await capture.getPhotoCapabilities(), frame);
      return size ? await capture.takePhoto(size) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stops every track: the camera light goes off. */
  stop(): void {
    this.generation++;
    clearInterval(this.sampler);
    this.sampler = undefined;
    this.black = false;
    const track = this.stream?.getVideoTracks()[0];
    track?.removeEventListener('ended', this.onEnded);
    track?.removeEventListener('mute', this.onMute);
    if (this.stream) stopTracks(this.stream);
    this.stream = undefined;
    this.torchOn = false;
    if (this.state !== 'off') this.setState('off');
  }

  private setState(state: CameraState): void {
    this.state = state;
    this.host.requestUpdate();
  }

  private readonly onVisibilityChange = (): void => {
    if (document.visibilityState === 'hidden') {
      // The light goes off while the page is away; the camera comes back with the page.
      if (this.state === 'off') return;
      this.stop();
      this.resumeOnVisible = true;
      this.setState('starting');
    } else if (this.resumeOnVisible) {
      this.resumeOnVisible = false;
      this.stallSteps = 0;
      this.start().catch((error: unknown) => this.explain(error));
    }
  };

  /** The system ended the track (another app took the camera, iOS after a call): restart once, then explain. */
  private readonly onEnded = (): void => void this.recover(true);

  /** The system muted the track (a call, Siri): play again, restart once, then explain, unless it comes back by itself. */
  private readonly onMute = (): void => void this.recover(false);

  /** One step of the stall ladder: play(), then a restart, then the reason. */
  private async recover(ended: boolean): Promise<void> {
    if (this.recovering || this.state !== 'live') return;
    this.recovering = true;
    const generation = this.generation;
    try {
      const step = nextStallStep(this.stallSteps++, ended);
      if (step === 'play') {
        await this.video()
          ?.play()
          .catch(() => undefined);
        const track = this.stream?.getVideoTracks()[0];
        // A muted track gets its chance to come back before the next step.
        if (track?.muted && !(await unmuted(track, FIRST_FRAME_TIMEOUT_MS)) && generation === this.generation) {
          this.recovering = false;
          return this.recover(false);
        }
      } else if (step === 'restart') {
        await this.start(this.deviceId);
      } else {
        this.explain(
          this.black
            ? new LivenessError(
                'camera-stalled',
                'The camera shows only black. Check nothing covers the lens, then try the camera again, or choose a photo instead.',
                { retryable: true },
              )
            : new LivenessError('camera-stalled', 'The camera stopped sending pictures. Try the camera again, or choose a photo instead.', {
                retryable: true,
              }),
        );
      }
    } catch (error) {
      this.explain(error);
    } finally {
      this.recovering = false;
    }
  }

  /** Gives up: the camera stops and the element shows why, with the ways out. */
  private explain(error: unknown): void {
    const reason = error instanceof LivenessError ? error : cameraError(error);
    if (reason.code === 'aborted') return;
    this.stop();
    this.stallSteps = 0;
    this.onInterrupted(reason);
  }

  /** Asks the live track for 1080p again (with its focus), once a stream: the page could not read the larger frames. */
  private async stepDown(): Promise<void> {
    const track = this.stream?.getVideoTracks()[0];
    if (!track?.applyConstraints) return;
    this.steppedDown = true;
    await track.applyConstraints({ ...FIRST_STEP_SIZE, advanced: focusConstraints(capabilitiesOf(track)) }).catch(() => undefined);
  }

  /** Samples the preview small, twice a second: several black frames in a row start the stall ladder; a paused preview plays again. */
  private readonly sample = (): void => {
    const video = this.video();
    if (this.state !== 'live' || !video || video.readyState < 2 || !video.videoWidth) return;
    if (video.paused) void video.play().catch(() => undefined);
    const canvas = (this.sampleCanvas ??= document.createElement('canvas'));
    canvas.width = canvas.height = 16;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return;
    context.drawImage(video, 0, 0, 16, 16);
    const shade = frameShade(context.getImageData(0, 0, 16, 16).data);
    this.unreadableRun = shade === 'unreadable' ? this.unreadableRun + 1 : 0;
    // Neither black nor lit. Above 1080p that is WebKitGTK's canvas failing the stream's size: back to 1080p, which it reads.
    if (shade === 'unreadable') {
      if (this.unreadableRun >= BLACK_FRAMES && !this.steppedDown && aboveFirstStep(video.videoWidth, video.videoHeight))
        void this.stepDown();
      return;
    }
    const black = shade === 'black';
    this.blackRun = black ? this.blackRun + 1 : 0;
    this.healthyRun = black ? 0 : this.healthyRun + 1;
    if (black !== this.black && (!black || this.blackRun >= BLACK_FRAMES)) {
      this.black = black;
      this.host.requestUpdate();
    }
    if (this.healthyRun >= BLACK_FRAMES) this.stallSteps = 0;
    if (this.blackRun >= BLACK_FRAMES) {
      this.blackRun = 0;
      void this.recover(false);
    }
  };
}

/** The first step's size as constraints. */
const FIRST_STEP_SIZE = { width: { ideal: FIRST_STEP.width }, height: { ideal: FIRST_STEP.height } };

/** Continuous focus where the track offers it: every size asked for asks for it too, as a constraint set replaces the last. */
function focusConstraints(capabilities: LensCapabilities | undefined): MediaTrackConstraintSet[] {
  return capabilities?.focusMode?.includes('continuous') ? [{ focusMode: 'continuous' } as MediaTrackConstraintSet] : [];
}

/** The sampler's pace; BLACK_FRAMES samples in a row make "several black frames". */
const SAMPLE_INTERVAL_MS = 500;

function capabilitiesOf(track: MediaStreamTrack | undefined): LensCapabilities | undefined {
  try {
    return track?.getCapabilities?.() as LensCapabilities | undefined;
  } catch {
    return undefined;
  }
}

/** Resolves true once a frame (optionally of a size `accept` takes) has arrived, false after `timeout` ms. */
function firstFrame(
  stream: MediaStream,
  timeout: number,
  accept: (width: number, height: number) => boolean = () => true,
): Promise<boolean> {
  const probe = document.createElement('video');
  probe.muted = true;
  probe.playsInline = true;
  // In the document, out of sight: some engines load no media for a detached element (CSSOM keeps the strict CSP).
  Object.assign(probe.style, { position: 'fixed', width: '1px', height: '1px', opacity: '0', pointerEvents: 'none' });
  probe.setAttribute('aria-hidden', 'true');
  document.body.append(probe);
  probe.srcObject = stream;
  return new Promise((resolve) => {
    const events = ['loadeddata', 'resize', 'playing', 'timeupdate'];
    const check = () => {
      if (probe.readyState >= 2 && probe.videoWidth > 0 && accept(probe.videoWidth, probe.videoHeight)) done(true);
    };
    const done = (ok: boolean) => {
      clearTimeout(timer);
      clearInterval(poll);
      for (const name of events) probe.removeEventListener(name, check);
      probe.srcObject = null;
      probe.remove();
      resolve(ok);
    };
    for (const name of events) probe.addEventListener(name, check);
    // Some engines fire no event for a size change on a live stream: look as well.
    const poll = setInterval(check, 100);
    const timer = setTimeout(() => done(false), timeout);
    probe.play().catch(() => undefined);
    check();
  });
}

/** Resolves true when the track is unmuted within `timeout` ms. */
function unmuted(track: MediaStreamTrack, timeout: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      track.removeEventListener('unmute', on);
      resolve(false);
    }, timeout);
    const on = () => {
      clearTimeout(timer);
      resolve(true);
    };
    track.addEventListener('unmute', on, { once: true });
  });
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
