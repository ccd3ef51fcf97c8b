// What both browser suites share: launching Debian's Chromium, axe with the WCAG 2.1 A and AA
// tags, the DOM checks axe does not make, the no-JavaScript replay, and the Nu HTML Checker.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
export const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '../..');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const vnuJar = join(here, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

// The header the runtime sends: no inline script or style anywhere, nothing from elsewhere.
export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "form-action 'self'; frame-ancestors 'none'";
export const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A fresh Chromium with its own profile (cookies), JavaScript on or off. 320 CSS pixels by
 *  default: WCAG 1.4.10 (reflow) asks for no horizontal scrolling at that width. */
export function launch(javaScriptEnabled, options = {}) {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'bk-chromium-')), {
    executablePath: '/usr/bin/chromium', headless: true, locale: 'sv-SE', args: CHROMIUM_ARGS,
    javaScriptEnabled, viewport: { width: 320, height: 640 }, ...options,
  });
}

/** A TCP port free on 127.0.0.1 right now, for a server a test starts. */
export async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

/** Counts audits and violations over a run, for the summary line. */
export function tally() {
  return { audits: 0, violations: 0, pages: new Set() };
}

// What axe does not check, or not the way Swedish law and our design promise. Runs in the page.
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
  for (const a of document.querySelectorAll('.bk-error-summary a[href*="#"]')) {
    const url = new URL(a.getAttribute('href'), location.href);
    const id = decodeURIComponent(url.hash.slice(1));
    // A link to another page (the check page's "change") is checked when that page is open.
    if (url.pathname === location.pathname && !byId(id)) problems.push(`error summary links to missing #${id}`);
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
  if (!document.querySelector('h1')) problems.push('no <h1>');
  if (document.querySelector('[style]')) problems.push('inline style attribute');
  if ([...document.querySelectorAll('script')].some((s) => !s.src)) problems.push('inline script');
  if (document.querySelector('style')) problems.push('inline <style>');
  for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) problems.push('img without alt');
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push(`scrolls sideways at ${window.innerWidth}px (${document.documentElement.scrollWidth}px wide)`);
  }
  return problems;
}

/** axe and the DOM checks on the page as it is now; fails with every problem listed. */
export async function audit(page, what, counts) {
  await page.evaluate(axeSource);
  const r = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), TAGS);
  counts.audits += 1;
  counts.violations += r.violations.length;
  counts.pages.add(what);
  const problems = r.violations.map((v) =>
    `axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  problems.push(...(await page.evaluate(domChecks)));
  if (problems.length) assert.fail(`${what}:\n  ${problems.join('\n  ')}`);
}

/** Audits `html` (what a browser without JavaScript rendered, or a response body) as if served
 *  at `url`, in a JS-enabled page of `context` whose own scripts are blocked: with JavaScript
 *  off, axe.run never resolves. Stylesheets and images still come from the server. */
export async function auditReplay(context, url, html, what, counts, { csp = CSP, viewport } = {}) {
  const page = await context.newPage();
  try {
    if (viewport) await page.setViewportSize(viewport);
    const doc = url.split('#')[0];
    await page.route('**/*', (route) => {
      const req = route.request();
      if (req.url().split('#')[0] === doc && req.resourceType() === 'document') {
        return route.fulfill({ status: 200, headers: { 'Content-Security-Policy': csp },
          contentType: 'text/html; charset=utf-8', body: html });
      }
      return req.resourceType() === 'script' ? route.abort() : route.continue();
    });
    await page.goto(doc, { waitUntil: 'load' });
    await audit(page, what, counts);
  } finally {
    await page.close();
  }
}

/** The Nu HTML Checker over `files`: its error messages (an empty list when all are valid). */
export function vnu(files) {
  const r = spawnSync('java', ['-jar', vnuJar, '--errors-only', '--format', 'json', ...files],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.ok(r.stderr.trim().startsWith('{'), `vnu did not run: ${r.error ?? r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stderr).messages.filter((m) => m.type === 'error' || m.subType === 'fatal');
}
