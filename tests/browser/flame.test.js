#!/usr/bin/env node
// flame.test.js - flame.svg and icicle.svg in headless Debian Chromium.
//
//   node flame.test.js MNT ARTIFACTS [CHROMIUM]     the checks (run.sh mounts)
//   node flame.test.js --time FILE.svg...           load times only, no checks
//
// Prints "ok NAME" or "FAIL NAME: why" per check, load times as figures
// ("time ..."), and a last line "flame.test.js: N passed, M failed"; exits
// 1 on any failure.  Nothing here asserts a duration.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];

let passed = 0;
let failed = 0;

function check(name, cond, why) {
  if (cond) {
    passed++;
    console.log(`ok ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${why === undefined ? '' : ': ' + why}`);
  }
}

function fileUrl(p, query) {
  return 'file://' + p.split('/').map(encodeURIComponent).join('/') + (query || '');
}

function regexEscape(s) {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

// A page that records console errors, uncaught exceptions and every request
// that is not the file itself (there must be none: no external fetches).
async function openPage(browser, url, opts) {
  const ctx = await browser.newContext(Object.assign({ viewport: { width: 1200, height: 800 } }, opts || {}));
  const page = await ctx.newPage();
  const log = { errors: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith(url.split('?')[0])) log.requests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { ctx, page, log };
}

// Milliseconds from navigation start to the end of the load event.
async function loadTime(page) {
  return page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return Math.round(n.loadEventEnd - n.startTime);
  });
}

// x, width and class of every box, in document order.
function boxes(page) {
  return page.$$eval('#frames > g', (gs) => gs.map((g) => {
    const r = g.querySelector('rect');
    const title = g.querySelector('title').textContent;
    return {
      x: r.getAttribute('x'), w: r.getAttribute('width'), y: +r.getAttribute('y'),
      cls: g.getAttribute('class') || '', name: title.substring(0, title.lastIndexOf(' (')),
      fill: r.getAttribute('fill'), label: g.querySelector('text') ? g.querySelector('text').textContent : '',
    };
  }));
}

async function shot(page, dir, name, width) {
  const h = await page.evaluate(() => document.documentElement.getAttribute('height'));
  await page.setViewportSize({ width: width || 1200, height: Math.min(Math.max(+h || 400, 200), 1400) });
  await page.screenshot({ path: path.join(dir, name) });
}

// The laid-out width of the SVG root, px (what the script calls W).
function svgWidth(page) {
  return page.evaluate(() => Math.floor(document.documentElement.getBoundingClientRect().width));
}

// Hue of "#rrggbb" or "rgb(r, g, b)" in degrees.
function hue(c) {
  let r, g, b;
  if (c.startsWith('#')) {
    [r, g, b] = [1, 3, 5].map((i) => parseInt(c.substr(i, 2), 16) / 255);
  } else {
    [r, g, b] = c.match(/\d+/g).slice(0, 3).map((v) => +v / 255);
  }
  const mx = Math.max(r, g, b), mn = Math.min(r, g, b), d = mx - mn;
  if (d === 0) return 0;
  let h = mx === r ? ((g - b) / d) % 6 : mx === g ? (b - r) / d + 2 : (r - g) / d + 4;
  h *= 60;
  return h < 0 ? h + 360 : h;
}

