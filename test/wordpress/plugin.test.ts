/**
 * The WordPress plugin in a real WordPress: installed from the built zip by WordPress's own
 * upgrader, configured through the real settings form, placed by block and shortcode, and a
 * visitor's check through the PHP proxy to the package's sandbox, started here as the upstream.
 * Then every bad request the proxy must refuse, over HTTP, and a look for the key everywhere.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createSandbox, sandboxScore } from '../../src/server/sandbox.ts';
import { launchChromium, photoInPage } from '../e2e/support.ts';
import { type Listening, type Reply, closedPort, jpeg, listen, listenRaw, livenessFields, multipart, replies, send } from '../server/helpers.ts';
import { type WordPress, ensureWordPressPackages, startWordPress } from '../support/wordpress.ts';

const root = new URL('../../', import.meta.url).pathname;
const PLUGIN = join(root, 'integrations/wordpress/accura-id-liveness');
const ZIP = join(root, 'dist/accura-id-liveness-wordpress.zip');
const ROUTE = '/wp-json/accura-id-liveness/v1/check';
// Made up per run, so a leak can only come from this run. Its last 4 characters are shown on the settings page.
const KEY = `acc-${randomBytes(16).toString('hex')}-k3y9`;
const UPSTREAM_TIMEOUT_S = 2;
const execFileAsync = promisify(execFile);

let wp: WordPress;
let upstream: Listening;
let upstreamCalls = 0;
let browser: Browser;
let blockUrl: string;
let shortcodeUrl: string;
let plainUrl: string;
/** Every response body the browser saw, for the key check at the end. */
const seen: string[] = [];

before(async () => {
  const installed = ensureWordPressPackages();
  console.log(installed.length ? `# installed: ${installed.join(', ')}` : '# Debian packages already present: wordpress, php-mysql, mariadb-server, wordpress-theme-twentytwentythree');
  assert.ok(existsSync(ZIP), `${ZIP} is missing: run npm run build first`);
  const started = performance.now();
  wp = await startWordPress({ pluginZip: ZIP, phpConstants: { ACCURA_IDL_UPSTREAM_TIMEOUT: UPSTREAM_TIMEOUT_S } });
  console.log(`# WordPress ${wp.php('echo get_bloginfo("version");')} on PHP ${execFileSync('php', ['-r', 'echo PHP_VERSION;'], { encoding: 'utf8' })} at ${wp.url}, ready in ${Math.round(performance.now() - started)} ms ${JSON.stringify(wp.timings)}`);
  const sandbox = createSandbox({ apiKey: KEY });
  upstream = await listen((request) => (upstreamCalls++, sandbox.fetch(request)));
  // One post per way of placing the widget, and one page without it.
  const urls = wp.php(`
    $block = wp_insert_post(array('post_title' => 'Block', 'post_status' => 'publish', 'post_content' => '<!-- wp:accura-id-liveness/check {"countryCode":"IND","cardCode":"MRZ","mode":"upload"} /-->'));
    $short = wp_insert_post(array('post_title' => 'Shortcode', 'post_status' => 'publish', 'post_content' => '[accura_id_liveness country="USA" card="MRZ" threshold="60" mode="upload" document="passport"]'));
    $plain = wp_insert_post(array('post_type' => 'page', 'post_title' => 'Plain', 'post_status' => 'publish', 'post_content' => 'Nothing to check here.'));
    echo wp_json_encode(array(get_permalink($block), get_permalink($short), get_permalink($plain)));`);
  [blockUrl, shortcodeUrl, plainUrl] = JSON.parse(urls) as string[];
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await upstream?.close();
  await wp?.stop();
});

async function newPage(context?: BrowserContext): Promise<Page> {
  const page = await (context ?? browser).newPage();
  page.on('response', async (response) => seen.push(await response.text().catch(() => '')));
  return page;
}

