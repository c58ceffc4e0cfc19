'use client';
// App code both pages share, so the difference between them is the widget alone.
import { useEffect } from 'react';

export function Ready() {
  useEffect(() => {
    document.documentElement.dataset.app = 'ready';
  }, []);
  return null;
}
