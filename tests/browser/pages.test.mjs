// Every page `blankett build` generates, in Debian's Chromium: axe (WCAG 2.1 A and AA) with
// JavaScript on and off, the checks axe does not make, and the Nu HTML Checker.
//
// Run with tests/browser/run.sh (installs Chromium and the pinned npm packages first).
// The no-JS audit replays the page as a JS-less browser rendered it in a JS-enabled page
// whose own scripts are blocked: with JavaScript off, axe.run never resolves.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSP, audit, auditReplay, launch, repo, tally, vnu } from './lib.mjs';

const out = join(repo, 'target', 'browser-out');

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

// A kommun's page differs from the library's, and from the same page of another kommun, in the
// kommun's chrome only (title, header with name and logo, footer with contacts) unless its
// overlay changed the form. Pages alike but for the chrome are audited once; every form's start
// page is audited for every kommun and language, so each kommun's chrome is audited too.
// (3,510 pages in 1,674 kinds: all of them would take the CI an hour.)
function content(name) {
  return readFileSync(join(out, name), 'utf8')
    .replace(/<title>[\s\S]*?<\/title>/, '')
    .replace(/<header[\s\S]*?<\/header>/, '')
    .replace(/<footer[\s\S]*?<\/footer>/, '');
}
const seen = new Set();
const audited = pages.filter((name) => {
  const key = content(name);
  const fresh = !seen.has(key);
  seen.add(key);
  return fresh || name.endsWith('/index.html');
});

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

let server, base, withJs, withoutJs;
const results = tally();

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
  withJs = await launch(true);
  withoutJs = await launch(false);
});

after(async () => {
  await withJs?.close();
  await withoutJs?.close();
  server?.close();
  console.log(`axe: ${results.audits} audits (${audited.length} of ${pages.length} pages, the others ` +
    `alike but for the kommun's chrome, × JavaScript on and off), ${results.violations} violations`);
});

// (c) Every kind of page, with JavaScript on and off; three at a time.
describe('pages', { concurrency: 3 }, () => {
  for (const name of audited) {
    test(name, { timeout: 120_000 }, async () => {
      const url = `${base}/${name}`;
      const page = await withJs.newPage();
      try {
        await page.goto(url, { waitUntil: 'load' });
        await audit(page, `${name} with JavaScript`, results);
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
      await auditReplay(withJs, url, html, `${name} without JavaScript`, results);
    });
  }
});

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
test('every page is valid HTML (vnu)', { timeout: 1_200_000 }, () => {
  const files = pages.map((p) => join(out, p));
  const messages = vnu(files);
  console.log(`vnu: ${files.length} pages, ${messages.length} errors`);
  const shown = messages.slice(0, 30).map((m) =>
    `${relative(out, fileURLToPath(m.url))}:${m.lastLine}: ${m.message}`);
  if (shown.length) assert.fail(`${messages.length} errors, the first ones:\n${shown.join('\n')}`);
});
