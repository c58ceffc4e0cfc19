import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import {
  type CoverView,
  DOCUMENT_ASPECT,
  captureRect,
  frameFit,
  guideRect,
  viewFit,
  viewGuideRect,
} from '../../src/camera/camera-rules.ts';

/** A full-screen view: a phone-like box with the free area somewhere inside it. */
const views = fc
  .record({
    width: fc.integer({ min: 280, max: 1400 }),
    height: fc.integer({ min: 280, max: 1400 }),
    top: fc.double({ min: 0, max: 0.3, noNaN: true }),
    bottom: fc.double({ min: 0, max: 0.3, noNaN: true }),
    side: fc.double({ min: 0, max: 0.2, noNaN: true }),
  })
  .map(({ width, height, top, bottom, side }): CoverView => ({
    box: { width, height },
    area: { x: width * side, y: height * top, width: width * (1 - 2 * side), height: height * (1 - top - bottom) },
  }));
const frames = fc.record({ width: fc.integer({ min: 320, max: 4000 }), height: fc.integer({ min: 320, max: 4000 }) });

describe('camera rules: the full-screen guide and the capture crop', () => {
  it('the guide in frame pixels, drawn through object-fit: cover, lands exactly on the guide on screen', () => {
    fc.assert(
      fc.property(views, frames, fc.constantFrom('id-card' as const, 'passport' as const), (view, frame, type) => {
        const inFrame = guideRect(frame.width, frame.height, type, view);
        const onScreen = viewGuideRect(view, type, frame);
        const fit = frameFit(frame, view.box, viewFit(frame, view, type));
        expect(inFrame.x * fit.scale + fit.x).to.be.closeTo(onScreen.x, 1e-6);
        expect(inFrame.y * fit.scale + fit.y).to.be.closeTo(onScreen.y, 1e-6);
        expect(inFrame.width * fit.scale).to.be.closeTo(onScreen.width, 1e-6);
        // The document keeps its landscape shape, whatever the screen's orientation.
        expect(onScreen.width / onScreen.height).to.be.closeTo(DOCUMENT_ASPECT[type], 1e-9);
        // What the user sees is inside the frame and the free area, so the crop never needs pixels that do not exist.
        expect(onScreen.x).to.be.at.least(view.area.x - 1e-6);
        expect(onScreen.x + onScreen.width).to.be.at.most(view.area.x + view.area.width + 1e-6);
        expect(inFrame.x).to.be.at.least(-1e-6);
        expect(inFrame.y).to.be.at.least(-1e-6);
        expect(inFrame.x + inFrame.width).to.be.at.most(frame.width + 1e-6);
        expect(inFrame.y + inFrame.height).to.be.at.most(frame.height + 1e-6);
        const crop = captureRect(frame.width, frame.height, type, view);
        expect(crop.x).to.be.at.least(0);
        expect(crop.y).to.be.at.least(0);
        expect(crop.x + crop.width).to.be.at.most(frame.width);
        expect(crop.y + crop.height).to.be.at.most(frame.height);
      }),
    );
  });

  it('on a portrait phone the guide is centred in the free area, no wider than VIEW_GUIDE_FILL of it', () => {
    const view: CoverView = { box: { width: 390, height: 844 }, area: { x: 0, y: 168, width: 390, height: 508 } };
    const guide = viewGuideRect(view, 'id-card', { width: 1080, height: 1920 });
    expect(guide.width).to.be.at.most(390 * 0.92 + 1e-9);
    expect(guide.x + guide.width / 2).to.be.closeTo(195, 1e-9);
    expect(guide.y + guide.height / 2).to.be.closeTo(422, 1e-9);
  });

  it('inline, the guide is unchanged: centred in the whole frame', () => {
    expect(guideRect(1280, 720, 'id-card')).to.deep.equal(guideRect(1280, 720, 'id-card', undefined));
    const guide = guideRect(1280, 720, 'id-card');
    expect(guide.x + guide.width / 2).to.equal(640);
  });
});
