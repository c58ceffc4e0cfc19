import { expect, fixture, html } from '@open-wc/testing';
import { type AccuraIdLiveness, type LivenessErrorEvent, en, registerLocale } from '../../src/index.ts';
import '../../src/accura-id-liveness.ts';
import { textAsJpeg } from '../support/fixtures.ts';
import { chooseFile, makeElement, oneEvent, untilPhase, untilText, button } from '../support/harness.ts';

describe('localisation', () => {
  it('follows the lang attribute, then the nearest ancestor', async () => {
    const el = await fixture<AccuraIdLiveness>(html`<accura-id-liveness lang="es"></accura-id-liveness>`);
    await untilText(el, 'Verifique su documento de identidad');
    const wrapper = await fixture<HTMLElement>(html`<div lang="fr-CA"><accura-id-liveness></accura-id-liveness></div>`);
    const inner = wrapper.querySelector('accura-id-liveness')!;
    await untilText(inner, "Vérifiez votre pièce d'identité");
    wrapper.setAttribute('lang', 'hi');
    await untilText(inner, 'अपना पहचान दस्तावेज़ जाँचें');
  });

  it('renders Arabic right to left without overflowing, in every state it reaches', async () => {
    const wrapper = await fixture<HTMLElement>(
      html`<div lang="ar" style="width: 360px"><accura-id-liveness mode="upload"></accura-id-liveness></div>`,
    );
    const el = wrapper.querySelector('accura-id-liveness')!;
    await untilText(el, 'تحقق من وثيقة هويتك');
    const base = el.shadowRoot!.querySelector<HTMLElement>('[part=base]')!;
    expect(base.getAttribute('dir')).to.equal('rtl');
    expect(getComputedStyle(base).direction).to.equal('rtl');
    const box = base.getBoundingClientRect();
    for (const child of base.querySelectorAll<HTMLElement>('*')) {
      const rect = child.getBoundingClientRect();
      if (!rect.width) continue;
      expect(rect.left, child.outerHTML.slice(0, 60)).to.be.at.least(box.left - 1);
      expect(rect.right, child.outerHTML.slice(0, 60)).to.be.at.most(box.right + 1);
    }
    expect(base.scrollWidth).to.be.at.most(base.clientWidth);
    // The start action sits at the inline start, which is the right in RTL.
    const label = el.shadowRoot!.querySelector<HTMLElement>('[part=file-label]')!.getBoundingClientRect();
    expect(label.left + label.width / 2).to.be.closeTo(box.left + box.width / 2, box.width / 2);
    await expect(el).to.be.accessible();
  });

  it('shows localised error messages with stable codes', async () => {
    const { el } = await makeElement();
    el.setAttribute('lang', 'es');
    await untilText(el, 'Elegir una foto');
    const error = oneEvent(el, 'liveness-error') as Promise<LivenessErrorEvent>;
    await chooseFile(el, textAsJpeg());
    button(el, 'Verificar documento').click();
    expect((await error).detail.code).to.equal('unsupported-format');
    await untilPhase(el, 'error');
    expect(el.shadowRoot!.querySelector('[part=error]')!.textContent).to.contain('no es una foto JPEG, PNG o WebP');
  });

  it('lets a host override strings and register a locale', async () => {
    registerLocale('pt', { ...en, title: 'Verifique o seu documento' });
    const el = await fixture<AccuraIdLiveness>(html`<accura-id-liveness lang="pt-BR"></accura-id-liveness>`);
    await untilText(el, 'Verifique o seu documento');
    el.strings = { title: 'Scan your card' };
    await untilText(el, 'Scan your card');
  });
});
