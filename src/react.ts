/**
 * `accura-id-liveness/react`: a React component for `<accura-id-liveness>`, made with @lit/react,
 * with typed `onLiveness*` event props and a ref to the element.
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import { AccuraIdLiveness } from './accura-id-liveness.ts';
import type {
  LivenessCaptureEvent,
  LivenessErrorEvent,
  LivenessProgressEvent,
  LivenessQualityEvent,
  LivenessResultEvent,
} from './events.ts';

export const AccuraIdLivenessReact = createComponent({
  tagName: 'accura-id-liveness',
  elementClass: AccuraIdLiveness,
  react: React,
  events: {
    onLivenessResult: 'liveness-result' as EventName<LivenessResultEvent>,
    onLivenessError: 'liveness-error' as EventName<LivenessErrorEvent>,
    onLivenessProgress: 'liveness-progress' as EventName<LivenessProgressEvent>,
    onLivenessCapture: 'liveness-capture' as EventName<LivenessCaptureEvent>,
    onLivenessQuality: 'liveness-quality' as EventName<LivenessQualityEvent>,
  },
  displayName: 'AccuraIdLiveness',
});

export { AccuraIdLiveness };

/**
 * Props of the raw tag in JSX: every standard HTML and React attribute (`className`, `style`, `key`,
 * `slot`, `hidden`, `children` for the slots, `suppressHydrationWarning`, DOM events), plus ours.
 */
export type LivenessElementProps = React.DetailedHTMLProps<React.HTMLAttributes<AccuraIdLiveness>, AccuraIdLiveness> & LivenessOwnProps;

type LivenessOwnProps = Partial<
  Pick<
    AccuraIdLiveness,
    'endpoint' | 'token' | 'threshold' | 'maxBytes' | 'timeout' | 'disabled' | 'mode' | 'documentType' | 'qualityCheck' | 'cameraView'
  >
> & {
  'country-code'?: string;
  'card-code'?: string;
  'api-key'?: string;
  'max-bytes'?: number;
  'document-type'?: AccuraIdLiveness['documentType'];
  'quality-check'?: AccuraIdLiveness['qualityCheck'];
  'camera-view'?: AccuraIdLiveness['cameraView'];
  'auto-capture'?: string;
  'with-credentials'?: boolean;
  name?: string;
  required?: boolean;
  'onliveness-result'?: (event: LivenessResultEvent) => void;
  'onliveness-error'?: (event: LivenessErrorEvent) => void;
  'onliveness-progress'?: (event: LivenessProgressEvent) => void;
  'onliveness-capture'?: (event: LivenessCaptureEvent) => void;
  'onliveness-quality'?: (event: LivenessQualityEvent) => void;
};

// The tag used directly in React 19 JSX type-checks, attributes and `onliveness-*` events included.
declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'accura-id-liveness': LivenessElementProps;
    }
  }
}
