/** The camera's hints for what the corner detector saw: pure rules, no DOM. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cameraHint, isUpright, nextStreak } from '../../src/camera/framing.ts';
import type { Quad } from '../../src/quality/corners/geometry.ts';
import { judgeQuality } from '../../src/quality/quality-rules.ts';

/** A card's corners, 400 × 252 px, turned by `degrees` about (320, 240). */
function card(degrees: number): Quad {
  const a = (degrees * Math.PI) / 180;
  return [
    [-200, -126],
    [200, -126],
    [200, 126],
    [-200, 126],
  ].map(([x, y]) => ({ x: 320 + x * Math.cos(a) - y * Math.sin(a), y: 240 + x * Math.sin(a) + y * Math.cos(a) })) as Quad;
}

test('no card found: the hint says what to do, not that nothing is there', () => {
  assert.equal(cameraHint({ ok: false, issues: [{ code: 'not-framed', value: 0, limit: 0.45, message: '' }] }), 'no-card');
});

test('a card held upright (or upside down and upright) is asked to be turned sideways, before anything else', () => {
  for (const degrees of [90, -90, 60, 120, 270]) {
    assert.ok(isUpright(card(degrees)), `${degrees}°`);
    assert.equal(
      cameraHint({ ok: false, issues: [{ code: 'skewed', value: 30, limit: 12, message: '' }], corners: card(degrees) }),
      'turn-sideways',
    );
  }
  for (const degrees of [0, 180, 30, -40, 200]) {
    assert.ok(!isUpright(card(degrees)), `${degrees}°`);
    assert.equal(cameraHint({ ok: true, issues: [], corners: card(degrees) }), 'ready');
  }
});

test('auto-capture needs a found card on consecutive frames: a miss starts the count again', () => {
  const good = { ok: true, issues: [], corners: card(0) };
  let streak = nextStreak(nextStreak(0, good), good);
  assert.equal(streak, 2);
  streak = nextStreak(streak, { ok: true, issues: [] });
  assert.equal(streak, 0);
});

test('an upload whose card is not found is told so, not "move closer", unless framing may be the problem', () => {
  const base = {
    overviewWidth: 640,
    overviewHeight: 480,
    sourceScale: 5,
    meanLuminance: 120,
    clippedShare: 0,
    glareBlob: 0,
    sharpness: 100,
  };
  // A large edge box (a good photo of a card the detector missed).
  const missed = judgeQuality({ ...base, documentBox: { left: 80, top: 80, right: 560, bottom: 400 } });
  assert.deepEqual(
    missed.issues.map((i) => i.code),
    ['not-found'],
  );
  // Only a small box, or none: the card may be too far away.
  const far = judgeQuality({ ...base, documentBox: { left: 300, top: 220, right: 360, bottom: 260 } });
  assert.ok(far.issues.some((i) => i.code === 'not-framed'));
  assert.ok(judgeQuality({ ...base }).issues.some((i) => i.code === 'not-framed'));
  // A found card that is small is a framing problem.
  const small = judgeQuality({
    ...base,
    documentBox: { left: 300, top: 220, right: 380, bottom: 270 },
    quad: [
      { x: 300, y: 220 },
      { x: 380, y: 220 },
      { x: 380, y: 270 },
      { x: 300, y: 270 },
    ],
  });
  assert.ok(small.issues.some((i) => i.code === 'not-framed'));
});
