import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { until } from '../support/wait.mjs';
import { livenessFields, multipart, send } from './helpers.ts';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; worker-src 'self'; connect-src 'self'";

test('npm run serve: health, CSP, and a graceful SIGTERM that lets in-flight checks finish', async () => {
  const script = fileURLToPath(new URL('../../scripts/serve.ts', import.meta.url));
  // An empty cwd: no .env is read; an empty ACCURA_API_KEY keeps it in sandbox mode.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script], {
    cwd: mkdtempSync(join(tmpdir(), 'serve-test-')),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ACCURA_API_KEY: '', METRICS_TOKEN: 'serve-test-metrics' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (part) => (output += part));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (part) => {
      output += part;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(output)));
  });
  assert.match(output, /sandbox mode/);

  assert.equal((await send(`${url}/healthz`, { method: 'GET' })).status, 200);
  const page = await send(`${url}/`, { method: 'GET' });
  assert.ok(page.status === 200 || page.status === 503, `${page.status}`); // 503 says to run npm run build
  assert.equal(page.headers['content-security-policy'], CSP);

  const { token } = (await send(`${url}/api/liveness-token`, { headers: { Origin: url } })).json();
  const { body, contentType } = await multipart(livenessFields());
  const inFlight = send(`${url}/api/id-liveness`, {
    headers: { 'Content-Type': contentType, Origin: url, Authorization: `Bearer ${token}`, 'X-Accura-Sandbox-Delay-Ms': '700' },
    body,
  });
  // SIGTERM only once the check is in the server's hands (its metrics say so), not after a guessed pause.
  let inFlightNow = '';
  await until(
    'the check to be in flight in the server',
    async () => {
      const metrics = await send(`${url}/metrics`, { method: 'GET', headers: { Authorization: 'Bearer serve-test-metrics' } });
      inFlightNow = /^accura_liveness_checks_in_flight (\S+)$/m.exec(metrics.text)?.[1] ?? metrics.text.slice(0, 200);
      return inFlightNow === '1';
    },
    { seen: () => `checks in flight: ${inFlightNow}` },
  );
  child.kill('SIGTERM');
  const reply = await inFlight;
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.json().sandbox, true);
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, output);
  await assert.rejects(send(`${url}/healthz`, { method: 'GET' }), 'no longer accepting');
});
