#!/usr/bin/env node
// entry.test.js - the mount's index.html pages in headless Debian Chromium.
//
//   node entry.test.js MNT ARTIFACTS [CHROMIUM] [HOSTILE]
//
// Opens MNT/index.html through file:// as a person would, and:
//   - walks every index.html it links (root, services, types), each in the
//     browser: no console error, no script error, no request outside MNT,
//     only the elements the pages are made of (a name that broke out of its
//     escaping would add one);
//   - reads every link, image and frame of those pages from the mount
//     (each must exist and read without error): no broken link;
//   - finds the service called HOSTILE (a name with <, &, ") shown exactly,
//     as text, and its page titled with it;
//   - follows links by clicking, root -> service -> type -> the newest
//     flame graph, and type -> timeline, checking what each shows.
// Screenshots go to ARTIFACTS (entry-*.png).  Prints "ok NAME" or
// "FAIL NAME: why" per check and a last line "entry.test.js: N passed, M
// failed"; exits 1 on any failure.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];
// Every element the pages are made of.
const ELEMENTS = new Set(['HTML', 'HEAD', 'META', 'TITLE', 'STYLE', 'BODY', 'P', 'A', 'H1', 'H2',
  'SMALL', 'TABLE', 'TBODY', 'TR', 'TH', 'TD', 'IMG', 'IFRAME']);

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

function fileUrl(p) {
  return 'file://' + p.split('/').map(encodeURIComponent).join('/');
}

// The mount path a file:// URL names, or null when it is outside mnt.
function mountPath(mnt, url) {
  if (!url.startsWith('file://')) return null;
  const p = decodeURIComponent(new URL(url).pathname);
  return p === mnt || p.startsWith(mnt + '/') ? p : null;
}

async function open(browser, url) {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await ctx.newPage();
  const log = { errors: [], outside: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith('file://')) log.outside.push(r.url()); });
  await page.goto(url, { waitUntil: 'load' });
  return { ctx, page, log };
}

// Every index.html reachable from the root, each checked in the browser;
// every link target read once from the mount.
async function walk(browser, mnt) {
  const queue = [path.join(mnt, 'index.html')];
  const seen = new Set(queue);
  const read = new Map();      // path -> error or ''
  let pages = 0;
  let links = 0;
  while (queue.length) {
    const file = queue.shift();
    const rel = path.relative(mnt, file);
    const { ctx, page, log } = await open(browser, fileUrl(file));
    pages++;
    const found = await page.evaluate(() => ({
      urls: [...document.querySelectorAll('a[href]')].map((a) => a.href)
        .concat([...document.querySelectorAll('img[src], iframe[src]')].map((e) => e.src)),
      tags: [...new Set([...document.querySelectorAll('*')].map((e) => e.tagName))],
    }));
    await ctx.close();
    check(`${rel}: no console or script error`, log.errors.length === 0, log.errors.join(' | '));
    check(`${rel}: no request outside file://`, log.outside.length === 0, log.outside.join(' '));
    const odd = found.tags.filter((t) => !ELEMENTS.has(t));
    check(`${rel}: only the page's own elements`, odd.length === 0, odd.join(' '));
    const outside = [];
    const broken = [];
    for (const url of found.urls) {
      const p = mountPath(mnt, url.split('#')[0]);
      if (!p) { outside.push(url); continue; }
      links++;
      if (!read.has(p)) {
        let err = '';
        try {
          // Rendered as it would be for the browser (.pyrofs/errors may
          // rightly be empty).
          if (fs.statSync(p).isFile()) fs.readFileSync(p);
        } catch (e) {
          err = e.code || String(e);
        }
        read.set(p, err);
        if (!err && path.basename(p) === 'index.html' && !seen.has(p)) {
          seen.add(p);
          queue.push(p);
        }
      }
      if (read.get(p)) broken.push(`${path.relative(mnt, p)} (${read.get(p)})`);
    }
    check(`${rel}: every link stays in the mount`, outside.length === 0, outside.join(' '));
    check(`${rel}: no broken link`, broken.length === 0, broken.slice(0, 5).join(', '));
  }
  console.log(`entry: ${pages} pages, ${links} links, ${read.size} distinct targets read`);
  check('walk: reached every type page', pages > 10, `${pages} pages`);
}

