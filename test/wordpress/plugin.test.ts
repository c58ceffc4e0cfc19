/**
 * The WordPress plugin in real WordPress sites: Debian 12's 6.1 and Debian 13's 6.8, each on
 * Apache with mod_php, Apache with PHP-FPM and nginx with PHP-FPM, and 6.1 on `php -S`. In each: installed
 * from the built zip by WordPress's own upgrader, configured through the real settings form,
 * placed by block and shortcode, a visitor's check through the PHP proxy to the package's sandbox
 * (started here as the upstream), a page served from a cache two days later, the daily cap, every
 * bad request the proxy must refuse, and a look for the key everywhere. Then uninstall on a network.
 *
 * WP_MATRIX narrows the run, e.g. WP_MATRIX="6.8/nginx PHP-FPM,6.1/php -S".
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createSandbox, sandboxScore } from '../../src/server/sandbox.ts';
import { launchChromium, photoInPage } from '../e2e/support.ts';
import {
  type Listening,
  type Reply,
  closedPort,
  jpeg,
  listen,
  listenRaw,
  livenessFields,
  multipart,
  replies,
  send,
} from '../server/helpers.ts';
import {
  type Database,
  type Stack,
  STACKS,
  VERSIONS,
  type WordPress,
  type WordPressVersion,
  ensureWordPressPackages,
  startDatabase,
  startWordPress,
} from '../support/wordpress.ts';

const root = new URL('../../', import.meta.url).pathname;
const SLUG = 'id-liveness-check-for-accura-scan';
const PLUGIN = join(root, 'integrations/wordpress', SLUG);
const ZIP = join(root, `dist/${SLUG}.zip`);
const PLUGIN_FILE = `${SLUG}/${SLUG}.php`;
const ROUTE = '/wp-json/id-liveness-check/v1/check';
const TOKEN_ROUTE = '/wp-json/id-liveness-check/v1/token';
const SETTINGS = '/wp-admin/options-general.php?page=id-liveness-check';
// Made up per run, so a leak can only come from this run. Its last 4 characters are shown on the settings page.
const KEY = `acc-${randomBytes(16).toString('hex')}-k3y9`;
const UPSTREAM_TIMEOUT_S = 2;
/** Playwright's waits in these pages: generous, since a deadline only ends a real hang. */
const WP_PAGE_TIMEOUT_MS = 180_000;
const execFileAsync = promisify(execFile);

// Every real stack on both versions. php -S, which no site is hosted on, runs only when WP_MATRIX names it
// (`WP_MATRIX='6.1/php -S'`): it adds a minute to npm test and finds nothing the real stacks would not.
// WP_MATRIX names the combinations to run instead.
const MATRIX: { version: WordPressVersion; stack: Stack }[] = VERSIONS.flatMap((version) =>
  STACKS.map((stack) => ({ version, stack })),
).filter(({ version, stack }) =>
  process.env.WP_MATRIX ? process.env.WP_MATRIX.split(',').includes(`${version}/${stack}`) : stack !== 'php -S',
);
// The tests of the plugin's own PHP logic that no web server changes (sandbox mode, the daily cap) run on this stack
// of each version, and on every stack WP_MATRIX names; their routes, headers and pages are the other tests' business.
const LOGIC_STACK: Stack = 'Apache mod_php';

let database: Database;
let upstream: Listening;
let upstreamCalls = 0;
let browser: Browser;

before(async () => {
  const installed = ensureWordPressPackages();
  console.log(
    installed.length
      ? `# installed: ${installed.join(', ')}`
      : '# Debian packages already present: wordpress, php-mysql, mariadb-server, apache2, libapache2-mod-php, php-fpm, nginx, libfaketime',
  );
  assert.ok(existsSync(ZIP), `${ZIP} is missing: run npm run build first`);
  database = await startDatabase();
  const sandbox = createSandbox({ apiKey: KEY });
  upstream = await listen((request) => (upstreamCalls++, sandbox.fetch(request)));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await upstream?.close();
  await database?.stop();
});

