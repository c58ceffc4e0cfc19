import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type CoverView, DOCUMENT_ASPECT, type DocumentType, type SizeRange, cameraBlocker, cameraError, captureRect, photoSize } from './camera-rules.ts';
import { LivenessError } from '../check/errors.ts';
import type { Quad } from '../quality/corners/geometry.ts';
import type { CutStill } from './still.ts';
import type { ImageWorkerClient } from '../image/worker/worker-client.ts';

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
  /** Cuts the still off the main thread. */
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
  /** More than one camera: show a switcher. */
  canSwitch = false;
  /** The track has a torch: show a toggle. */
  hasTorch = false;
  torchOn = false;
  /** The chosen camera, remembered for the page's lifetime only (never stored). */
  private deviceId?: string;
  private devices: MediaDeviceInfo[] = [];
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** Called when the camera stopped on its own (the page was hidden). */
    private readonly onInterrupted: () => void,
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

  /** Starts the preview. Rejects with a LivenessError (camera-denied, camera-unavailable, camera-in-use). */
  async start(deviceId = this.deviceId): Promise<void> {
    const blocker = cameraBlocker(this.environment());
    if (blocker) throw blocker;
    this.stop();
    const generation = ++this.generation;
    this.setState('starting');
    const video: MediaTrackConstraints = {
      // Ideal values: the browser gives the closest it has, up to 4K, instead of failing.
      width: { ideal: 3840 },
      height: { ideal: 2160 },
      ...(deviceId ? { deviceId: { exact: deviceId } } : { facingMode: { ideal: 'environment' } }),
    };
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
    } catch (error) {
      if (generation === this.generation) this.setState('off');
      throw cameraError(error);
    }
    if (generation !== this.generation) {
      // Stopped or restarted while the permission prompt was open.
      stopTracks(stream);
      throw new LivenessError('aborted', 'The camera was closed.');
    }
    this.stream = stream;
    const track = stream.getVideoTracks()[0];
    this.deviceId = track?.getSettings().deviceId ?? deviceId;
    this.hasTorch = Boolean((track?.getCapabilities?.() as TorchCapabilities | undefined)?.torch);
    this.torchOn = false;
    this.devices = (await navigator.mediaDevices.enumerateDevices().catch(() => [])).filter((d) => d.kind === 'videoinput');
    this.canSwitch = this.devices.length > 1;
    this.setState('live');
  }

  /** Moves to the next camera. */
  async switchCamera(): Promise<void> {
    if (this.devices.length < 2) return;
    const index = this.devices.findIndex((device) => device.deviceId === this.deviceId);
    await this.start(this.devices[(index + 1) % this.devices.length].deviceId);
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
   * Takes a still at the camera's full detail (a photo sized from getPhotoCapabilities where the
   * browser has ImageCapture, else the current frame), has the worker cut the guide plus a margin
   * out of it (a photo is decoded there, never on the main thread), and stops the camera. `view`:
   * the full-screen view the guide was lined up in, if any.
   */
  async capture(video: HTMLVideoElement, type: DocumentType, { crop: cropMode = 'guide', outline, view, worker }: CaptureOptions): Promise<CameraStill> {
    const track = this.stream?.getVideoTracks()[0];
    if (!track || this.state !== 'live') throw new LivenessError('camera-unavailable', 'The camera is not running.');
    try {
      const frame = { width: video.videoWidth, height: video.videoHeight };
      // The preview's corners, in this frame's pixels (the analysed frame may have had another size).
      const k = outline ? frame.width / outline.width : 1;
      const corners = outline?.corners.map((p) => ({ x: p.x * k, y: p.y * k })) as Quad | undefined;
      const request = { frame, crop: captureRect(frame.width, frame.height, type, view), corners, documentAspect: cropMode === 'document' && corners ? DOCUMENT_ASPECT[type] : undefined };
      const photo = await this.takePhoto(track, frame);
      if (photo) {
        try {
          return await worker.still({ ...request, source: photo });
        } catch {
          // a photo turned sideways or undecodable: the frame is the still
        }
      }
      return await worker.still({ ...request, source: await currentFrame(video) });
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
    if (document.visibilityState === 'hidden' && this.state !== 'off') {
      this.stop();
      this.onInterrupted();
    }
  };
}

/** The frame on screen; once more after the next frame where the engine had none ready (a photo can pause the preview). */
async function currentFrame(video: HTMLVideoElement): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(video);
  } catch {
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 1000);
      video.addEventListener('timeupdate', () => resolve(clearTimeout(timer)), { once: true });
    });
    return createImageBitmap(video);
  }
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
