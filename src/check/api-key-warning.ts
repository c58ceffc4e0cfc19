/** The one console warning about an API key used from a browser outside local development. */

let warned = false;

/** True for localhost, *.localhost, 127.0.0.0/8 and [::1]: the hosts where a key in the page is local development. */
export function isLocalDevelopmentUrl(url: string, base: string = globalThis.location?.href ?? 'http://localhost/'): boolean {
  try {
    const host = new URL(url, base).hostname;
    return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
  } catch {
    return false;
  }
}

/** Warns once per page when an API key would go to a non-local host. Never prints the key. */
export function warnIfKeyExposed(endpoint: string): boolean {
  if (warned || isLocalDevelopmentUrl(endpoint)) return false;
  warned = true;
  console.warn(
    '[accura-id-liveness] The api-key attribute sends your Accura API key from the browser, where every visitor can read it. ' +
      'Use it for local development only; in production give the element a short-lived token (token or getToken) and an endpoint on your own server (the proxy in accura-id-liveness/server).',
  );
  return true;
}
