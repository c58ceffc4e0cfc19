import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import { LIVENESS_TOKEN_AUDIENCE, mintLivenessToken, verifyLivenessToken } from '../../src/server/index.ts';

const secret = 'tokens-test-secret-0123456789abcdef';
const origin = 'https://shop.example';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

test('mint and verify round trip, with the code bindings', async () => {
  const before = Date.now();
  const { token, expiresAt } = await mintLivenessToken({ secret, origin, countryCode: 'ind', cardCode: 'MRZ' });
  const claims = await verifyLivenessToken(token, secret);
  assert.equal(claims.origin, origin);
  assert.equal(claims.countryCode, 'IND', 'country code is uppercased');
  assert.equal(claims.cardCode, 'MRZ');
  assert.equal(claims.expiresAt, expiresAt);
  assert.ok(expiresAt >= before + 299_000 && expiresAt <= Date.now() + 300_000, 'default ttl is 300 s, expiresAt is epoch ms');
  const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(header.alg, 'HS256');
  assert.equal(payload.aud, LIVENESS_TOKEN_AUDIENCE);
  assert.match(payload.jti, /^[0-9a-f-]{36}$/);
});

test('each token has its own jti; a Uint8Array secret works; no codes means no binding', async () => {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const a = await verifyLivenessToken((await mintLivenessToken({ secret: bytes, origin, ttlSeconds: 60 })).token, bytes);
  const b = await verifyLivenessToken((await mintLivenessToken({ secret: bytes, origin })).token, bytes);
  assert.notEqual(a.jti, b.jti);
  assert.equal(a.countryCode, undefined);
  assert.equal(a.cardCode, undefined);
  assert.ok(a.expiresAt - a.issuedAt === 60_000);
});

test('verify refuses wrong secret, expired, alg none, HS512, wrong audience', async () => {
  const { token } = await mintLivenessToken({ secret, origin });
  await assert.rejects(verifyLivenessToken(token, 'another-secret'));

  const key = new TextEncoder().encode(secret);
  const now = Math.floor(Date.now() / 1000);
  const sign = (alg: string, aud: string, exp: number) =>
    new SignJWT({ origin })
      .setProtectedHeader({ alg })
      .setAudience(aud)
      .setJti('j')
      .setIssuedAt(now - 600)
      .setExpirationTime(exp)
      .sign(key);
  await assert.rejects(verifyLivenessToken(await sign('HS256', LIVENESS_TOKEN_AUDIENCE, now - 1), secret), /exp/);
  await assert.rejects(verifyLivenessToken(await sign('HS512', LIVENESS_TOKEN_AUDIENCE, now + 60), secret));
  await assert.rejects(verifyLivenessToken(await sign('HS256', 'someone-else', now + 60), secret), /aud/);

  const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ origin, aud: LIVENESS_TOKEN_AUDIENCE, jti: 'j', iat: now, exp: now + 60 })}.`;
  await assert.rejects(verifyLivenessToken(unsigned, secret));
});

test('mint refuses bad options', async () => {
  await assert.rejects(mintLivenessToken({ secret, origin: '' }), TypeError);
  await assert.rejects(mintLivenessToken({ secret: '', origin }), TypeError);
  await assert.rejects(mintLivenessToken({ secret, origin, ttlSeconds: 0 }), RangeError);
  await assert.rejects(mintLivenessToken({ secret, origin, countryCode: 'INDIA' }), TypeError);
  await assert.rejects(mintLivenessToken({ secret, origin, cardCode: 'no spaces' }), TypeError);
});