/** A fresh browser context signed in through wp-login.php. */
async function loginAsAdmin(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await newPage(context);
  await page.goto(`${wp.url}/wp-login.php`);
  await page.fill('#user_login', wp.admin.user);
  await page.fill('#user_pass', wp.admin.password);
  await Promise.all([page.waitForURL(/wp-admin/), page.click('#wp-submit')]);
  return { context, page };
}

/** The page token the block rendered, as a visitor gets it. */
async function pageToken(): Promise<string> {
  const html = await (await fetch(blockUrl)).text();
  const token = /<accura-id-liveness[^>]*\btoken="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the block renders a token');
  return token;
}

function setSettings(values: Record<string, string | number | boolean>): void {
  wp.php(`
    $settings = array_merge(Accura_IDL_Settings::get(), json_decode(${JSON.stringify(JSON.stringify(values))}, true));
    update_option(Accura_IDL_Settings::OPTION, $settings);
    global $wpdb;
    $wpdb->query("DELETE FROM {$wpdb->options} WHERE option_name LIKE '%accura_idl_rl_%'");`);
}

/** POSTs a liveness form to the PHP route the way the widget does, with whatever is overridden. */
async function check(
  options: { token?: string | null; origin?: string; fields?: Record<string, string | Blob>; method?: string } = {},
): Promise<Reply> {
  const token = options.token === undefined ? await pageToken() : options.token;
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

test('every PHP file of the plugin passes php -l', async () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.php') ? [join(dir, entry.name)] : []));
  // The sources and the zip's contents (with the generated assets/integrity.php); PHP 8.2's -l takes one file a run.
  const all = [...files(PLUGIN), ...files(join(root, 'dist/wordpress'))];
  assert.ok(all.length >= 20, `${all.length} files`);
  const results = await Promise.all(all.map((file) => execFileAsync('php', ['-l', file]).then(({ stdout }) => [file, stdout])));
  for (const [file, stdout] of results) assert.match(stdout, /No syntax errors/, file);
});

test('with no key set, the route answers as the sandbox does, and says so', async () => {
  const image = jpeg(4096, 7);
  const reply = await check({ fields: livenessFields(image) });
  assert.equal(reply.status, 200, reply.text);
  // The same figure as the Node sandbox: one sandbox, two servers.
  assert.deepEqual(reply.json(), { status: true, sandbox: true, message: 'Sandbox: not a real liveness check', data: { score: await sandboxScore(image) } });
  assert.equal(upstreamCalls, 0, 'nothing went upstream');
});

test('an administrator saves the settings through the real form; the key is never printed back', async () => {
  const { context, page } = await loginAsAdmin();

  const settingsUrl = `${wp.url}/wp-admin/options-general.php?page=accura-id-liveness`;
  await page.goto(settingsUrl);
  assert.match(await page.locator('#accura-idl-sandbox-notice').innerText(), /no real liveness check is being made/i);
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
  await page.goto(settingsUrl);
  await page.locator('form[action$="options.php"]').evaluate((form: HTMLFormElement) => (form.noValidate = true));
  await page.fill('#accura_idl_threshold', '500');
  await page.fill('#accura_idl_country_code', 'India');
  await Promise.all([page.waitForURL(/settings-updated=true/), page.click('#submit')]);
  const errors = await page.locator('.notice-error, .error').allInnerTexts();
  assert.ok(errors.some((text) => /threshold must be a number from 0 to 100/.test(text)), errors.join('\n'));
  assert.ok(errors.some((text) => /country code must be three letters/.test(text)), errors.join('\n'));
  assert.equal(await page.inputValue('#accura_idl_threshold'), '55');
  assert.equal(await page.inputValue('#accura_idl_country_code'), 'IND');
  const stored = JSON.parse(wp.php('echo wp_json_encode(get_option("accura_idl_settings"));'));
  assert.equal(stored.api_key, KEY);
  assert.equal(stored.rate_limit, 100);

  // Nonce-checked: options.php refuses a post without the form's nonce.
  const forged = await page.request.post(`${wp.url}/wp-admin/options.php`, {
    form: { option_page: 'accura_idl', action: 'update', 'accura_idl_settings[api_key]': 'stolen', 'accura_idl_settings[country_code]': 'USA' },
    maxRedirects: 0,
  });
  assert.notEqual(forged.status(), 302);
  assert.equal(JSON.parse(wp.php('echo wp_json_encode(get_option("accura_idl_settings"));')).api_key, KEY);

  // The block is in the editor's inserter, from the plugin's plain wp.* script.
  await page.goto(`${wp.url}/wp-admin/post-new.php`);
  const title = await page.waitForFunction(() => (window as any).wp?.blocks?.getBlockType('accura-id-liveness/check')?.title, undefined, { timeout: 60_000 });
  assert.equal(await title.jsonValue(), 'ID Liveness check');
  await context.close();
});

