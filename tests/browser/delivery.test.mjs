// The whole chain to the case system, in Debian's Chromium: `blankett shs-mailbox` plays the
// case system, `blankett serve examples/orust --dev` delivers to it over SHS (its
// `[[delivery.targets]]` point there, with replies). A citizen logs in with the test e-ID and
// sends a felanmälan; the mailbox's page shows the message with its mapped case (the ERMS
// title, classification and counterpart); a clerk answers with a case number there; the
// citizen's Mina sidor then shows it. The mailbox's pages are audited with axe too.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { audit, freePort, launch, repo, tally } from './lib.mjs';

const target = process.env.CARGO_TARGET_DIR || join(repo, 'target');
const work = mkdtempSync(join(tmpdir(), 'bk-delivery-'));
const TOKEN = 'brevladans-nyckel';
const counts = tally();
const processes = [];
let base, mailbox, browser, logs = '';

function start(args) {
  const p = spawn(join(target, 'debug', 'blankett'), args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout.on('data', (d) => { logs += d; });
  p.stderr.on('data', (d) => { logs += d; });
  processes.push(p);
  return p;
}

async function up(url, p) {
  for (let i = 0; ; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    assert.ok(i < 300 && p.exitCode === null, `${url} did not start:\n${logs}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

before(async () => {
  execFileSync('cargo', ['build', '--quiet', '--bin', 'blankett'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  mailbox = `http://127.0.0.1:${await freePort()}`;
  const mb = start(['shs-mailbox', '--listen', mailbox.slice(7), '--dir', join(work, 'mailbox'), '--token', TOKEN]);
  await up(`${mailbox}/`, mb);
  const config = join(work, 'blankett.toml');
  writeFileSync(config, [
    '[delivery]', 'backoff_base_ms = 200', 'backoff_cap_ms = 2000', 'replies_interval_seconds = 1',
    'canary_interval_seconds = 0', '',
    '[[delivery.targets]]', 'name = "diariet"', 'transport = "shs"', `url = "${mailbox}"`,
    'to_address = "urn:X-shs:2120001439"', 'replies = true', `replies_token = "${TOKEN}"`, '',
  ].join('\n'));
  base = `http://127.0.0.1:${await freePort()}`;
  const server = start(['serve', 'examples/orust', '--dev', '--config', config,
    '--data', join(work, 'data'), '--listen', base.slice(7)]);
  await up(`${base}/healthz`, server);
  browser = await launch(true);
});

after(async () => {
  await browser?.close();
  for (const p of processes) {
    if (p.exitCode === null) {
      p.kill('SIGTERM');
      await new Promise((ok) => p.once('exit', ok));
    }
  }
  rmSync(work, { recursive: true, force: true });
  console.log(`axe: ${counts.audits} audits of the test mailbox, ${counts.violations} violations`);
});

async function click(page, name) {
  await page.getByRole('button', { name, exact: true }).click();
  await page.waitForLoadState('load');
}

test('a felanmälan arrives in the test mailbox as a case, and its case number reaches Mina sidor', { timeout: 180_000 }, async () => {
  const page = await browser.newPage();
  try {
    // The citizen: logged in, so that the case comes back to Mina sidor.
    await page.goto(`${base}/auth/dev?next=/orust/felanmalan/felet`);
    await page.getByLabel('Anna Andersson', { exact: false }).check();
    await click(page, 'Logga in');
    await page.getByRole('group', { name: 'Vad gäller felet?' }).getByLabel('Gata, gång- eller cykelväg', { exact: true }).check();
    await page.getByLabel('Beskriv felet').fill('Stort hål i asfalten mitt i cykelbanan.');
    await click(page, 'Fortsätt');
    await page.getByLabel('Beskriv platsen (valfritt)').fill('Strandvägen vid busshållplatsen');
    await click(page, 'Fortsätt');
    await page.getByRole('group', { name: 'Vill du få återkoppling om vad som händer med din anmälan?' }).getByLabel('Nej', { exact: true }).check();
    await click(page, 'Fortsätt');
    await click(page, 'Skicka in');
    const reference = (await page.locator('.bk-reference').textContent()).trim();
    assert.match(reference, /^OFEL-\d{4}-\d+$/);

    // The case system's side: the message is there, with its case mapped from the answers.
    const clerk = await browser.newPage();
    try {
      for (let i = 0; ; i++) {
        await clerk.goto(`${mailbox}/`);
        if (await clerk.getByRole('link', { name: /Felanmälan/ }).count()) break;
        assert.ok(i < 120, `nothing arrived in the mailbox:\n${logs}`);
        await new Promise((ok) => setTimeout(ok, 500));
      }
      await audit(clerk, 'testbrevlådan: listan', counts);
      await clerk.getByRole('link', { name: /Felanmälan/ }).first().click();
      await clerk.waitForLoadState('load');
      await audit(clerk, 'testbrevlådan: ett meddelande', counts);
      const shown = await clerk.locator('main').textContent();
      assert.match(shown, /Felanmälan: Gata, gång- eller cykelväg/);
      assert.match(shown, new RegExp(reference));
      await clerk.getByLabel('Diarienummer', { exact: false }).fill('KS 2026/417');
      await click(clerk, 'Skicka svar');
    } finally {
      await clerk.close();
    }

    // Back to the citizen: the case number on Mina sidor, once the runtime fetched the reply.
    for (let i = 0; ; i++) {
      await page.goto(`${base}/mina-sidor`);
      if ((await page.locator('main').textContent()).includes('KS 2026/417')) break;
      assert.ok(i < 60, `no case number on Mina sidor:\n${logs}`);
      await new Promise((ok) => setTimeout(ok, 500));
    }
    await audit(page, 'mina sidor med diarienummer', counts);
  } finally {
    await page.close();
  }
});