test('every PHP file of the plugin passes php -l', async () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.php') ? [join(dir, entry.name)] : [],
    );
  // The sources and the zip's contents (with the generated assets/integrity.php); PHP 8.2's -l takes one file a run.
  const all = [...files(PLUGIN), ...files(join(root, 'dist/wordpress'))];
  assert.ok(all.length >= 20, `${all.length} files`);
  const results = await Promise.all(all.map((file) => execFileAsync('php', ['-l', file]).then(({ stdout }) => [file, stdout])));
  for (const [file, stdout] of results) assert.match(stdout, /No syntax errors/, file);
});

for (const { version, stack } of MATRIX) describe(`WordPress ${version} on ${stack}`, () => siteSuite(version, stack));

function siteSuite(version: WordPressVersion, stack: Stack): void {
  let wp: WordPress;
  let blockUrl: string;
  let shortcodeUrl: string;
  let aliasUrl: string;
  let plainUrl: string;
  /** Every response body the browser saw, for the key check at the end. */
  const seen: string[] = [];

  before(async () => {
    const started = performance.now();
    wp = await startWordPress({
      pluginZip: ZIP,
      database,
      version,
      stack,
      phpConstants: { ACCURA_IDL_UPSTREAM_TIMEOUT: UPSTREAM_TIMEOUT_S },
    });
    console.log(
      `# WordPress ${wp.version} on ${stack} (PHP ${execFileSync('php', ['-r', 'echo PHP_VERSION;'], { encoding: 'utf8' })}) at ${wp.url}, ready in ${Math.round(performance.now() - started)} ms ${JSON.stringify(wp.timings)}`,
    );
    assert.ok(wp.version.startsWith(version), `WordPress ${wp.version}`);
    // One post per way of placing the widget, and one page without it.
    const urls = wp.php(`
      $block = wp_insert_post(array('post_title' => 'Block', 'post_status' => 'publish', 'post_content' => '<!-- wp:accura-id-liveness/check {"countryCode":"IND","cardCode":"MRZ","mode":"upload"} /-->'));
      $short = wp_insert_post(array('post_title' => 'Shortcode', 'post_status' => 'publish', 'post_content' => '[id_liveness_check country="USA" card="MRZ" threshold="60" mode="upload" document="passport"]'));
      $alias = wp_insert_post(array('post_title' => 'Old shortcode', 'post_status' => 'publish', 'post_content' => '[accura_id_liveness country="GBR" card="DL" threshold="70" mode="upload"]'));
      $plain = wp_insert_post(array('post_type' => 'page', 'post_title' => 'Plain', 'post_status' => 'publish', 'post_content' => 'Nothing to check here.'));
      echo wp_json_encode(array(get_permalink($block), get_permalink($short), get_permalink($alias), get_permalink($plain)));`);
    [blockUrl, shortcodeUrl, aliasUrl, plainUrl] = JSON.parse(urls) as string[];
  });

  after(async () => {
    await wp?.stop();
  });

  /** A test whose failure also shows the end of each server log, which is gone once the site stops. */
  function siteTest(name: string, run: () => void | Promise<void>): void {
    test(name, async () => {
      try {
        await run();
      } catch (error) {
        // The reporter prints the stack, which holds the message as it was made.
        if (error instanceof Error && wp) error.stack = `${error.stack}\n${wp.logTails(15)}`;
        throw error;
      }
    });
  }

  async function newPage(context?: BrowserContext): Promise<Page> {
    const page = await (context ?? browser).newPage();
    // wp-admin's block editor loads megabytes of scripts through PHP: on a loaded 2-core machine that takes a while.
    page.setDefaultTimeout(WP_PAGE_TIMEOUT_MS);
    page.on('response', async (response) => seen.push(await response.text().catch(() => '')));
    return page;
  }

  /** A siteTest of the plugin's PHP logic alone: on LOGIC_STACK (or a WP_MATRIX run), skipped with a reason elsewhere. */
  function logicTest(name: string, run: () => void | Promise<void>): void {
    if (stack === LOGIC_STACK || process.env.WP_MATRIX) siteTest(name, run);
    else test.skip(`${name} (PHP logic alone: on ${LOGIC_STACK})`, () => undefined);
  }

  /** A fresh browser context signed in through wp-login.php. */
  async function loginAsAdmin(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await newPage(context);
    await page.goto(`${wp.url}/wp-login.php`);
    // wp-login.php focuses and selects the user field 200 ms after it loads (wp_attempt_focus): a fill under way then
    // types the password over the user name, and the form goes with an empty password. A person sees the focus move and
    // types again; so does this, until both fields hold what was typed (the focus moves once).
    for (let tries = 1; ; tries++) {
      await page.fill('#user_login', wp.admin.user);
      await page.fill('#user_pass', wp.admin.password);
      if ((await page.inputValue('#user_login')) === wp.admin.user && (await page.inputValue('#user_pass')) === wp.admin.password) break;
      assert.ok(tries < 3, 'the login form kept what was typed');
    }
    await Promise.all([page.waitForURL(/wp-admin/), page.click('#wp-submit')]);
    return { context, page };
  }

  /** A token from the token route, as the widget gets it. */
  async function freshToken(): Promise<string> {
    const reply = await send(`${wp.url}${TOKEN_ROUTE}`, { method: 'GET' });
    assert.equal(reply.status, 200, reply.text);
    const token = reply.json().token as string;
    assert.match(token, /^\d+\.[0-9a-f]{32}$/);
    return token;
  }

  function setSettings(values: Record<string, string | number | boolean>): void {
    wp.php(`
      $settings = array_merge(Accura_IDL_Settings::get(), json_decode(${JSON.stringify(JSON.stringify(values))}, true));
      update_option(Accura_IDL_Settings::OPTION, $settings);
      global $wpdb;
      $wpdb->query("DELETE FROM {$wpdb->options} WHERE option_name LIKE '%accura_idl_rl_%' OR option_name LIKE 'accura_idl_checks_%'");`);
  }

  /** What the settings form saves (its own test), set directly, so the tests after it don't depend on that one. */
  const withKey = () => ({ api_key: KEY, upstream_url: `${upstream.url}/v2/api/id-liveness` });

  /** POSTs a liveness form to the PHP route the way the widget does, with whatever is overridden. */
  async function check(
    options: { token?: string | null; origin?: string; fields?: Record<string, string | Blob>; method?: string } = {},
  ): Promise<Reply> {
    const token = options.token === undefined ? await freshToken() : options.token;
    const { body, contentType } = await multipart(options.fields ?? livenessFields());
    const headers: Record<string, string> = { Origin: options.origin ?? wp.url, 'Content-Type': contentType };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    return send(`${wp.url}${ROUTE}`, { method: options.method ?? 'POST', headers, body: options.method === 'GET' ? undefined : body });
  }

  function assertError(reply: Reply, status: number, code: string): void {
    assert.equal(reply.status, status, reply.text);
    assert.deepEqual({ status: reply.json().status, code: reply.json().code }, { status: false, code });
    assert.equal(reply.headers['cache-control'], 'no-store');
  }

  /** The site still serves pages and a good check after a refusal. */
  async function assertSiteWorks(): Promise<void> {
    assert.equal((await fetch(wp.url)).status, 200);
    const reply = await check();
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json().sandbox, true);
  }

  /** A visitor's check through the real file input on `url` (or the block post); the result, and the page's requests. */
  async function visitorCheck(
    options: { url?: string; html?: string } = {},
  ): Promise<{ detail: { verdict: string; score: number; sandbox: boolean }; note: string; requests: string[] }> {
    const url = options.url ?? blockUrl;
    const page = await newPage();
    // A page cache: the HTML captured earlier, served as it was; everything else comes from the site.
    if (options.html !== undefined)
      await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=UTF-8', body: options.html }));
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(url);
    const photo = await photoInPage(page);
    const result = page.evaluate(
      () =>
        new Promise<{ verdict: string; score: number; sandbox: boolean }>((resolve, reject) => {
          const widget = document.querySelector('accura-id-liveness')!;
          widget.addEventListener('liveness-result', (event) => resolve((event as CustomEvent).detail), { once: true });
          widget.addEventListener('liveness-error', (event) => reject(new Error(JSON.stringify((event as CustomEvent).detail))), {
            once: true,
          });
        }),
    );
    // An error can come back before the click has resolved (a refusal such as the daily cap answers at once): handled
    // from now on, so it is this function's rejection and not an unhandled one that fails whichever test is running.
    result.catch(() => undefined);
    await page.locator('accura-id-liveness input[type=file]').setInputFiles({ name: 'card.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.locator('accura-id-liveness button', { hasText: 'Check document' }).click();
    const detail = await result;
    const note = await page.locator('accura-id-liveness [part=sandbox]').innerText();
    await page.close();
    return { detail, note, requests };
  }

  siteTest('with no key set, the route answers as the sandbox does, and says so', async () => {
    const image = jpeg(4096, 7);
    const before = upstreamCalls;
    const reply = await check({ fields: livenessFields(image) });
    assert.equal(reply.status, 200, reply.text);
    // The same figure as the Node sandbox: one sandbox, two servers.
    assert.deepEqual(reply.json(), {
      status: true,
      sandbox: true,
      message: 'Sandbox: not a real liveness check',
      data: { score: await sandboxScore(image) },
    });
    assert.equal(upstreamCalls, before, 'nothing went upstream');
  });

  siteTest('the token route answers a fresh token that no cache may keep', async () => {
    const reply = await send(`${wp.url}${TOKEN_ROUTE}`, { method: 'GET' });
    assert.equal(reply.status, 200, reply.text);
    assert.match(reply.headers['cache-control'] ?? '', /no-store/);
    // nocache_headers(): a proxy that ignores Cache-Control still sees an expired answer.
    assert.ok(reply.headers.expires && Date.parse(reply.headers.expires) < Date.now(), `Expires: ${reply.headers.expires}`);
    assert.equal(reply.json().expiresIn, 900);
    assert.notEqual(await freshToken(), '', 'a token per request');
  });

  siteTest('an administrator saves the settings through the real form; the key is never printed back', async () => {
    const { context, page } = await loginAsAdmin();

    await page.goto(`${wp.url}${SETTINGS}`);
    assert.equal(await page.locator('h1').first().innerText(), 'ID Liveness Check for Accura Scan');
    assert.match(await page.locator('#accura-idl-sandbox-notice').innerText(), /no real liveness check is being made/i);
    assert.equal(await page.inputValue('#accura_idl_daily_cap'), '200', 'a daily cap by default');
    await page.fill('#accura_idl_api_key', KEY);
    await page.fill('#accura_idl_upstream_url', `${upstream.url}/v2/api/id-liveness`);
    await page.fill('#accura_idl_country_code', 'ind');
    await page.fill('#accura_idl_card_code', 'MRZ');
    await page.fill('#accura_idl_threshold', '55');
    await page.fill('#accura_idl_rate_limit', '100');
    await Promise.all([page.waitForURL(/settings-updated=true/), page.click('#submit')]);
    assert.match(await page.content(), /Settings saved/);
    assert.match(await page.locator('.form-table').first().innerText(), /A key is set, ending in k3y9/);
    assert.equal(await page.inputValue('#accura_idl_api_key'), '');
    assert.ok(!(await page.content()).includes(KEY), 'the settings page never prints the key back');
    assert.equal(await page.inputValue('#accura_idl_country_code'), 'IND', 'sanitized to upper case');
    assert.equal(await page.locator('#accura-idl-sandbox-notice').count(), 0);

    // Bad values are refused with a message; an empty key field keeps the key.
    // The browser's own min/max would stop the form: turn that off, as a crafted post would.
    await page.goto(`${wp.url}${SETTINGS}`);
    await page.locator('form[action$="options.php"]').evaluate((form: HTMLFormElement) => (form.noValidate = true));
    await page.fill('#accura_idl_threshold', '500');
    await page.fill('#accura_idl_country_code', 'India');
    await Promise.all([page.waitForURL(/settings-updated=true/), page.click('#submit')]);
    const errors = await page.locator('.notice-error, .error').allInnerTexts();
    assert.ok(
      errors.some((text) => /threshold must be a number from 0 to 100/.test(text)),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((text) => /country code must be three letters/.test(text)),
      errors.join('\n'),
    );
    assert.equal(await page.inputValue('#accura_idl_threshold'), '55');
    assert.equal(await page.inputValue('#accura_idl_country_code'), 'IND');
    const stored = JSON.parse(wp.php('echo wp_json_encode(get_option("accura_idl_settings"));'));
    assert.equal(stored.api_key, KEY);
    assert.equal(stored.rate_limit, 100);

    // Nonce-checked: options.php refuses a post without the form's nonce.
    const forged = await page.request.post(`${wp.url}/wp-admin/options.php`, {
      form: {
        option_page: 'accura_idl',
        action: 'update',
        'accura_idl_settings[api_key]': 'stolen',
        'accura_idl_settings[country_code]': 'USA',
      },
      maxRedirects: 0,
    });
    assert.notEqual(forged.status(), 302);
    assert.equal(JSON.parse(wp.php('echo wp_json_encode(get_option("accura_idl_settings"));')).api_key, KEY);

    // The suggested privacy-policy text names the service and what is sent.
    await page.goto(`${wp.url}/wp-admin/privacy-policy-guide.php`);
    // Each policy's text is in a collapsed panel: its text content is there, not shown.
    const guide = (await page.locator('body').textContent()) ?? '';
    assert.match(guide, /ID Liveness Check for Accura Scan/);
    assert.match(guide, /sent from this site to Accura Scan \(api\.accurascan\.com\)/);

    // The block is in the editor's inserter, from the plugin's plain wp.* script.
    await page.goto(`${wp.url}/wp-admin/post-new.php`);
    const title = await page.waitForFunction(() => (window as any).wp?.blocks?.getBlockType('accura-id-liveness/check')?.title, undefined, {
      timeout: WP_PAGE_TIMEOUT_MS,
    });
    assert.equal(await title.jsonValue(), 'ID Liveness Check');
    await context.close();
  });

  siteTest(
    'a post with the block, one with the shortcode and one with its old name each render the widget, with no token in the page; other pages load no script',
    async () => {
      const hashes = readFileSync(join(root, `dist/wordpress/${SLUG}/assets/integrity.php`), 'utf8');
      const integrity = (file: string) => new RegExp(`'${file.replace('.', '\\.')}'\\s*=> '([^']+)'`).exec(hashes)![1];
      const page = await newPage();
      for (const [url, expected] of [
        [blockUrl, { country: 'IND', card: 'MRZ', threshold: '55', mode: 'upload', document: 'id-card' }],
        [shortcodeUrl, { country: 'USA', card: 'MRZ', threshold: '60', mode: 'upload', document: 'passport' }],
        [aliasUrl, { country: 'GBR', card: 'DL', threshold: '70', mode: 'upload', document: 'id-card' }],
      ] as const) {
        await page.goto(url);
        const widget = page.locator('accura-id-liveness');
        await widget.locator('input[type=file]').waitFor({ state: 'attached' });
        assert.equal(await page.evaluate(() => customElements.get('accura-id-liveness') !== undefined), true);
        assert.deepEqual(
          {
            endpoint: await widget.getAttribute('endpoint'),
            tokenUrl: await widget.getAttribute('data-token-url'),
            country: await widget.getAttribute('country-code'),
            card: await widget.getAttribute('card-code'),
            threshold: await widget.getAttribute('threshold'),
            mode: await widget.getAttribute('mode'),
            document: await widget.getAttribute('document-type'),
          },
          { endpoint: `${wp.url}${ROUTE}`, tokenUrl: `${wp.url}${TOKEN_ROUTE}`, ...expected },
        );
        assert.equal(await widget.getAttribute('token'), null, 'the page carries no token');
        assert.equal(await widget.evaluate((element) => typeof (element as unknown as { getToken?: unknown }).getToken), 'function');
        for (const file of ['accura-id-liveness.min.js', 'token.js']) {
          const script = page.locator(`script[src*="/assets/${file}"]`);
          assert.equal(await script.count(), 1, file);
          assert.equal(await script.getAttribute('integrity'), integrity(file));
          assert.equal(await script.getAttribute('crossorigin'), 'anonymous');
        }
      }
      const plain = await (await fetch(plainUrl)).text();
      assert.match(plain, /Nothing to check here/);
      assert.doesNotMatch(plain, /accura-id-liveness\.min\.js|token\.js/);
      await page.close();
    },
  );

  siteTest("a visitor completes a check through the PHP proxy to the package's sandbox, and sees the sandbox note", async () => {
    setSettings(withKey());
    const before = upstreamCalls;
    const { detail, note, requests } = await visitorCheck();
    assert.ok(['live', 'spoof'].includes(detail.verdict));
    assert.ok(detail.score >= 0 && detail.score <= 100);
    assert.equal(detail.sandbox, true);
    assert.equal(upstreamCalls, before + 1, 'the PHP proxy forwarded to the local upstream, with the key (the sandbox refuses any other)');
    assert.match(note, /not a real liveness check/);
    assert.ok(requests.includes(`${wp.url}${TOKEN_ROUTE}`), 'the widget fetched its token at run time');
    assert.ok(requests.includes(`${wp.url}${ROUTE}`), 'the check went to the PHP route');
    assert.deepEqual(new Set(requests.map((url) => new URL(url).origin)), new Set([wp.url]), 'no third-party request');
  });

  logicTest('sandbox mode answers locally and the settings page says no real check is made', async () => {
    setSettings({ sandbox: true });
    const before = upstreamCalls;
    const reply = await check();
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json().sandbox, true);
    const visitor = await visitorCheck();
    assert.equal(visitor.detail.sandbox, true);
    assert.match(visitor.note, /not a real liveness check/);
    assert.equal(upstreamCalls, before, 'nothing went upstream');
    const { context, page } = await loginAsAdmin();
    await page.goto(`${wp.url}${SETTINGS}`);
    assert.match(await page.locator('#accura-idl-sandbox-notice').innerText(), /no real liveness check is being made/i);
    assert.equal(await page.isChecked('#accura_idl_sandbox'), true);
    await context.close();
    setSettings({ sandbox: false });
  });

  siteTest(
    'the route refuses a missing, forged or expired token, another origin, a 2 MB body, an SVG named .jpg and a fourth field',
    async () => {
      assertError(await check({ token: null }), 401, 'unauthorized');
      await assertSiteWorks();
      assertError(await check({ token: '0123456789' }), 401, 'unauthorized');
      const [expires, signature] = (await freshToken()).split('.');
      assertError(await check({ token: `${Number(expires) - 3600}.${signature}` }), 401, 'unauthorized');
      await assertSiteWorks();
      assertError(await check({ origin: 'https://evil.example' }), 403, 'forbidden-origin');
      await assertSiteWorks();
      assertError(await check({ fields: livenessFields(jpeg(2_000_000)) }), 413, 'payload-too-large');
      await assertSiteWorks();
      const svg = new File(['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'], 'card.jpg', { type: 'image/jpeg' });
      assertError(await check({ fields: { ...livenessFields(), liveness_image: svg } }), 415, 'unsupported-media-type');
      await assertSiteWorks();
      assertError(await check({ fields: { ...livenessFields(), note: 'hello' } }), 400, 'unexpected-field');
      await assertSiteWorks();
      assertError(await check({ fields: { ...livenessFields(), country_code: 'India' } }), 400, 'invalid-field');
      assertError(await check({ method: 'GET' }), 405, 'method-not-allowed');
      const preflight = await send(`${wp.url}${ROUTE}`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
      });
      assertError(preflight, 403, 'forbidden-origin');
      assert.equal(preflight.headers['access-control-allow-origin'], undefined, "WordPress's echo-any-origin CORS is off for this route");
      await assertSiteWorks();
    },
  );

  if (stack === 'Apache PHP-FPM') {
    siteTest(
      "Apache hides Authorization from PHP-FPM: WordPress's .htaccess rule brings it back as REDIRECT_HTTP_AUTHORIZATION",
      async () => {
        const htaccess = join(wp.dir, 'wordpress/.htaccess');
        const rules = readFileSync(htaccess, 'utf8');
        const rule = 'RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]';
        assert.ok(rules.includes(rule), rules);
        writeFileSync(htaccess, rules.replace(rule, ''));
        try {
          assertError(await check(), 401, 'unauthorized');
        } finally {
          writeFileSync(htaccess, rules);
        }
        await assertSiteWorks();
      },
    );
  }

  siteTest('too many checks from one visitor get 429 with Retry-After', async () => {
    setSettings({ rate_limit: 3 });
    for (let i = 0; i < 3; i++) assert.equal((await check()).status, 200);
    const reply = await check();
    assertError(reply, 429, 'rate-limited');
    const retryAfter = Number(reply.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 3600, `Retry-After: ${reply.headers['retry-after']}`);
    assert.equal((await fetch(wp.url)).status, 200, 'pages are not limited');
    setSettings({ rate_limit: 0 });
    await assertSiteWorks();
  });

  logicTest("past the site's daily cap the route answers 429 quota-exceeded, and the settings page shows today's count", async () => {
    setSettings({ ...withKey(), daily_cap: 2, rate_limit: 0 });
    const before = upstreamCalls;
    for (let i = 0; i < 2; i++) assert.equal((await check()).status, 200);
    const reply = await check();
    assertError(reply, 429, 'quota-exceeded');
    const retryAfter = Number(reply.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 86_400 + 3600, `Retry-After: ${reply.headers['retry-after']} (until midnight)`);
    assert.equal(upstreamCalls, before + 2, 'the refused check never reached the API');
    // A visitor sees a clear error, not a verdict.
    await assert.rejects(visitorCheck(), /quota-exceeded|429/);
    const { context, page } = await loginAsAdmin();
    await page.goto(`${wp.url}${SETTINGS}`);
    assert.equal(await page.locator('#accura-idl-today').innerText(), 'Today: 2 checks sent to Accura Scan.');
    await context.close();
    // Sandbox answers cost nothing and are not capped.
    setSettings({ sandbox: true, daily_cap: 1 });
    for (let i = 0; i < 2; i++) assert.equal((await check()).status, 200);
    setSettings({ sandbox: false, daily_cap: 200 });
    await assertSiteWorks();
  });

  siteTest('an upstream that is down gets 502, one that hangs 504, and the site keeps working', async () => {
    setSettings(withKey());
    setSettings({ upstream_url: `http://127.0.0.1:${await closedPort()}/v2/api/id-liveness` });
    assertError(await check(), 502, 'upstream-unreachable');
    const hanging = await listenRaw(() => {});
    try {
      setSettings({ upstream_url: `${hanging.url}/v2/api/id-liveness` });
      const started = performance.now();
      assertError(await check(), 504, 'upstream-timeout');
      const seconds = (performance.now() - started) / 1000;
      assert.ok(seconds >= UPSTREAM_TIMEOUT_S - 0.2 && seconds < UPSTREAM_TIMEOUT_S + 5, `answered after ${seconds} s`);
    } finally {
      await hanging.close();
    }
    setSettings(withKey());
    await assertSiteWorks();
  });

  siteTest('a page captured by a cache and served again two days later, with the clock moved, still completes a check', async () => {
    const html = await (await fetch(blockUrl)).text();
    assert.match(html, /<accura-id-liveness /);
    assert.doesNotMatch(html, /\btoken="/, 'nothing in the page expires');
    const oldToken = await freshToken();
    await wp.moveClock('+2d');
    try {
      assertError(await check({ token: oldToken }), 401, 'unauthorized');
      const { detail, requests } = await visitorCheck({ html });
      assert.equal(detail.sandbox, true);
      assert.ok(requests.includes(`${wp.url}${TOKEN_ROUTE}`));
    } finally {
      await wp.moveClock('');
    }
  });

  siteTest('nothing is stored: no media item, no upload left behind', () => {
    assert.equal(wp.php('echo count(get_posts(array("post_type" => "attachment", "post_status" => "any")));'), '0');
    const uploads = join(wp.dir, 'wordpress/wp-content/uploads');
    const files = existsSync(uploads)
      ? readdirSync(uploads, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
      : [];
    assert.deepEqual(files, []);
    assert.deepEqual(readdirSync(join(wp.dir, 'php-uploads')), [], "PHP's upload temp files are gone");
  });

  siteTest('the key is absent from every page, answer and log the test can read', () => {
    const texts = [...seen, ...replies.map((reply) => `${JSON.stringify(reply.headers)}\n${reply.text}`), wp.logs()];
    assert.ok(seen.length > 10 && replies.length > 20, `${seen.length} pages, ${replies.length} answers`);
    for (const text of texts) assert.ok(!text.includes(KEY), `the key leaked in: ${text.slice(0, 200)}`);
  });

  siteTest('the plugin raised no PHP error, warning, notice or deprecation', () => {
    const own = wp
      .logs()
      .split('\n')
      .filter((line) => /PHP (Fatal|Warning|Notice|Deprecated)/.test(line) && line.includes(`/plugins/${SLUG}/`));
    assert.deepEqual(own, []);
  });

  siteTest('uninstalling removes the settings and the counters', () => {
    assert.equal(
      wp.php(`deactivate_plugins('${PLUGIN_FILE}'); uninstall_plugin('${PLUGIN_FILE}');
        global $wpdb; echo $wpdb->get_var("SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE '%accura_idl%'");`),
      '0',
    );
  });
}

describe('a multisite network', () => {
  for (const version of VERSIONS.filter((version) => MATRIX.some((entry) => entry.version === version))) {
    test(`uninstalling from WordPress ${version}'s network cleans every site`, async () => {
      const wp = await startWordPress({ pluginZip: ZIP, database, version, multisite: true });
      try {
        const counts = wp.php(`
          $second = wpmu_create_blog(get_network()->domain, '/second/', 'Second', 1);
          if (is_wp_error($second)) { fwrite(STDERR, $second->get_error_message()); exit(1); }
          foreach (get_sites(array('fields' => 'ids')) as $site) {
            switch_to_blog($site);
            update_option('accura_idl_settings', array('api_key' => 'site-' . $site));
            Accura_IDL_Quota::take_daily();
            // A visitor's counter, as the options table holds a transient.
            add_option('_transient_timeout_accura_idl_rl_test', time() + 3600, '', 'no');
            add_option('_transient_accura_idl_rl_test', array('start' => time(), 'count' => 1), '', 'no');
            restore_current_blog();
          }
          $count = function () {
            global $wpdb;
            $counts = array();
            foreach (get_sites(array('fields' => 'ids')) as $site) {
              switch_to_blog($site);
              $counts[$site] = $wpdb->get_col("SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE '%accura_idl%' ORDER BY option_name");
              restore_current_blog();
            }
            return $counts;
          };
          $before = $count();
          deactivate_plugins('${PLUGIN_FILE}', false, true);
          uninstall_plugin('${PLUGIN_FILE}');
          echo wp_json_encode(array('multisite' => is_multisite(), 'before' => $before, 'after' => $count()));`);
        const { multisite, before, after } = JSON.parse(counts) as {
          multisite: boolean;
          before: Record<string, string[]>;
          after: Record<string, string[]>;
        };
        assert.equal(multisite, true);
        assert.deepEqual(Object.keys(before), ['1', '2']);
        for (const names of Object.values(before)) {
          assert.deepEqual(
            names.map((name) => name.replace(/\d{8}$/, 'DATE')),
            ['_transient_accura_idl_rl_test', '_transient_timeout_accura_idl_rl_test', 'accura_idl_checks_DATE', 'accura_idl_settings'],
          );
        }
        assert.deepEqual(after, { 1: [], 2: [] });
      } finally {
        await wp.stop();
      }
    });
  }
});
