/** Phones and tablets, where the system camera app is offered as another way to take the photo. */
export function isMobile(userAgent: string): boolean {
  return /Android|iPhone|iPad|iPod|Mobile/i.test(userAgent);
}

/** A touch screen is the main pointer (phones, tablets): the camera opens full screen and copy says "tap". */
export function coarsePointer(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;
}

/**
 * Which lens rules apply: iOS and iPadOS (whose Safari asks for desktop sites with a Mac's user agent,
 * told apart by its touch points), Android, or anything else.
 */
export function cameraPlatform(userAgent: string, maxTouchPoints = 0): 'ios' | 'android' | 'other' {
  if (/iPhone|iPad|iPod/.test(userAgent) || (/Macintosh/.test(userAgent) && maxTouchPoints > 1)) return 'ios';
  if (/Android/.test(userAgent)) return 'android';
  return 'other';
}

/** Named in-app browsers whose webviews commonly block or break getUserMedia. */
const IN_APP_BROWSER = /\b(FBAN|FBAV|FB_IAB|Instagram|Line\/|MicroMessenger|musical_ly|TikTok|Snapchat|LinkedInApp|Twitter for)\b/i;

/**
 * The page runs inside an app rather than a browser: a named in-app browser, an Android WebView
 * (Chrome's user agent with "; wv)"), or an iOS WKWebView (iOS WebKit without the "Safari/" token that
 * Safari, Chrome and Firefox for iOS all send). Undefined in a browser.
 */
export function embeddedBrowser(userAgent: string, maxTouchPoints = 0): 'in-app' | 'android-webview' | 'ios-webview' | undefined {
  if (IN_APP_BROWSER.test(userAgent)) return 'in-app';
  if (/Android/.test(userAgent) && /; wv\)/.test(userAgent)) return 'android-webview';
  if (cameraPlatform(userAgent, maxTouchPoints) === 'ios' && /AppleWebKit/.test(userAgent) && !/Safari\//.test(userAgent))
    return 'ios-webview';
  return undefined;
}

/** True for the named in-app browsers, whose camera is known not to work: the widget says so before asking. */
export function isInAppBrowser(userAgent: string): boolean {
  return IN_APP_BROWSER.test(userAgent);
}

/**
 * An Android link that opens `url` in Chrome, out of a WebView or an in-app browser (Chrome's intent
 * syntax; the fallback URL opens in the default browser where Chrome is missing).
 */
export function chromeIntentUrl(url: string): string {
  const parsed = new URL(url);
  const scheme = parsed.protocol.replace(':', '');
  // "#" starts the intent's own part: the page's fragment travels in the fallback URL only.
  return `intent://${parsed.host}${parsed.pathname}${parsed.search}#Intent;scheme=${scheme};package=com.android.chrome;S.browser_fallback_url=${encodeURIComponent(url)};end`;
}
