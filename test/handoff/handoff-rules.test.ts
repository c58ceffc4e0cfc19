import { expect } from '@open-wc/testing';
import {
  CODE_ALPHABET,
  decideHandoff,
  formatCode,
  formatTimeLeft,
  handoffBaseFor,
  isTerminalHandoffState,
  parseHandoffEvent,
  parseHandoffMode,
  randomCode,
} from '../../src/handoff/handoff-rules.ts';
import { qrPath } from '../../src/handoff/handoff-view.ts';

describe('handoff rules', () => {
  it('reads the attribute, with anything unknown as the default offer', () => {
    expect(['off', 'offer', 'auto', 'force', 'AUTO', ' force ', '', 'yes', undefined, null].map(parseHandoffMode)).to.deep.equal([
      'off',
      'offer',
      'auto',
      'force',
      'auto',
      'force',
      'offer',
      'offer',
      'offer',
      'offer',
    ]);
  });

  it('offers on desktops, starts by itself only for auto without a camera or force, and never on a phone', () => {
    const desktop = (hasCamera: boolean | undefined) => ({ touch: false, hasCamera });
    expect(decideHandoff('offer', desktop(true))).to.deep.equal({ offer: true, start: false });
    expect(decideHandoff('offer', desktop(false))).to.deep.equal({ offer: true, start: false });
    expect(decideHandoff('auto', desktop(true))).to.deep.equal({ offer: true, start: false });
    expect(decideHandoff('auto', desktop(false))).to.deep.equal({ offer: true, start: true });
    expect(decideHandoff('force', desktop(true))).to.deep.equal({ offer: true, start: true });
    expect(decideHandoff('off', desktop(false))).to.deep.equal({ offer: false, start: false });
    for (const mode of ['offer', 'auto', 'force'] as const) {
      expect(decideHandoff(mode, { touch: true, hasCamera: false }), mode).to.deep.equal({ offer: false, start: false });
    }
  });

  it('makes 6-character codes from an alphabet without look-alikes, and shows them in two groups', () => {
    for (let i = 0; i < 200; i++) {
      const code = randomCode();
      expect(code).to.have.length(6);
      for (const char of code) expect(CODE_ALPHABET).to.include(char);
    }
    expect(CODE_ALPHABET).not.to.match(/[01OIL]/);
    // Bytes past the last whole multiple of the alphabet are skipped, so no character is favoured.
    let call = 0;
    const biased = (bytes: Uint8Array) => bytes.fill(call++ === 0 ? 255 : 0);
    expect(randomCode(biased)).to.equal('AAAAAA');
    expect(formatCode('ABC234')).to.equal('ABC 234');
  });

  it('shows the time left as m:ss, never below zero', () => {
    expect(formatTimeLeft(600_000)).to.equal('10:00');
    expect(formatTimeLeft(61_001)).to.equal('1:02');
    expect(formatTimeLeft(999)).to.equal('0:01');
    expect(formatTimeLeft(-5_000)).to.equal('0:00');
  });

  it('knows which states end a session', () => {
    expect(['created', 'opened', 'captured', 'checking'].map((state) => isTerminalHandoffState(state as never))).to.deep.equal([
      false,
      false,
      false,
      false,
    ]);
    expect(['completed', 'expired', 'cancelled', 'failed'].map((state) => isTerminalHandoffState(state as never))).to.deep.equal([
      true,
      true,
      true,
      true,
    ]);
  });

  it('accepts only well-formed events from the stream', () => {
    expect(parseHandoffEvent('{"state":"opened","expiresAt":5}')).to.deep.equal({ state: 'opened', expiresAt: 5 });
    expect(parseHandoffEvent('{"state":"done","expiresAt":5}')).to.equal(undefined);
    expect(parseHandoffEvent('{"state":"completed","expiresAt":5}'), 'completed needs a result').to.equal(undefined);
    expect(parseHandoffEvent('not json')).to.equal(undefined);
    expect(parseHandoffEvent('null')).to.equal(undefined);
  });

  it('puts the handoff routes beside the check endpoint', () => {
    expect(handoffBaseFor('/api/id-liveness', 'https://shop.example/checkout')).to.equal('https://shop.example/api/handoff');
    expect(handoffBaseFor('https://verify.example/v1/id-liveness', 'https://shop.example/')).to.equal('https://verify.example/v1/handoff');
  });

  it('draws the QR code as one path with a quiet zone, finder pattern first', () => {
    const { size, d } = qrPath('https://verify.example/m/AAAAAAAAAAAAAAAAAAAAAA');
    expect(size).to.be.within(21 + 8, 177 + 8);
    expect((size - 8 - 17) % 4, 'a QR version: 17 + 4v modules').to.equal(0);
    // The top-left finder's top edge: 7 dark modules starting inside the 4-module quiet zone.
    expect(d.startsWith('M4 4h7v1h-7z')).to.equal(true);
    expect(d).not.to.match(/[^MhvzZ0-9 -]/);
  });
});