test('a post with the block and one with the shortcode each render the widget; other pages load no script', async () => {
  const hashes = readFileSync(join(root, 'dist/wordpress/accura-id-liveness/assets/integrity.php'), 'utf8');
  const integrity = /'accura-id-liveness\.min\.js' => '([^']+)'/.exec(hashes)![1];
  const page = await newPage();
  for (const [url, expected] of [
    [blockUrl, { country: 'IND', card: 'MRZ', threshold: '55', mode: 'upload', document: 'id-card' }],
    [shortcodeUrl, { country: 'USA', card: 'MRZ', threshold: '60', mode: 'upload', document: 'passport' }],
  ] as const) {
    await page.goto(url);
    const widget = page.locator('accura-id-liveness');
    await widget.locator('input[type=file]').waitFor({ state: 'attached' });
    assert.equal(await page.evaluate(() => customElements.get('accura-id-liveness') !== undefined), true);
    assert.deepEqual(
      {
        endpoint: await widget.getAttribute('endpoint'),
        country: await widget.getAttribute('country-code'),
        card: await widget.getAttribute('card-code'),
        threshold: await widget.getAttribute('threshold'),
        mode: await widget.getAttribute('mode'),
        document: await widget.getAttribute('document-type'),
      },
      { endpoint: `${wp.url}${ROUTE}`, ...expected },
    );
    assert.match((await widget.getAttribute('token')) ?? '', /^[0-9a-f]{10}$/);
    const script = page.locator('script[src*="accura-id-liveness.min.js"]');
    assert.equal(await script.count(), 1);
    assert.equal(await script.getAttribute('integrity'), integrity);
    assert.equal(await script.getAttribute('crossorigin'), 'anonymous');
  }
  const plain = await (await fetch(plainUrl)).text();
  assert.match(plain, /Nothing to check here/);
  assert.doesNotMatch(plain, /accura-id-liveness\.min\.js/);
  await page.close();
});

/** A visitor's check on the block post, through the real file input; the result, and the page's requests. */
async function visitorCheck(): Promise<{ detail: { verdict: string; score: number; sandbox: boolean }; note: string; requests: string[] }> {
  const page = await newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(blockUrl);
  const photo = await photoInPage(page);
  const result = page.evaluate(
    () =>
      new Promise<{ verdict: string; score: number; sandbox: boolean }>((resolve, reject) => {
        const widget = document.querySelector('accura-id-liveness')!;
        widget.addEventListener('liveness-result', (event) => resolve((event as CustomEvent).detail), { once: true });
        widget.addEventListener('liveness-error', (event) => reject(new Error(JSON.stringify((event as CustomEvent).detail))), { once: true });
      }),
  );
  await page.locator('accura-id-liveness input[type=file]').setInputFiles({ name: 'card.jpg', mimeType: 'image/jpeg', buffer: photo });
  await page.locator('accura-id-liveness button', { hasText: 'Check document' }).click();
  const detail = await result;
  const note = await page.locator('accura-id-liveness [part=sandbox]').innerText();
  await page.close();
  return { detail, note, requests };
}

