/** React 19: the @lit/react wrapper with typed event props, and the tag used directly. */
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { LivenessResult } from 'accura-id-liveness';
import { AccuraIdLivenessReact } from 'accura-id-liveness/react';
import { getToken } from '../token.ts';

function App() {
  const [wrapped, setWrapped] = useState<LivenessResult>();
  const [direct, setDirect] = useState<LivenessResult>();
  return (
    <main>
      <h1>React 19</h1>
      <h2>With the wrapper</h2>
      <AccuraIdLivenessReact
        id="wrapped"
        endpoint="/api/id-liveness"
        countryCode="USA"
        cardCode="MRZ"
        getToken={getToken}
        onLivenessResult={(event) => setWrapped(event.detail)}
      />
      <output id="wrapped-result">{wrapped ? `${wrapped.verdict} ${wrapped.score}` : ''}</output>
      <h2>The tag itself</h2>
      <accura-id-liveness
        id="direct"
        endpoint="/api/id-liveness"
        country-code="IND"
        card-code="MRZ"
        ref={(element) => {
          if (element) element.getToken = getToken;
        }}
        onliveness-result={(event) => setDirect(event.detail)}
      />
      <output id="direct-result">{direct ? `${direct.verdict} ${direct.score}` : ''}</output>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
