/**
 * `accura-id-liveness/vue`: types only. Adds `<accura-id-liveness>` to Vue's GlobalComponents so
 * that templates type-check (vue-tsc, Volar): `import type {} from 'accura-id-liveness/vue'`.
 */
import type { DefineComponent, HTMLAttributes } from 'vue';
import type { AccuraIdLiveness } from './element/accura-id-liveness.element.ts';
import type {
  LivenessCaptureEvent,
  LivenessErrorEvent,
  LivenessProgressEvent,
  LivenessQualityEvent,
  LivenessResultEvent,
} from './events.ts';

type LivenessProps = Partial<
  Pick<
    AccuraIdLiveness,
    | 'endpoint'
    | 'token'
    | 'apiKey'
    | 'countryCode'
    | 'cardCode'
    | 'threshold'
    | 'maxBytes'
    | 'timeout'
    | 'disabled'
    | 'mode'
    | 'documentType'
    | 'qualityCheck'
    | 'cameraView'
    | 'autoCapture'
    | 'qualityThresholds'
    | 'withCredentials'
    | 'required'
    | 'getToken'
    | 'responseParser'
    | 'strings'
  >
> & {
  onLivenessResult?: (event: LivenessResultEvent) => void;
  onLivenessError?: (event: LivenessErrorEvent) => void;
  onLivenessProgress?: (event: LivenessProgressEvent) => void;
  onLivenessCapture?: (event: LivenessCaptureEvent) => void;
  onLivenessQuality?: (event: LivenessQualityEvent) => void;
};

declare module 'vue' {
  interface GlobalComponents {
    // Open: class, style, slot, id, hidden and DOM events are accepted beside our props.
    'accura-id-liveness': DefineComponent<LivenessProps & HTMLAttributes>;
  }
}

export type { LivenessProps };
