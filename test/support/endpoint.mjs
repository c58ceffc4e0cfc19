// A real HTTP endpoint inside the test server (Koa middleware). It records every check and answers
// as the query string asks, so tests see exactly what a server would receive.
//   POST /test-api/liveness?id=ID&score=80&statuses=503,200&retryAfter=1&body=RAW&type=MIME
//        &drop=N|always (destroy the socket on the first N attempts, or on all) &hang=1 (send headers, never finish)
//        &delay=MS &big=BYTES (a JSON answer that large) &unsized=1 (and streamed without its Content-Length)
//   GET  /test-api/requests?id=ID   -> what was received, in order
//   GET  /test-api/no-worker/FILE   -> dist/script/FILE, except the worker, which is a real 404 (a host that did not copy it)
//   GET  /test-api/copy/FILE        -> dist/script/FILE: a second copy of the script folder at another URL
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';

const received = new Map();
// The classic script's folder, as a host copies it.
const SCRIPT = new URL('../../dist/script/', import.meta.url);
const pendingHangs = new Set();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function describeForm(headers, body) {
  const fields = {};
  try {
    const form = await new Request('http://127.0.0.1/', {
      method: 'POST',
      headers: { 'content-type': headers['content-type'] ?? '' },
      body,
    }).formData();
    for (const [name, value] of form) {
      fields[name] =
        typeof value === 'string'
          ? value
          : { filename: value.name, type: value.type, size: value.size, base64: Buffer.from(await value.arrayBuffer()).toString('base64') };
    }
  } catch {
    // not multipart: fields stay empty, which the test will notice
  }
  return fields;
}

export async function testEndpoint(ctx, next) {
  const url = new URL(ctx.url, 'http://127.0.0.1');
  if (!url.pathname.startsWith('/test-api/')) return next();
  const query = url.searchParams;
  const id = query.get('id') ?? 'default';
  const list = received.get(id) ?? [];
  received.set(id, list);

  if (url.pathname === '/test-api/requests') {
    ctx.set('cache-control', 'no-store');
    ctx.body = list;
    return;
  }
  const copy = /^\/test-api\/(no-worker|copy)\/((?:chunks\/)?[\w.-]+\.js)$/.exec(url.pathname);
  if (copy) {
    const [, folder, file] = copy;
    if (folder === 'no-worker' && file.includes('worker')) {
      ctx.status = 404;
      return;
    }
    ctx.type = 'text/javascript';
    ctx.body = await readFile(new URL(file, SCRIPT)).catch(() => {
      ctx.status = 404;
      return '';
    });
    return;
  }
  if (url.pathname === '/test-api/redirect') {
    ctx.status = 307;
    ctx.set('location', query.get('to') ?? '/');
    return;
  }
  if (url.pathname !== '/test-api/liveness') return next();

  const attempt = list.length;
  if (query.get('drop') === 'always' || attempt < Number(query.get('drop') ?? 0)) {
    list.push({ dropped: true, headers: pickHeaders(ctx.req.headers) });
    ctx.req.socket.destroy();
    ctx.respond = false;
    return;
  }
  const body = await readBody(ctx.req);
  list.push({
    method: ctx.method,
    headers: pickHeaders(ctx.req.headers),
    bodyBytes: body.length,
    fields: await describeForm(ctx.req.headers, body),
  });

  const delay = Number(query.get('delay') ?? 0);
  if (delay) await new Promise((resolve) => setTimeout(resolve, delay));

  if (query.get('hang')) {
    ctx.respond = false;
    ctx.res.writeHead(200, { 'content-type': 'application/json' });
    ctx.res.write('{"status":');
    const timer = setTimeout(() => ctx.res.destroy(), 15_000);
    pendingHangs.add(timer);
    return;
  }

  const statuses = (query.get('statuses') ?? '200').split(',').map(Number);
  const status = statuses[Math.min(attempt, statuses.length - 1)];
  ctx.status = status;
  ctx.set('cache-control', 'no-store');
  ctx.set('content-type', query.get('type') ?? 'application/json');
  if (query.get('retryAfter') && status !== 200) ctx.set('retry-after', query.get('retryAfter'));
  const score = query.get('score') ?? '80';
  if (query.get('big')) {
    // A JSON answer of the given size: the widget must stop reading it. Unsized: streamed, with no Content-Length.
    const body = `{"status":true,"data":{"score":80},"pad":"${'x'.repeat(Number(query.get('big')))}"}`;
    ctx.body = query.get('unsized') ? Readable.from([body]) : body;
    return;
  }
  ctx.body =
    status >= 200 && status < 300
      ? (query.get('body') ?? JSON.stringify({ status: true, data: { score: Number(score) } }))
      : (query.get('errorBody') ?? JSON.stringify({ status: false, message: `Test endpoint answered ${status}` }));
}

function pickHeaders(headers) {
  const keep = ['authorization', 'api-key', 'cookie', 'content-type', 'origin', 'content-length'];
  return Object.fromEntries(keep.filter((name) => headers[name] !== undefined).map((name) => [name, headers[name]]));
}
