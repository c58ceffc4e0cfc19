// The raw tag in React JSX with the standard attributes a host writes (issue 12): tsc must accept it.
import type { ReactElement } from 'react';
import type {} from 'accura-id-liveness/react';
import type { LivenessResultEvent } from 'accura-id-liveness';

export function Check({ onResult }: { onResult: (score: number) => void }): ReactElement {
  return (
    <accura-id-liveness
      key="liveness"
      className="card-check"
      style={{ maxWidth: 480 }}
      hidden={false}
      country-code="USA"
      card-code="MRZ"
      onClick={() => undefined}
      suppressHydrationWarning
      onliveness-result={(event: LivenessResultEvent) => onResult(event.detail.score)}
    >
      <span slot="title">Check your ID card</span>
      <p slot="instructions">Hold the card flat, in good light.</p>
    </accura-id-liveness>
  );
}
