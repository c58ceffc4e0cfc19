'use client';
// The raw tag in a client component, as the README shows: the hydration check of issue 12.
import 'accura-id-liveness';
import { Ready } from './shared.jsx';

export function Widget() {
  return (
    <>
      <Ready />
      <accura-id-liveness country-code="USA" card-code="MRZ"></accura-id-liveness>
    </>
  );
}