test("a visitor completes a check through the PHP proxy to the package's sandbox, and sees the sandbox note", async () => {
  const before = upstreamCalls;
  const { detail, note, requests } = await visitorCheck();
  assert.ok(['live', 'spoof'].includes(detail.verdict));
  assert.ok(detail.score >= 0 && detail.score <= 100);
  assert.equal(detail.sandbox, true);
  assert.equal(upstreamCalls, before + 1, 'the PHP proxy forwarded to the local upstream, with the key (the sandbox refuses any other)');
  assert.match(note, /not a real liveness check/);
  assert.ok(requests.some((url) => url === `${wp.url}${ROUTE}`), 'the check went to the PHP route');
  assert.deepEqual(new Set(requests.map((url) => new URL(url).origin)), new Set([wp.url]), 'no third-party request');
});

test('sandbox mode answers locally and the settings page says no real check is made', async () => {
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
  await page.goto(`${wp.url}/wp-admin/options-general.php?page=accura-id-liveness`);
  assert.match(await page.locator('#accura-idl-sandbox-notice').innerText(), /no real liveness check is being made/i);
  assert.equal(await page.isChecked('#accura_idl_sandbox'), true);
  await context.close();
  setSettings({ sandbox: false });
});

test('the route refuses a missing or forged token, another origin, a 2 MB body, an SVG named .jpg and a fourth field', async () => {
  assertError(await check({ token: null }), 401, 'unauthorized');
  await assertSiteWorks();
  assertError(await check({ token: '0123456789' }), 401, 'unauthorized');
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
  const preflight = await send(`${wp.url}${ROUTE}`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
  assertError(preflight, 403, 'forbidden-origin');
  assert.equal(preflight.headers['access-control-allow-origin'], undefined, "WordPress's echo-any-origin CORS is off for this route");
  await assertSiteWorks();
});

test('too many checks from one visitor get 429 with Retry-After', async () => {
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

test('an upstream that is down gets 502, one that hangs 504, and the site keeps working', async () => {
  const good = `${upstream.url}/v2/api/id-liveness`;
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
  setSettings({ upstream_url: good });
  await assertSiteWorks();
});

test('nothing is stored: no media item, no upload left behind', () => {
  assert.equal(wp.php('echo count(get_posts(array("post_type" => "attachment", "post_status" => "any")));'), '0');
  const uploads = join(wp.dir, 'wordpress/wp-content/uploads');
  const files = existsSync(uploads) ? readdirSync(uploads, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()) : [];
  assert.deepEqual(files, []);
  assert.deepEqual(readdirSync(join(wp.dir, 'php-uploads')), [], "PHP's upload temp files are gone");
});

test('the key is absent from every page, answer and log the test can read', () => {
  const texts = [...seen, ...replies.map((reply) => `${JSON.stringify(reply.headers)}\n${reply.text}`), wp.logs()];
  assert.ok(seen.length > 10 && replies.length > 20, `${seen.length} pages, ${replies.length} answers`);
  for (const text of texts) assert.ok(!text.includes(KEY), `the key leaked in: ${text.slice(0, 200)}`);
});

test('the plugin raised no PHP error, warning, notice or deprecation', () => {
  const own = wp.logs().split('\n').filter((line) => /PHP (Fatal|Warning|Notice|Deprecated)/.test(line) && line.includes('/plugins/accura-id-liveness/'));
  assert.deepEqual(own, []);
});

test('uninstalling removes the settings', () => {
  assert.equal(wp.php(`deactivate_plugins('accura-id-liveness/accura-id-liveness.php'); uninstall_plugin('accura-id-liveness/accura-id-liveness.php'); var_export(get_option('accura_idl_settings'));`), 'false');
});
