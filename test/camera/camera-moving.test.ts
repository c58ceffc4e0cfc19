import { expect } from '@open-wc/testing';
import type { LivenessCaptureEvent } from '../../src/index.ts';
import { captureRect } from '../../src/camera/camera-rules.ts';
import type { Quad } from '../../src/quality/corners/geometry.ts';
import { quadSkew } from '../../src/quality/corners/shape.ts';
import { MOVING_HEIGHT, MOVING_WIDTH, SQUARE_CORNERS } from '../support/moving-card.mjs';
import { button, makeElement, untilPhase } from '../support/harness.ts';
import { until } from '../support/wait.mjs';

const parsePoints = (points: string): Quad =>
  points.split(' ').map((pair) => ({ x: Number(pair.split(',')[0]), y: Number(pair.split(',')[1]) })) as Quad;

/**
 * Runs in its own browser, whose fake camera films a card that slides in from the side, is held
 * tilted, settles and is then held square (test/support/moving-card.mjs).
 */
describe('auto-capture with a card that enters, tilts and settles', () => {
  it('does not capture while the card is tilted, outlines it as it moves, and captures once it is square', async () => {
    const { el } = await makeElement({}, { qualityCheck: 'warn' });
    const captures: LivenessCaptureEvent[] = [];
    el.addEventListener('liveness-capture', (event) => captures.push(event as LivenessCaptureEvent));
    button(el, 'Use camera').click();
    await untilPhase(el, 'camera');
    // What the user sees, sampled until the capture: each new hint and each new outline.
    const hints: string[] = [];
    const outlines: Quad[] = [];
    await until(
      'the auto-capture',
      () => {
        const root = el.shadowRoot!;
        const hint = root.querySelector('.camera .hint')?.textContent?.trim();
        if (hint && hints.at(-1) !== hint) hints.push(hint);
        const points = root.querySelector('[part=outline] polygon')?.getAttribute('points');
        if (
          points &&
          points !==
            outlines
              .at(-1)
              ?.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`)
              .join(' ')
        )
          outlines.push(parsePoints(points));
        return captures.length > 0;
      },
      { seen: () => `hints ${hints.join(' | ')}` },
    );
    expect(captures, `hints seen: ${hints.join(' | ')}`).to.have.length(1);
    expect(hints, 'the tilted card was seen, and the user told to square it').to.include('Hold the card flat and square');
    // The outline followed the card: it was drawn tilted in several places before the capture.
    const tilted = outlines.filter((quad) => quadSkew(quad) > 12);
    expect(tilted.length, 'tilted outlines').to.be.greaterThan(2);
    const centres = new Set(tilted.map((q) => Math.round((q[0].x + q[2].x) / 20)));
    expect(centres.size, 'the outline moved with the card').to.be.greaterThan(1);
    // The capture is of the square card: its corners, in the still (the guide plus margin), are where the card was.
    const region = captureRect(MOVING_WIDTH, MOVING_HEIGHT, 'id-card');
    const { corners } = captures[0].detail;
    expect(corners, 'the capture carries the corners').to.exist;
    corners!.forEach((p, i) => {
      const expected = { x: SQUARE_CORNERS[i].x - region.x, y: SQUARE_CORNERS[i].y - region.y };
      expect(Math.hypot(p.x - expected.x, p.y - expected.y), `corner ${i} at ${p.x},${p.y}`).to.be.lessThan(12); // 1 % of the card's diagonal
    });
    expect(quadSkew(corners!)).to.be.lessThan(2);
    await untilPhase(el, 'preview');
  });
});
