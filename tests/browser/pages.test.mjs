// Every page `blankett build` generates, in Debian's Chromium: axe (WCAG 2.1 A and AA) with
// JavaScript on and off, the checks axe does not make, and the Nu HTML Checker.
//
// Run with tests/browser/run.sh (installs Chromium and the pinned npm packages first).
// The no-JS audit replays the page as a JS-less browser rendered it in a JS-enabled page
// whose own scripts are blocked: with JavaScript off, axe.run never resolves.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const out = join(repo, 'target', 'browser-out');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const vnuJar = join(here, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

// The header the runtime sends: no inline script or style anywhere, nothing from elsewhere.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "form-action 'self'; frame-ancestors 'none'";
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// (a) Build what exists of the library and the example kommuner.
const inputs = ['forms', 'examples'].filter((p) => existsSync(join(repo, p)));
execFileSync('cargo', ['run', '--quiet', '--', 'build', ...inputs, '-o', 'target/browser-out'],
  { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const pages = walk(out)
  .filter((p) => p.endsWith('.html'))
  .map((p) => relative(out, p).split(sep).join('/'))
  .sort();

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

let server, base, withJs, withoutJs;
const results = { audits: 0, violations: 0 };

before(async () => {
  // (b) Serve the build on 127.0.0.1 with the runtime's CSP.
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = resolve(out, '.' + path);
    const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' };
    if (!file.startsWith(out) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    headers['Content-Type'] = TYPES[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${server.address().port}`;
  const launch = (javaScriptEnabled) => chromium.launchPersistentContext(
    mkdtempSync(join(tmpdir(), 'bk-chromium-')),
    { executablePath: '/usr/bin/chromium', headless: true, locale: 'sv-SE', args: CHROMIUM_ARGS,
      javaScriptEnabled, viewport: { width: 320, height: 640 } });
  // 320 CSS pixels: WCAG 1.4.10 (reflow) asks for no horizontal scrolling at that width.
  withJs = await launch(true);
  withoutJs = await launch(false);
});

after(async () => {
  await withJs?.close();
  await withoutJs?.close();
  server?.close();
  console.log(`axe: ${results.audits} audits (${pages.length} pages × JavaScript on and off), ` +
    `${results.violations} violations`);
});

// What axe does not check, or not the way Swedish law and our design promise.
function domChecks() {
  const problems = [];
  const byId = (id) => document.getElementById(id);
  const lang = document.documentElement.getAttribute('lang');
  if (!lang) problems.push('<html> has no lang');
  const prefix = lang === 'en' ? 'Error: ' : 'Fel: ';
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button'].includes(el.type)) continue;
    const label = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
    if (!label || !label.textContent.trim()) problems.push(`no <label for> for ${el.name || el.id}`);
    if (el.hasAttribute('placeholder')) problems.push(`placeholder on ${el.name}`);
  }
  const groups = new Map();
  for (const el of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    groups.set(el.name, [...(groups.get(el.name) ?? []), el]);
  }
  for (const [name, els] of groups) {
    if (els[0].type === 'checkbox' && els.length < 2) continue; // a single consent box
    for (const el of els) {
      const fs = el.closest('fieldset');
      const legend = fs && fs.querySelector(':scope > legend');
      if (!legend || !legend.textContent.trim()) problems.push(`${name}: not in a fieldset with a legend`);
    }
  }
  for (const a of document.querySelectorAll('.bk-error-summary a[href^="#"]')) {
    const id = decodeURIComponent(a.getAttribute('href').slice(1));
    if (!byId(id)) problems.push(`error summary links to missing #${id}`);
  }
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
    for (const attr of ['aria-describedby', 'aria-labelledby']) {
      for (const id of (el.getAttribute(attr) ?? '').split(/\s+/).filter(Boolean)) {
        if (!byId(id)) problems.push(`${attr} refers to missing #${id}`);
      }
    }
  }
  const seen = new Set();
  for (const el of document.querySelectorAll('[id]')) {
    if (seen.has(el.id)) problems.push(`duplicate id ${el.id}`);
    seen.add(el.id);
  }
  const errorPage = !!document.querySelector('.bk-error-summary');
  if (document.title.startsWith(prefix) !== errorPage) {
    problems.push(`title "${document.title}" ${errorPage ? 'lacks' : 'has'} "${prefix}"`);
  }
  if (location.pathname.endsWith('-fel.html') && !errorPage) problems.push('error-state page without errors');
  for (const m of document.querySelectorAll('.bk-error-message')) {
    const hidden = m.querySelector('.bk-visually-hidden');
    if (!hidden || hidden.textContent !== prefix) problems.push(`error message without "${prefix}"`);
  }
  for (const el of document.querySelectorAll('input[type=email], input[type=tel]')) {
    if (!el.getAttribute('autocomplete')) problems.push(`${el.name}: no autocomplete`);
  }
  if (document.querySelector('[style]')) problems.push('inline style attribute');
  if ([...document.querySelectorAll('script')].some((s) => !s.src)) problems.push('inline script');
  if (document.querySelector('style')) problems.push('inline <style>');
  for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) problems.push('img without alt');
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push(`scrolls sideways at ${window.innerWidth}px (${document.documentElement.scrollWidth}px wide)`);
  }
  return problems;
}

async function audit(page, what) {
  await page.evaluate(axeSource);
  const r = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), TAGS);
  results.audits += 1;
  results.violations += r.violations.length;
  const problems = r.violations.map((v) =>
    `axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  problems.push(...(await page.evaluate(domChecks)));
  if (problems.length) assert.fail(`${what}:\n  ${problems.join('\n  ')}`);
}

// (c) Every page, with JavaScript on and off.
for (const name of pages) {
  test(name, { timeout: 60_000 }, async () => {
    const url = `${base}/${name}`;
    const page = await withJs.newPage();
    try {
      await page.goto(url, { waitUntil: 'load' });
      await audit(page, `${name} with JavaScript`);
    } finally {
      await page.close();
    }

    const plain = await withoutJs.newPage();
    let html;
    try {
      await plain.goto(url, { waitUntil: 'load' });
      html = await plain.content();
    } finally {
      await plain.close();
    }
    const replay = await withJs.newPage();
    try {
      await replay.route('**/*', (route) => {
        const req = route.request();
        if (req.url().split('#')[0] === url) {
          return route.fulfill({ status: 200, headers: { 'Content-Security-Policy': CSP },
            contentType: 'text/html; charset=utf-8', body: html });
        }
        return req.resourceType() === 'script' ? route.abort() : route.continue();
      });
      await replay.goto(url, { waitUntil: 'load' });
      await audit(replay, `${name} without JavaScript`);
    } finally {
      await replay.close();
    }
  });
}

// A question page in its error state on a phone, for people to look at (not compared:
// fonts differ between machines).
test('screenshot of a question page with errors on a phone', async () => {
  const name = pages.find((p) => p.endsWith('felanmalan/felet-fel.html')) ?? pages.find((p) => p.endsWith('-fel.html'));
  assert.ok(name, 'no error-state page was built');
  const page = await withJs.newPage();
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/${name}`, { waitUntil: 'load' });
    mkdirSync(join(out, '..', 'screenshots'), { recursive: true });
    const file = join(out, '..', 'screenshots', 'question-error-390x844.png');
    await page.screenshot({ path: file, fullPage: false });
    await page.screenshot({ path: file.replace('.png', '-full.png'), fullPage: true });
    console.log(`screenshot: ${relative(repo, file)}`);
  } finally {
    await page.close();
  }
});

// (d) The Nu HTML Checker over every page.
test('every page is valid HTML (vnu)', { timeout: 300_000 }, () => {
  const files = pages.map((p) => join(out, p));
  const r = spawnSync('java', ['-jar', vnuJar, '--errors-only', '--format', 'json', ...files],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.ok(r.stderr.trim().startsWith('{'), `vnu did not run: ${r.error ?? r.stderr.slice(0, 500)}`);
  const messages = JSON.parse(r.stderr).messages.filter((m) => m.type === 'error' || m.subType === 'fatal');
  console.log(`vnu: ${files.length} pages, ${messages.length} errors`);
  const shown = messages.slice(0, 30).map((m) =>
    `${relative(out, fileURLToPath(m.url))}:${m.lastLine}: ${m.message}`);
  if (shown.length) assert.fail(`${messages.length} errors, the first ones:\n${shown.join('\n')}`);
});
