import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type CoverView, DOCUMENT_ASPECT, type DocumentType, cameraBlocker, cameraError, captureRect } from './camera-rules.ts';
import { fitCanvas } from '../image/canvas-limit.ts';
import { LivenessError } from '../check/errors.ts';
import { documentCorners, warpToDocument } from '../quality/corners/perspective.ts';
import type { Quad } from '../quality/corners/geometry.ts';

export type CameraState = 'off' | 'starting' | 'live';

/** What a capture produced: a cropped still, ready for the same pipeline as an upload. */
export interface CameraStill {
  blob: Blob;
  width: number;
  height: number;
  /** The card's corners in the still, when the preview had found it. */
  corners?: Quad;
}

/** What to cut from the frame: the guide plus a margin (the default), or the card itself, rectified. */
export type CaptureCrop = 'guide' | 'document';

export interface CaptureOptions {
  crop?: CaptureCrop;
  /** The card found in the last preview frame, and that frame's size. */
  outline?: { corners: Quad; width: number; height: number };
  /** The full-screen view the guide was lined up in, if any. */
  view?: CoverView;
}

interface TorchCapabilities extends MediaTrackCapabilities {
  torch?: boolean;
}

/** Chrome's ImageCapture: a full-resolution still from the track, where the browser has it. */
declare class ImageCapture {
  constructor(track: MediaStreamTrack);
  takePhoto(): Promise<Blob>;
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

  /**
   * Takes a full-resolution still (ImageCapture where it exists, else the current frame at the
   * stream's resolution), crops it to the guide plus a margin, and stops the camera. `view`: the
   * full-screen view the guide was lined up in, if any.
   */
  async capture(
    video: HTMLVideoElement,
    type: DocumentType,
    { crop: cropMode = 'guide', outline, view }: CaptureOptions = {},
  ): Promise<CameraStill> {
    const track = this.stream?.getVideoTracks()[0];
    if (!track || this.state !== 'live') throw new LivenessError('camera-unavailable', 'The camera is not running.');
    try {
      const source = await this.fullResolutionFrame(track, video);
      // The preview's corners, scaled to the still (a photo can be larger than the preview frame).
      const scale = outline ? source.width / outline.width : 1;
      const corners = outline?.corners.map((p) => ({ x: p.x * scale, y: p.y * scale })) as Quad | undefined;
      if (cropMode === 'document' && corners) {
        // The whole still, within the canvas limit, for the perspective warp.
        const full = fitCanvas(source.width, source.height);
        const shrink = full.width / source.width;
        const context = new OffscreenCanvas(full.width, full.height).getContext('2d')!;
        context.drawImage(source, 0, 0, full.width, full.height);
        source.close();
        const fitted = corners.map((p) => ({ x: p.x * shrink, y: p.y * shrink })) as Quad;
        const card = warpToDocument(context.getImageData(0, 0, full.width, full.height), fitted, DOCUMENT_ASPECT[type]);
        const canvas = new OffscreenCanvas(card.width, card.height);
        canvas.getContext('2d')!.putImageData(new ImageData(card.data as Uint8ClampedArray<ArrayBuffer>, card.width, card.height), 0, 0);
        const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 });
        return { blob, width: card.width, height: card.height, corners: documentCorners(card) };
      }
      const crop = captureRect(source.width, source.height, type, view);
      // A 48 MP still's crop could pass the canvas limit: scale it to fit.
      const { width, height } = fitCanvas(crop.width, crop.height);
      const canvas = new OffscreenCanvas(width, height);
      canvas.getContext('2d')!.drawImage(source, crop.x, crop.y, crop.width, crop.height, 0, 0, width, height);
      source.close();
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 });
      const k = width / crop.width;
      const inStill = corners?.map((p) => ({
        x: Math.round((p.x - crop.x) * k * 10) / 10,
        y: Math.round((p.y - crop.y) * k * 10) / 10,
      })) as Quad | undefined;
      return inStill ? { blob, width, height, corners: inStill } : { blob, width, height };
    } finally {
      this.stop();
    }
  }

  private async fullResolutionFrame(track: MediaStreamTrack, video: HTMLVideoElement): Promise<ImageBitmap> {
    const frameAspect = video.videoWidth / video.videoHeight;
    if (typeof ImageCapture === 'function') {
      try {
        const photo = await createImageBitmap(await new ImageCapture(track).takePhoto());
        // The guide is placed on the preview: a photo with another field of view can't use it.
        if (Math.abs(photo.width / photo.height - frameAspect) < 0.02) return photo;
        photo.close();
      } catch {
        // fall back to the preview frame
      }
    }
    return createImageBitmap(video);
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

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
