// Type-checked by `npm test` (tsc --noEmit), never run: the raw tag in React JSX takes the standard
// HTML and React attributes beside ours, and children for the documented slots.
import { useRef } from 'react';
import type { AccuraIdLiveness, LivenessResultEvent } from 'accura-id-liveness';
import type {} from 'accura-id-liveness/react';

export function RawTag({ checks }: { checks: string[] }) {
  const ref = useRef<AccuraIdLiveness>(null);
  return (
    <div>
      {checks.map((id) => (
        <accura-id-liveness
          key={id}
          ref={ref}
          id={id}
          className="kyc-widget"
          style={{ maxWidth: 480 }}
          hidden={false}
          slot="main"
          lang="fr"
          suppressHydrationWarning
          onClick={() => ref.current?.reset()}
          endpoint="/api/id-liveness"
          country-code="IND"
          card-code="MRZ"
          mode="upload"
          document-type="passport"
          onliveness-result={(event: LivenessResultEvent) => console.info(event.detail.verdict)}
        >
          <span slot="title">Scan your card</span>
          <p slot="instructions">Hold it flat.</p>
        </accura-id-liveness>
      ))}
    </div>
  );
}
