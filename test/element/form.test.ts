import { expect, fixture, html } from '@open-wc/testing';
import type { AccuraIdLiveness } from '../../src/index.ts';
import '../../src/accura-id-liveness.ts';
import { photoJpeg } from '../support/fixtures.ts';
import { testEndpoint } from '../support/harness.ts';

async function formWith(score: number) {
  const endpoint = testEndpoint({ score });
  const form = await fixture<HTMLFormElement>(html`
    <form>
      <input name="email" value="a@example.com" />
      <accura-id-liveness name="liveness" required quality-check="off" endpoint=${endpoint.url} country-code="USA" card-code="MRZ"></accura-id-liveness>
      <button type="submit">Send</button>
    </form>
  `);
  const el = form.querySelector<AccuraIdLiveness>('accura-id-liveness')!;
  await el.updateComplete;
  let submitted = 0;
  let invalid = 0;
  // The browser's own validation bubble is its UI, not the widget's (WebKitGTK draws it as a native popup
  // under Xvfb): the test counts the `invalid` event that blocks the submit and leaves the bubble out.
  el.addEventListener('invalid', (event) => {
    event.preventDefault();
    invalid++;
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitted++;
  });
  return { form, el, submitted: () => submitted, invalid: () => invalid };
}

describe('inside a form', () => {
  it('blocks submit until the verdict is live, then submits the verdict', async () => {
    const { form, el, submitted, invalid } = await formWith(90);
    expect(el.form).to.equal(form);
    expect(el.value).to.equal('');
    expect(form.checkValidity()).to.be.false;
    expect(el.validationMessage).to.equal('Check your ID document to continue.');
    const reported = invalid();
    form.requestSubmit();
    expect(submitted()).to.equal(0);
    expect(invalid(), 'the widget reported as what blocks the submit').to.equal(reported + 1);

    await el.check(await photoJpeg(1024, 768));
    await el.updateComplete;
    expect(el.value).to.equal('live');
    expect(form.checkValidity()).to.be.true;
    expect(new FormData(form).get('liveness')).to.equal('live');
    form.requestSubmit();
    expect(submitted()).to.equal(1);

    form.reset();
    await el.updateComplete;
    expect(el.phase).to.equal('start');
    expect(new FormData(form).get('liveness')).to.equal(null);
    expect(form.checkValidity()).to.be.false;
  });

  it('stays invalid after a spoof verdict, with a message that says why', async () => {
    const { form, el } = await formWith(20);
    await el.check(await photoJpeg(1024, 768));
    await el.updateComplete;
    expect(el.value).to.equal('spoof');
    expect(new FormData(form).get('liveness')).to.equal('spoof');
    expect(form.checkValidity()).to.be.false;
    expect(el.validationMessage).to.contain('did not pass');
  });

  it('is optional without required', async () => {
    const { form, el } = await formWith(90);
    el.required = false;
    await el.updateComplete;
    expect(form.checkValidity()).to.be.true;
  });
});
