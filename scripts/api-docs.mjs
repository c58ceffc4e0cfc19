// docs/api.md, generated from custom-elements.json (written by the analyzer in `npm run build`), so the
// reference can't go stale: `npm test` regenerates it and fails when the committed page differs.
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const PAGE = `${root}docs/api.md`;

const cell = (text = '') => String(text).replace(/\|/g, '\\|').replace(/\n+/g, ' ');
const code = (text) => (text ? `\`${cell(text)}\`` : '');
function table(headers, rows) {
  if (!rows.length) return '_None._\n';
  return (
    [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n') +
    '\n'
  );
}

/** The Markdown page for every custom element in the manifest. */
export function renderApiPage(manifest) {
  const out = [
    '# API reference',
    '',
    '_Generated from `custom-elements.json` by `scripts/api-docs.mjs` at build: do not edit by hand._',
    '',
  ];
  for (const module of manifest.modules) {
    for (const element of module.declarations ?? []) {
      if (!element.customElement) continue;
      const members = (element.members ?? []).filter((member) => !member.privacy && !member.static && !member.name.startsWith('_'));
      const fields = members.filter((member) => member.kind === 'field');
      const methods = members.filter((member) => member.kind === 'method' && member.description);
      out.push(`## \`<${element.tagName}>\``, '', cell(element.description?.split('\n\n')[0] ?? ''), '', `Source: \`${module.path}\``, '');
      out.push('### Attributes and properties', '');
      out.push(
        table(
          ['Attribute', 'Property', 'Type', 'Default', 'Description'],
          fields
            .filter((field) => field.description)
            .map((field) => [
              code(field.attribute),
              code(field.name),
              code(field.type?.text),
              code(field.default),
              cell(field.description),
            ]),
        ),
      );
      out.push('### Methods', '');
      out.push(
        table(
          ['Method', 'Description'],
          methods.map((method) => [
            code(`${method.name}(${(method.parameters ?? []).map((p) => p.name).join(', ')})`),
            cell(method.description),
          ]),
        ),
      );
      out.push('### Events', '');
      out.push(
        table(
          ['Event', 'Description'],
          (element.events ?? [])
            .filter((event) => event.name?.includes('-') && event.description)
            .map((event) => [code(event.name), cell(event.description)]),
        ),
      );
      out.push('### Slots', '');
      out.push(
        table(
          ['Slot', 'Description'],
          (element.slots ?? []).map((slot) => [code(slot.name || '(default)'), cell(slot.description)]),
        ),
      );
      out.push('### CSS parts', '');
      out.push(
        table(
          ['Part', 'Description'],
          (element.cssParts ?? []).map((part) => [code(part.name), cell(part.description)]),
        ),
      );
      out.push('### CSS custom properties', '');
      out.push(
        table(
          ['Property', 'Description'],
          (element.cssProperties ?? []).map((property) => [code(property.name), cell(property.description)]),
        ),
      );
    }
  }
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

const manifest = () => JSON.parse(readFileSync(`${root}custom-elements.json`, 'utf8'));

/** Writes docs/api.md (the build). */
export function writeApiPage() {
  writeFileSync(PAGE, renderApiPage(manifest()));
}

/** True when the committed page matches the manifest (the test). */
export function apiPageIsCurrent() {
  return readFileSync(PAGE, 'utf8') === renderApiPage(manifest());
}

if (import.meta.url === `file://${process.argv[1]}`) writeApiPage();