// The hostile service name, shown exactly where it is used.
async function hostile(browser, mnt, name, dir) {
  const { ctx, page, log } = await open(browser, fileUrl(path.join(mnt, 'index.html')));
  const shown = await page.$$eval('h2 > a', (as) => as.map((a) => [a.textContent, a.href]));
  const hit = shown.find(([text]) => text === name);
  check('hostile name: shown exactly as text on the root page', !!hit,
    JSON.stringify(shown.map(([t]) => t)));
  if (hit) {
    await page.goto(hit[1], { waitUntil: 'load' });
    check('hostile name: its page is reached and titled with it',
      (await page.title()) === `${name} - pyrofs`, await page.title());
    check('hostile name: heading shows it', (await page.textContent('h1')) === name);
    await page.screenshot({ path: path.join(dir, 'entry-hostile-service.png'), fullPage: true });
  }
  check('hostile name: no error', log.errors.length === 0, log.errors.join(' | '));
  await ctx.close();
}

// Root -> service -> type -> newest flame graph, and type -> timeline, by
// clicking the links a person would.
async function clickThrough(browser, mnt, dir) {
  const { ctx, page, log } = await open(browser, fileUrl(path.join(mnt, 'index.html')));
  await page.screenshot({ path: path.join(dir, 'entry-root.png'), fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('h2 > a:text-is("api")')]);
  check('click: root -> api/index.html', page.url().endsWith('/api/index.html'), page.url());
  await page.screenshot({ path: path.join(dir, 'entry-service.png'), fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('table a:text-is("cpu")')]);
  check('click: api -> api/cpu/index.html', page.url().endsWith('/api/cpu/index.html'), page.url());
  const img = await page.$eval('img.tl', (i) => i.complete && i.naturalWidth > 0);
  check('type page: the timeline image shows', img);
  const frame = page.frame({ url: /latest\/flame\.svg$/ });
  check('type page: the newest flame graph is framed', !!frame);
  await page.screenshot({ path: path.join(dir, 'entry-type.png'), fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('a:text-is("newest flame graph")')]);
  check('click: type -> latest/flame.svg', page.url().endsWith('/api/cpu/latest/flame.svg'), page.url());
  const boxes = await page.$$eval('#frames > g', (gs) => gs.length);
  check('flame graph reached by links has boxes', boxes > 3, `${boxes} boxes`);
  await page.screenshot({ path: path.join(dir, 'entry-flame.png') });
  await page.goBack({ waitUntil: 'load' });
  await Promise.all([page.waitForNavigation(), page.click('a[href="timeline.svg"]')]);
  check('click: type -> timeline.svg', page.url().endsWith('/api/cpu/timeline.svg'), page.url());
  const svg = await page.evaluate(() => document.documentElement.tagName.toLowerCase());
  check('timeline reached by links is an SVG', svg === 'svg', svg);
  await page.screenshot({ path: path.join(dir, 'entry-timeline.png') });
  check('click-through: no console or script error', log.errors.length === 0, log.errors.join(' | '));
  await ctx.close();
}

async function main() {
  const [mnt, dir, exe, name] = process.argv.slice(2);
  fs.mkdirSync(dir, { recursive: true });
  const browser = await chromium.launch({ executablePath: exe || '/usr/bin/chromium', args: LAUNCH_ARGS });
  try {
    for (const [what, fn] of [['walk', () => walk(browser, mnt)],
      ['click-through', () => clickThrough(browser, mnt, dir)],
      ['hostile', () => (name ? hostile(browser, mnt, name, dir) : null)]]) {
      try {
        await fn();
      } catch (e) {
        check(`${what}: ran to the end`, false, e.message.split('\n')[0]);
      }
    }
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  check('entry.test.js ran', false, e.stack || String(e));
}).finally(() => {
  console.log(`entry.test.js: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
});
