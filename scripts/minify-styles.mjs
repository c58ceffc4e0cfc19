/**
 * Minifies the CSS inside `*.styles.ts` (comments and white space): every byte counts in the page-load budget.
 * A Rollup-style plugin, shared by the Vite builds and the classic script's Rollup build.
 */
export function minifyStyles() {
  return {
    name: 'minify-styles',
    transform(code, id) {
      if (!id.endsWith('.styles.ts')) return undefined;
      const minified = code.replace(/css`([^`]*)`/g, (_, body) => {
        const css = body
          .replace(/\/\*[^]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,>])\s*/g, '$1')
          .replace(/:\s+/g, ':')
          .replace(/;}/g, '}')
          .trim();
        return `css\`${css}\``;
      });
      return { code: minified, map: null };
    },
  };
}
