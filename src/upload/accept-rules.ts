/**
 * What the file picker offers. Pure: decided from the user agent, tested without a DOM.
 *
 * iOS converts a library photo from HEIC to JPEG only when `accept` leaves HEIC out, so it is left out
 * there. Elsewhere HEIC is listed only where the engine decodes it (Safari 17 and later, on macOS and
 * on iPadOS, whose Safari says "Macintosh"); Chromium and Firefox can't, and would only show an error.
 */
const BASE = 'image/jpeg,image/png,image/webp';
const WITH_HEIC = `${BASE},image/heic,image/heif`;

/** True on an iPhone or iPod, or an iPad that still says so. */
export function isIos(userAgent: string): boolean {
  return /\b(iPhone|iPad|iPod)\b/.test(userAgent);
}

/** True where the engine decodes HEIC: Safari (WebKit, not a Chromium or Firefox shell) 17 or later, off iOS's own UA. */
export function decodesHeic(userAgent: string): boolean {
  if (isIos(userAgent) || /Chrome|Chromium|CriOS|Firefox|FxiOS|Edg|Android/.test(userAgent)) return false;
  const version = /Version\/(\d+)[.\d]* .*Safari\//.exec(userAgent);
  return Boolean(version && Number(version[1]) >= 17);
}

/** The file input's `accept` for chosen photos. */
export function acceptFor(userAgent: string): string {
  return decodesHeic(userAgent) ? WITH_HEIC : BASE;
}
