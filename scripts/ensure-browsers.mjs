// Makes sure each engine's browser exists for the tests (ENGINES=… to choose): installs Debian's
// packages for the missing ones when it can, else says what to install.
import { aptInstall, canAptInstall } from './apt.mjs';
import { ENGINES, selectedEngines } from './engines.mjs';

const missing = selectedEngines().filter((name) => !ENGINES[name].find());
if (missing.length > 0) {
  const packages = missing.flatMap((name) => ENGINES[name].packages);
  const labels = missing.map((name) => ENGINES[name].label).join(', ');
  if (!canAptInstall()) {
    console.error(
      `No browser found for ${labels}: install ${packages.join(' ')} (or set CHROME_PATH, FIREFOX_PATH, MINIBROWSER_PATH), then run npm test again.`,
    );
    process.exit(1);
  }
  aptInstall(packages, `no browser found for ${labels}; needed for the browser tests`);
  const still = missing.filter((name) => !ENGINES[name].find());
  if (still.length > 0) {
    console.error(
      `Installed ${packages.join(' ')}, but ${still.map((name) => ENGINES[name].label).join(', ')} still not found; set its path (see scripts/engines.mjs).`,
    );
    process.exit(1);
  }
}
for (const name of selectedEngines()) {
  const found = ENGINES[name].find();
  console.log(`${ENGINES[name].label}: ${typeof found === 'string' ? found : Object.values(found).join(', ')}`);
}
