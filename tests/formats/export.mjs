// speedscope's reading of a profile file, saved by speedscope's own export:
//   node export.mjs INPUT OUTPUT.speedscope.json
// Opens speedscope's release build (npm `speedscope`, pinned by
// package-lock.json) in headless Chromium through file://, gives it INPUT
// with its Browse button, waits for the flame chart, and saves what its
// Ctrl+S export downloads.  The output is speedscope's file format
// holding speedscope's import of INPUT: an independent reading of a
// .cpuprofile for tests/integration/formats.sh to compare pyrofs against.
// PYRO_CHROMIUM names the browser (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const [input, output] = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
const index = path.join(here, 'node_modules/speedscope/dist/release/index.html');
const browser = await chromium.launch({
  executablePath: process.env.PYRO_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ acceptDownloads: true });
  page.on('pageerror', (e) => {
    console.error(`speedscope page error: ${e.message}`);
    process.exitCode = 1;
  });
  await page.goto(pathToFileURL(index).href);
  await page.setInputFiles('#file', input);
  await page.waitForSelector('canvas', { timeout: 30000 });
  const download = page.waitForEvent('download', { timeout: 30000 });
  await page.keyboard.press('Control+s');
  await (await download).saveAs(output);
} finally {
  await browser.close();
}
