// WebKit for the browser tests: WebKitGTK's MiniBrowser driven by WebKitWebDriver on a virtual display
// (Xvfb), all from Debian's packages. Starts the display and the driver, says so, and stops both by pid.
import { WebdriverLauncher } from '@web/test-runner-webdriver';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { findWebKit } from '../../scripts/engines.mjs';
import { until } from './wait.mjs';

/** A free TCP port on 127.0.0.1: WebKitWebDriver needs one named, and a fixed one could collide. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts Xvfb on the first free display (-displayfd), so parallel runs never share one. */
function startXvfb(xvfb) {
  const child = spawn(xvfb, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before choosing a display`)));
    child.stdio[3].on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve({ child, display: `:${text.trim()}` });
    });
  });
}

async function untilListening(port, child) {
  await until(
    'WebKitWebDriver to answer /status',
    async () => {
      if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode})`);
      return fetch(`http://127.0.0.1:${port}/status`).then(
        (response) => response.ok,
        () => false,
      ); // not listening yet
    },
    { timeout: 60_000, interval: 100 },
  );
}

/**
 * Starts Xvfb and WebKitWebDriver, says so, and returns the driver's port, the capabilities that
 * open MiniBrowser with `settings` (WebKitSettings, as --name=value), and a stop that kills both by pid.
 */
export async function startWebKit(settings = {}) {
  const paths = findWebKit();
  if (!paths) throw new Error('WebKit not found: run node scripts/ensure-browsers.mjs');
  const children = [];
  const stop = () => {
    for (const child of children.reverse()) if (child.exitCode === null) child.kill();
    children.length = 0;
  };
  // A crashed run still stops what it started.
  process.once('exit', stop);
  const { child: xvfb, display } = await startXvfb(paths.xvfb);
  children.push(xvfb);
  const port = await freePort();
  // WebKit's bubblewrap sandbox can't start as root in a container; these are throwaway test pages on 127.0.0.1.
  const env = { ...process.env, DISPLAY: display, WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS: '1', LIBGL_ALWAYS_SOFTWARE: '1' };
  const driver = spawn(paths.driver, [`--port=${port}`, '--host=127.0.0.1'], { env, stdio: 'ignore' });
  children.push(driver);
  try {
    await untilListening(port, driver);
  } catch (error) {
    stop();
    throw error;
  }
  console.log(
    `WebKit: ${paths.miniBrowser} via ${paths.driver} (pid ${driver.pid}, 127.0.0.1:${port}) on Xvfb ${display} (pid ${xvfb.pid})`,
  );
  const capabilities = {
    browserName: 'MiniBrowser',
    // Classic WebDriver: WebKitWebDriver's BiDi is partial, and navigation and execute are all we need.
    'wdio:enforceWebDriverClassic': true,
    'webkitgtk:browserOptions': {
      binary: paths.miniBrowser,
      args: ['--automation', ...Object.entries(settings).map(([key, value]) => `--${key}=${value}`)],
    },
  };
  return { port, capabilities, stop };
}

/** webdriverio options for a started WebKit. */
export const webdriverOptions = ({ port, capabilities }) => ({
  hostname: '127.0.0.1',
  port,
  path: '/',
  logLevel: 'error',
  connectionRetryCount: 0,
  capabilities,
});

class WebKitLauncher extends WebdriverLauncher {
  #settings;
  #stop = () => {};

  constructor(settings) {
    super({}); // options are set once the driver is listening
    this.#settings = settings;
  }

  async initialize(config, testFiles) {
    const webkit = await startWebKit(this.#settings);
    this.#stop = webkit.stop;
    this.options = webdriverOptions(webkit);
    await super.initialize(config, testFiles);
    this.name = 'WebKit';
  }

  async stop() {
    await super.stop();
    this.#stop();
  }
}

/** A WebKit launcher for Web Test Runner; `settings` are WebKitSettings passed to MiniBrowser. */
export function webkit(settings = {}) {
  return new WebKitLauncher(settings);
}
