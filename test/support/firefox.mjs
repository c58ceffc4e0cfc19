// Firefox for the browser tests: Debian's firefox-esr driven over WebDriver BiDi by puppeteer-core
// (no browser download), with Firefox's own fake camera stream.
import { chromeLauncher } from '@web/test-runner-chrome';
import * as puppeteer from 'puppeteer-core';
import { findFirefox } from '../../scripts/engines.mjs';
import { patientPage } from './chromium.mjs';

export const FIREFOX_PREFS = {
  // A generated test pattern instead of a real camera, granted without a prompt.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // Tests reach only 127.0.0.1: no update checks, telemetry, safe-browsing lists or captive-portal probes.
  'app.update.enabled': false,
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'toolkit.telemetry.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
};

/** A Firefox launcher (labelled "Firefox"); puppeteer starts and stops the browser process itself. */
export function firefox() {
  const executablePath = findFirefox();
  console.log(`Firefox: ${executablePath} over WebDriver BiDi (puppeteer-core), fake camera stream on`);
  // Passing puppeteer-core as the "custom puppeteer" lets the launcher take `browser: 'firefox'`.
  return chromeLauncher({
    puppeteer,
    createPage: patientPage,
    launchOptions: { browser: 'firefox', executablePath, headless: true, extraPrefsFirefox: FIREFOX_PREFS },
  });
}
