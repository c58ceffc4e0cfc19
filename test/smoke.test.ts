import { expect, fixture, html } from '@open-wc/testing';
import '../src/accura-id-liveness.ts';

describe('smoke', () => {
  it('renders', async () => {
    const el = await fixture(html`<accura-id-liveness></accura-id-liveness>`);
    expect(el.shadowRoot!.querySelector('input[type=file]')).to.exist;
    const response = await fetch('/test-api/requests?id=x');
    expect(await response.json()).to.deep.equal([]);
  });
});
