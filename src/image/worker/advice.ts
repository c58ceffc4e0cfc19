/**
 * What to tell a developer whose page could not start the image worker: the cause we saw and the
 * fix for the bundler the worker URL points at. Pure, so it is tested without a browser.
 */
export function workerFallbackAdvice(workerUrl: string | undefined, cause: string): string {
  const where = workerUrl ? ` from ${workerUrl}` : '';
  let fix: string;
  if (workerUrl?.includes('/.angular/')) {
    fix =
      'With the Angular CLI, add the worker to "assets" in angular.json and exclude the package from prebundling (see "Bundlers" in the README).';
  } else if (workerUrl?.includes('/.vite/')) {
    fix =
      "Vite's dependency optimizer moved the module away from its worker: add optimizeDeps: { exclude: ['accura-id-liveness'] } to vite.config.";
  } else {
    fix =
      'Serve node_modules/accura-id-liveness/dist/accura-id-liveness.worker.js beside the JavaScript file that imports the widget ' +
      '(esbuild and the Angular CLI do not copy it), or allow it in your CSP (worker-src), as "Bundlers" in the README shows.';
  }
  return (
    `[accura-id-liveness] The image worker could not start${where} (${cause}). Photos are prepared on the main thread instead: ` +
    `checks still work, but the page may stutter while a large photo is prepared. ${fix}`
  );
}