// One file: load, zoom, hover, reset, search, case, URL state, reload.
// `full` adds the checks that need to run once only (no-JS picture, union).
async function exercise(browser, mnt, rel, dir, opts) {
  const tag = `${rel}:`;
  const file = path.join(mnt, rel);
  const url = fileUrl(file);
  const base = rel.replace(/\//g, '-').replace(/\.svg$/, '');
  const { ctx, page, log } = await openPage(browser, url);
  const bytes = fs.statSync(file).size;
  console.log(`time load ${rel}: ${await loadTime(page)} ms, ${bytes} bytes`);

  const before = await boxes(page);
  check(`${tag} boxes drawn`, before.length > 5, `${before.length} boxes`);
  check(`${tag} title and subtitle`,
    (await page.textContent('#title')).startsWith(rel.split('/').slice(0, 2).join('/')) &&
    /^Total: \S/.test(await page.textContent('#subtitle')));
  check(`${tag} search controls shown by the script`,
    await page.isVisible('#search') && await page.isVisible('#case') && await page.isVisible('#q'));
  const rootY = before[0].y;
  const ys = before.map((b) => b.y);
  if (opts.down) check(`${tag} root at the top`, rootY === Math.min(...ys), `root y ${rootY}`);
  else check(`${tag} root at the bottom`, rootY === Math.max(...ys), `root y ${rootY}`);
  if (opts.hueRange) {
    const named = before.filter((b) => !b.cls.includes('rest'));
    const off = named.filter((b) => {
      const h = hue(b.fill);
      return h < opts.hueRange[0] - 1 || h > opts.hueRange[1] + 1;
    });
    check(`${tag} palette hues within ${opts.hueRange.join('-')}`, off.length === 0,
      off.slice(0, 3).map((b) => `${b.name} ${b.fill}`).join(', '));
    // One colour per package (Go: the path up to the first '.' after
    // the last '/'), as pprof and Pyroscope colour.
    const fills = new Map();
    const mixed = new Set();
    named.forEach((b) => {
      const m = /^((?:[^/(]*\/)*[^/.(]+)\./.exec(b.name);
      if (!m) return;
      if (fills.has(m[1]) && fills.get(m[1]) !== b.fill) mixed.add(m[1]);
      fills.set(m[1], b.fill);
    });
    check(`${tag} one colour per package (${fills.size} packages)`,
      fills.size >= 2 && mixed.size === 0, [...mixed].join(', '));
    opts.packageFills = fills;
  }
  // Fluid width: the picture is as wide as the window, boxes laid out in it.
  const W = await svgWidth(page);
  check(`${tag} as wide as the window (${W} px of 1200)`, W >= 1180 && W <= 1200 &&
    before[0].w === String(W), `root box ${before[0].w}`);
  await shot(page, dir, `${base}.png`);

  // Zoom: a box of middling width that has a parent.
  const pick = before.findIndex((b, i) => i > 0 && !b.cls.includes('rest') &&
    +b.w >= 60 && +b.w <= 900);
  check(`${tag} a box to zoom into`, pick > 0);
  if (pick <= 0) { await ctx.close(); return; }
  const target = before[pick];
  const box = page.locator('#frames > g').nth(pick);
  const t0 = Date.now();
  await box.locator('rect').click();
  const zoomMs = Date.now() - t0;
  const after = await boxes(page);
  check(`${tag} clicked frame spans the full width`,
    after[pick].x === '0' && after[pick].w === String(W), `x=${after[pick].x} w=${after[pick].w}`);
  const anc = after.filter((b) => b.cls.split(' ').includes('anc'));
  check(`${tag} ancestors stay, full width, greyed`, anc.length >= 1 &&
    anc.every((b) => b.x === '0' && b.w === String(W)) && after[0].cls.includes('anc'),
  `${anc.length} ancestors`);
  check(`${tag} ancestors on the root side of the zoomed frame`,
    anc.every((b) => (opts.down ? b.y < target.y : b.y > target.y)));
  check(`${tag} Reset Zoom shown`, await page.isVisible('#unzoom'));
  check(`${tag} zoom in the URL`, page.url().includes(`x=${pick}`), page.url());
  console.log(`time zoom ${rel}: ${zoomMs} ms (click to attributes set, via CDP)`);
  await page.hover(`#frames > g:nth-child(${pick + 1}) > rect`);
  const det = await page.textContent('#details');
  check(`${tag} hover details: value, % of total, % of zoomed frame`,
    det.startsWith(`Function: ${target.name} (`) && / of total/.test(det) &&
    /100\.0% of zoomed frame\)$/.test(det), det);
  await shot(page, dir, `${base}-zoom.png`);
  await page.click('#unzoom');
  const reset = await boxes(page);
  check(`${tag} Reset Zoom restores the static picture exactly`,
    JSON.stringify(reset.map((b) => [b.x, b.w])) === JSON.stringify(before.map((b) => [b.x, b.w])));
  check(`${tag} labels after Reset Zoom equal the static ones (same rule in C and JS)`,
    JSON.stringify(reset.map((b) => b.label)) === JSON.stringify(before.map((b) => b.label)),
    reset.map((b, i) => [b.label, before[i].label]).filter((p) => p[0] !== p[1]).slice(0, 3).join(' | '));
  check(`${tag} Reset Zoom clears the URL`, !page.url().includes('x='), page.url());

  // Search by Ctrl-F and typing: the zoomed frame's name, as a regex.
  const term = regexEscape(target.name);
  await page.keyboard.press('Control+f');
  check(`${tag} Ctrl-F focuses the search box`,
    await page.evaluate(() => document.activeElement && document.activeElement.id === 'q'));
  await page.keyboard.type(term);
  await page.keyboard.press('Enter');
  const matched = await page.textContent('#matched');
  const hits = await page.$$eval('#frames > g.hit', (gs) => gs.length);
  check(`${tag} search shows Matched`, /^Matched: \d+(\.\d+)?%$/.test(matched) &&
    parseFloat(matched.slice(9)) > 0, matched);
  check(`${tag} search highlights boxes`, hits >= 1, `${hits} hits`);
  const fill = await page.$eval('#frames > g.hit > rect', (r) => getComputedStyle(r).fill);
  check(`${tag} highlight colour`, fill === opts.hit, fill);
  check(`${tag} search in the URL`, page.url().includes('s=' + encodeURIComponent(term)), page.url());
  check(`${tag} button says Reset Search`, (await page.textContent('#search')) === 'Reset Search');
  await shot(page, dir, `${base}-search.png`);

  // Case toggle: the upper-cased term matches only when ignoring case.
  const upper = term.toUpperCase();
  if (upper !== term) {
    await page.fill('#q', upper);
    const none = await page.$$eval('#frames > g.hit', (gs) => gs.length);
    await page.click('#case');
    const some = await page.$$eval('#frames > g.hit', (gs) => gs.length);
    check(`${tag} case toggle`, none === 0 && some === hits &&
      (await page.textContent('#case')) === '[x] ignore case' && page.url().includes('i=1'),
    `case-sensitive ${none}, ignoring case ${some}, expected ${hits}`);
    await page.click('#case');
    await page.fill('#q', term);
  }

  // Reload with the state in the URL: ?s= alone, then ?s=&x= together.
  await page.goto(url + '?s=' + encodeURIComponent(term), { waitUntil: 'load' });
  check(`${tag} ?s= restores the search`,
    (await page.textContent('#matched')) === matched &&
    (await page.$$eval('#frames > g.hit', (gs) => gs.length)) === hits &&
    (await page.inputValue('#q').catch(() => page.$eval('#q', (i) => i.value))) === term);
  await page.goto(url + `?x=${pick}&s=` + encodeURIComponent(term), { waitUntil: 'load' });
  const z = await boxes(page);
  check(`${tag} ?x= restores the zoom`, z[pick].x === '0' && z[pick].w === String(W) &&
    await page.isVisible('#unzoom'));
  check(`${tag} Matched while zoomed gives the zoomed share`,
    /^Matched: [\d.]+% \(100\.0% of zoomed frame\)$/.test(await page.textContent('#matched')),
    await page.textContent('#matched'));
  await page.keyboard.press('Escape');
  check(`${tag} Escape resets the search`, (await page.textContent('#matched')) === '' &&
    (await page.$$eval('#frames > g.hit', (gs) => gs.length)) === 0);

  if (opts.full) {
    // The window grows and shrinks: the picture follows (MIN_W 600 at least).
    for (const vw of [1600, 900, 400]) {
      await page.setViewportSize({ width: vw, height: 800 });
      await page.waitForFunction((w) => {
        const r = document.querySelector('#frames > g > rect');
        return Math.abs(+r.getAttribute('width') - Math.max(600, w)) <= 20;
      }, vw, { timeout: 5000 }).catch(() => {});
      const w = await svgWidth(page);
      const root = (await boxes(page))[0];
      check(`${tag} resized to ${vw} px: boxes span ${w} px`,
        Math.abs(w - Math.max(600, vw)) <= 20 && root.w === String(w), `root box ${root.w}`);
      await shot(page, dir, `${base}-${vw}.png`, vw);
    }
    await page.setViewportSize({ width: 1200, height: 800 });
    // "." matches every frame: the union of nested matches is exactly 100%.
    await page.goto(url + '?s=.', { waitUntil: 'load' });
    check(`${tag} nested matches are not double-counted`,
      (await page.textContent('#matched')) === 'Matched: 100.0%', await page.textContent('#matched'));
    await page.goto(url + '?s=' + encodeURIComponent('(['), { waitUntil: 'load' });
    check(`${tag} invalid regex is reported`,
      (await page.textContent('#matched')) === 'Invalid regular expression');
  }
  check(`${tag} no console errors`, log.errors.length === 0, log.errors.join(' | '));
  check(`${tag} no fetches`, log.requests.length === 0, log.requests.join(' '));
  await ctx.close();

  if (opts.full) {
    // Without JavaScript: the same boxes and labels, no controls.
    const nojs = await openPage(browser, url, { javaScriptEnabled: false });
    const n = await nojs.page.$$eval('#frames > g', (gs) => gs.length);
    const labels = await nojs.page.$$eval('#frames text', (ts) => ts.length);
    check(`${tag} static picture without JavaScript`, n === before.length && labels > 0 &&
      !(await nojs.page.isVisible('#search')) && (await nojs.page.$('#q')) === null);
    await shot(nojs.page, dir, `${base}-nojs.png`);
    await nojs.ctx.close();
  }
}

// A diff's long title stays clear of the search box, however narrow the
// window: centred when it fits, else moved left and cut with its full text
// as a tooltip.
async function diffTitle(browser, mnt, dir) {
  const typeDir = path.join(mnt, 'api/cpu');
  const first = fs.readdirSync(typeDir).filter((n) => /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/.test(n)).sort()[0];
  const rel = `api/cpu/diff/${first}/latest/flame.svg`;
  for (const vw of [1200, 800]) {
    const { ctx, page, log } = await openPage(browser, fileUrl(path.join(mnt, rel)),
      { viewport: { width: vw, height: 600 } });
    const r = await page.evaluate(() => {
      const t = document.getElementById('title').getBBox();
      const q = document.querySelector('foreignObject');
      const u = document.getElementById('unzoom').getBBox();
      return { right: t.x + t.width, left: t.x, search: +q.getAttribute('x'),
        full: document.querySelector('svg > title').textContent,
        shown: document.getElementById('title').firstChild.textContent, unzoom: u.x + 80 };
    });
    check(`diff title at ${vw} px clear of the search box (ends at ${Math.round(r.right)}, box at ${r.search})`,
      r.right <= r.search - 4 && r.left >= 10, JSON.stringify(r));
    check(`diff title at ${vw} px says what it can`, r.full.startsWith(r.shown.replace(/\u2026$/, '')) &&
      r.shown.length >= 20, r.shown);
    check(`diff title at ${vw} px: no console errors`, log.errors.length === 0, log.errors.join(' | '));
    await shot(page, dir, `diff-title-${vw}.png`, vw);
    await ctx.close();
  }
}

async function timeOnly(browser, files) {
  for (const f of files) {
    const { ctx, page, log } = await openPage(browser, fileUrl(path.resolve(f)));
    const n = await page.$$eval('#frames > g', (gs) => gs.length);
    const ms = await loadTime(page);
    // A zoom into the widest child of the root, to the next painted frame.
    const zoom = await page.evaluate(() => new Promise((done) => {
      const gs = document.querySelectorAll('#frames > g');
      const g = gs[1] || gs[0];
      const t = performance.now();
      g.querySelector('rect').dispatchEvent(new MouseEvent('click', { bubbles: true }));
      requestAnimationFrame(() => setTimeout(() => done(Math.round(performance.now() - t)), 0));
    }));
    console.log(`time ${f}: ${fs.statSync(f).size} bytes, ${n} boxes, load ${ms} ms,` +
      ` zoom ${zoom} ms, console errors ${log.errors.length}`);
    await ctx.close();
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const timing = argv[0] === '--time';
  const exe = timing ? '/usr/bin/chromium' : (argv[2] || '/usr/bin/chromium');
  const browser = await chromium.launch({ executablePath: exe, args: LAUNCH_ARGS });
  try {
    if (timing) {
      await timeOnly(browser, argv.slice(1));
      return;
    }
    const [mnt, dir] = argv;
    fs.mkdirSync(dir, { recursive: true });
    const magenta = 'rgb(255, 0, 224)';
    const cases = [
      ['api/cpu/latest/flame.svg', { full: true, hit: magenta, hueRange: [0, 290] }],
      ['api/cpu/latest/icicle.svg', { down: true, hit: magenta, hueRange: [0, 290] }],
      ['leaky/inuse_space/latest/flame.svg', { hit: magenta, hueRange: [0, 290] }],
    ];
    for (const [rel, opts] of cases) {
      try {
        await exercise(browser, mnt, rel, dir, opts);
      } catch (e) {
        check(`${rel}: ran to the end`, false, e.message.split('\n')[0]);
      }
    }
    // A package looks the same in a CPU graph and a heap graph.
    const cpuFills = cases[0][1].packageFills, heapFills = cases[2][1].packageFills;
    if (cpuFills && heapFills) {
      const common = [...cpuFills.keys()].filter((k) => heapFills.has(k));
      check(`same package, same colour in cpu and inuse_space (${common.join(', ')})`,
        common.length >= 1 && common.every((k) => cpuFills.get(k) === heapFills.get(k)));
    }
    try {
      await diffTitle(browser, mnt, dir);
    } catch (e) {
      check('diff title: ran to the end', false, e.message.split('\n')[0]);
    }
    // The biggest real profile we have, when the runner added it.
    const large = 'large/cpu/latest/flame.svg';
    if (fs.existsSync(path.join(mnt, 'large'))) {
      const { ctx, page, log } = await openPage(browser, fileUrl(path.join(mnt, large)));
      console.log(`time load ${large}: ${await loadTime(page)} ms, ` +
        `${fs.statSync(path.join(mnt, large)).size} bytes`);
      check(`${large}: loads without errors`, log.errors.length === 0, log.errors.join(' | '));
      check(`${large}: subtitle states what was hidden`,
        / frames hidden \(.*\): /.test(await page.textContent('#subtitle')));
      await shot(page, dir, 'large-cpu-flame.png');
      await ctx.close();
    }
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  check('flame.test.js ran', false, e.stack || String(e));
}).finally(() => {
  console.log(`flame.test.js: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
});
