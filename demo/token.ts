/** A fresh short-lived token from the demo server, bound to this page's origin. */
export async function getToken(): Promise<string> {
  const response = await fetch('/api/liveness-token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  if (!response.ok) throw new Error(`token route answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}
