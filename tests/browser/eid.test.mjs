// e-ID end to end in Debian's Chromium: `blankett serve examples/orust --dev` configured with
// `[oidc]` against a real OpenID Connect provider (the npm package oidc-provider, see
// oidc-provider.mjs; scripts/test.sh starts it and sets OIDC_ISSUER, else this file starts it),
// and BankID from the built-in simulator. Erik logs in through the provider, applies for a
// preschool place naming himself and Anna as guardians and signs; the submission waits until
// Anna, logged in through the provider too, has opened her invitation and signed; only then is
// it received. The second test is a kommun without BankID: `signing = "oidc"`, and both sign at
// the provider itself (oidc-provider.mjs with OIDC_SIGN_KEY: OIDC Sweden's Signature Extension).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { audit, here, freePort, launch, repo, tally } from './lib.mjs';

const target = process.env.CARGO_TARGET_DIR || join(repo, 'target');
const work = mkdtempSync(join(tmpdir(), 'bk-eid-'));
const counts = tally();
let server, provider, base, issuer, serverLog = '';

async function waitFor(url, what, proc) {
  for (let i = 0; ; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    assert.ok(i < 300 && (!proc || proc.exitCode === null), `${what} did not start:\n${serverLog}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

before(async () => {
  execFileSync('cargo', ['build', '--quiet', '--bin', 'blankett'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  // With scripts/test.sh's provider the callback address is the one it was started with.
  const listen = process.env.OIDC_ISSUER ? '127.0.0.1:18181' : `127.0.0.1:${await freePort()}`;
  base = `http://${listen}`;
  issuer = process.env.OIDC_ISSUER;
  if (!issuer) {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    provider = spawn('node', [join(here, 'oidc-provider.mjs')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, OIDC_PORT: String(port), OIDC_REDIRECT: `${base}/auth/oidc/callback` },
    });
    provider.stderr.on('data', (d) => { serverLog += d; });
  }
  await waitFor(`${issuer}/.well-known/openid-configuration`, 'oidc-provider', provider);
  const config = join(work, 'blankett.toml');
  writeFileSync(config, [
    '[oidc]',
    `issuer = "${issuer}"`,
    'client_id = "blankett-test"',
    'client_secret = "test-secret"',
    `redirect_url = "${base}/auth/oidc/callback"`,
    'name = "Test-IdP"',
    '',
  ].join('\n'));
  server = spawn(join(target, 'debug', 'blankett'),
    ['serve', 'examples/orust', '--dev', '--config', config, '--data', join(work, 'data'), '--listen', listen],
    { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr.on('data', (d) => { serverLog += d; });
  await waitFor(`${base}/healthz`, 'the server', server);
});

after(async () => {
  for (const p of [server, provider]) {
    if (p && p.exitCode === null) {
      p.kill('SIGTERM');
      await new Promise((ok) => p.once('exit', ok));
    }
  }
  rmSync(work, { recursive: true, force: true });
  console.log(`axe: ${counts.audits} audits of the e-ID pages, ${counts.violations} violations`);
});

async function next(page, button = 'Fortsätt') {
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.waitForLoadState('load');
}

const path = (page) => new URL(page.url()).pathname;
const fill = (page, label, value) => page.getByLabel(label, { exact: true }).fill(value);
const option = (page, group, label) => page.getByRole('group', { name: group, exact: true }).getByLabel(label, { exact: true });

/** The runtime's log-in page → oidc-provider's log-in and consent → back, logged in. */
async function logInThroughProvider(page, pnr, name, at = { issuer, base }) {
  const { issuer, base } = at;
  assert.equal(path(page), '/auth/logga-in');
  await audit(page, 'inloggning: välj e-legitimation', counts);
  await page.getByRole('link', { name: 'Logga in med Test-IdP', exact: true }).click();
  await page.waitForLoadState('load');
  assert.ok(page.url().startsWith(issuer), `at the provider: ${page.url()}`);
  await page.locator('input[name=login]').fill(pnr);
  await page.locator('input[name=password]').fill('x');
  await page.locator('button[type=submit]').first().click();
  await page.waitForLoadState('load');
  // The consent (the first log-in of each person).
  if (page.url().startsWith(issuer)) {
    await page.locator('button[type=submit]').first().click();
    await page.waitForLoadState('load');
  }
  assert.ok(page.url().startsWith(base), `back at the runtime: ${page.url()}`);
  assert.ok((await page.getByText('Inloggad som').textContent()).includes('Inloggad som'));
  assert.ok((await page.locator('.bk-user strong, .bk-header strong').first().textContent()).includes(name));
}

/** BankID's page: the QR code, then the simulated app approves as `name`. */
async function signWithSimulator(page, name) {
  assert.match(path(page), /^\/auth\/bankid\//);
  await audit(page, 'BankID: skriv under', counts);
  const qr = page.locator('#bankid-qr');
  assert.equal(await qr.getAttribute('alt'), 'QR-kod att skanna med BankID-appen');
  // The animated QR code: blankett.js asks for a new one every second.
  const first = await qr.getAttribute('src');
  await page.waitForFunction((src) => document.getElementById('bankid-qr').getAttribute('src') !== src, first, { timeout: 5000 });
  await page.getByRole('group', { name: 'Skriv under som' }).getByLabel(name, { exact: false }).check();
  await next(page, 'Godkänn i den simulerade BankID-appen');
}

/** Barnomsorg from its first page to "Kontrollera dina svar": Erik and Anna as guardians. */
async function fillBarnomsorg(page) {
  await page.getByLabel('Förskola (från 1 år till och med 5 år)').check();
  await next(page);
  await fill(page, 'Barnets förnamn', 'Elsa');
  await fill(page, 'Barnets efternamn', 'Eriksson');
  await fill(page, 'Barnets personnummer', '20220315-9849');
  await fill(page, 'Gatuadress', 'Strandvägen 12');
  await fill(page, 'Postnummer', '473 31');
  await fill(page, 'Postort', 'Henån');
  await option(page, 'Behöver barnet särskilt stöd?', 'Nej').check();
  await next(page);
  assert.equal(path(page), '/orust/barnomsorg/forsta_vardnadshavaren');
  await fill(page, 'Förnamn', 'Erik');
  await fill(page, 'Efternamn', 'Eriksson');
  await fill(page, 'Personnummer', '19900101-2385');
  await option(page, 'Bor vårdnadshavaren på samma adress som barnet?', 'Ja').check();
  await fill(page, 'E-postadress', 'erik@example.se');
  await option(page, 'Finns det en andra vårdnadshavare?', 'Ja').check();
  await next(page);
  assert.equal(path(page), '/orust/barnomsorg/andra_vardnadshavaren');
  await fill(page, 'Förnamn', 'Anna');
  await fill(page, 'Efternamn', 'Andersson');
  await fill(page, 'Personnummer', '19811228-9874');
  await option(page, 'Bor vårdnadshavaren på samma adress som barnet?', 'Ja').check();
  await fill(page, 'E-postadress', 'anna@example.se');
  await next(page);
  assert.equal(path(page), '/orust/barnomsorg/placering');
  const start = new Date(Date.now() + 200 * 86_400_000);
  const date = page.getByRole('group', { name: 'Från vilket datum behöver barnet plats?' });
  await date.getByLabel('Dag').fill(String(start.getDate()));
  await date.getByLabel('Månad').fill(String(start.getMonth() + 1));
  await date.getByLabel('År').fill(String(start.getFullYear()));
  await option(page, 'Vilken förskola önskar du i första hand?', 'Solrosens förskola').check();
  await next(page);
  assert.equal(path(page), '/orust/barnomsorg/tider');
  const row = page.getByRole('group', { name: 'Rad 1', exact: true });
  await row.getByRole('group', { name: 'Veckodag' }).getByLabel('Måndag', { exact: true }).check();
  await row.getByLabel('Lämning, klockan').fill('07:30');
  await row.getByLabel('Hämtning, klockan').fill('16:00');
  await row.getByLabel('Antal timmar').fill('8,5');
  await next(page);
  assert.equal(path(page), '/orust/barnomsorg/avgift');
  await page.getByLabel('Jag lämnar uppgift om hushållets inkomst').check();
  await fill(page, 'Hushållets inkomst före skatt, kronor per månad', '52000');
  await page.getByLabel('Jag meddelar kommunen om hushållets inkomst ändras.').check();
  await next(page);
  assert.equal(path(page), '/orust/barnomsorg/avslutning');
  await page.getByLabel('Jag har läst informationen om hur kommunen behandlar mina personuppgifter.').check();
  await next(page);
}

test('OIDC log-in through oidc-provider, barnomsorg with two guardians, both sign with BankID', { timeout: 240_000 }, async () => {
  const erik = await launch(true);
  const anna = await launch(true);
  try {
    const page = await erik.newPage();
    await page.goto(`${base}/orust/barnomsorg/`);
    await next(page, 'Starta');
    await logInThroughProvider(page, '199001012385', 'Erik Eriksson');
    assert.equal(path(page), '/orust/barnomsorg/omsorg');

    await fillBarnomsorg(page);
    assert.equal(path(page), '/orust/barnomsorg/kontrollera');
    await next(page, 'Signera och skicka in');

    await signWithSimulator(page, 'Erik Eriksson');
    assert.match(path(page), /^\/orust\/barnomsorg\/kvitto\//);
    await audit(page, 'kvitto: väntar på underskrift', counts);
    const signatures = page.locator('.bk-signatures');
    assert.match(await signatures.textContent(), /Underskriven av Erik Eriksson/);
    assert.match(await signatures.textContent(), /Väntar på underskrift/);
    const invite = await signatures.getByRole('link', { name: 'länk för att skriva under' }).getAttribute('href');
    assert.match(invite, /^\/underskrift\/[0-9a-f]{64}$/);
    const receipt = page.url();
    await page.goto(`${base}/mina-sidor`);
    assert.match(await page.locator('.bk-card').first().textContent(), /Väntar på underskrift/);

    // Anna opens her invitation, logs in through the provider, reads the answers and signs.
    const p2 = await anna.newPage();
    await p2.goto(`${base}${invite}`);
    await logInThroughProvider(p2, '198112289874', 'Anna Andersson');
    assert.equal(path(p2), invite);
    await audit(p2, 'underskrift: vårdnadshavare 2', counts);
    assert.ok((await p2.locator('main').textContent()).includes('Elsa'), 'Anna sees the answers');
    // Not yet complete: Erik's submission still waits.
    await page.goto(`${base}/mina-sidor`);
    assert.match(await page.locator('.bk-card').first().textContent(), /Väntar på underskrift/);
    await next(p2, 'Skriv under med BankID');
    await signWithSimulator(p2, 'Anna Andersson');
    assert.equal(path(p2), invite);
    assert.match(await p2.locator('main').textContent(), /Du har skrivit under ansökan/);

    // Now, and only now, it is received.
    await page.goto(`${base}/mina-sidor`);
    const card = page.locator('.bk-card').first();
    assert.match(await card.textContent(), /Mottagen/);
    assert.match(await card.textContent(), /Erik Eriksson/);
    assert.match(await card.textContent(), /Anna Andersson/);
    await page.goto(receipt);
    assert.equal(await page.locator('.bk-signatures li').count(), 2);
    assert.equal(counts.violations, 0, 'no axe violations on the e-ID pages');
  } finally {
    await erik.close();
    await anna.close();
  }
});

/** oidc-provider in its signing mode and the runtime signing through it, both stopped after. */
async function signingStack() {
  const port = await freePort();
  const at = { issuer: `http://127.0.0.1:${port}`, base: `http://127.0.0.1:${await freePort()}` };
  const dir = mkdtempSync(join(tmpdir(), 'bk-eid-sign-'));
  const key = join(repo, 'runtime', 'tests', 'fixtures', 'oidc-request-key.pem');
  const procs = [];
  let log = '';
  const stop = async () => {
    for (const p of procs) {
      if (p.exitCode === null) {
        p.kill('SIGTERM');
        await new Promise((ok) => p.once('exit', ok));
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const op = spawn('node', [join(here, 'oidc-provider.mjs')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, OIDC_PORT: String(port), OIDC_REDIRECT: `${at.base}/auth/oidc/callback`, OIDC_SIGN_KEY: key },
  });
  procs.push(op);
  op.stderr.on('data', (d) => { log += d; });
  try {
    await waitFor(`${at.issuer}/.well-known/openid-configuration`, 'oidc-provider (signing)', op);
    const config = join(dir, 'blankett.toml');
    writeFileSync(config, [
      'signing = "oidc"',
      '[oidc]',
      `issuer = "${at.issuer}"`,
      'client_id = "blankett-test"',
      'client_secret = "test-secret"',
      `redirect_url = "${at.base}/auth/oidc/callback"`,
      'name = "Test-IdP"',
      `request_key = "${key}"`,
      '',
    ].join('\n'));
    const server = spawn(join(target, 'debug', 'blankett'),
      ['serve', 'examples/orust', '--dev', '--config', config, '--data', join(dir, 'data'), '--listen', at.base.slice(7)],
      { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    procs.push(server);
    server.stderr.on('data', (d) => { log += d; });
    await waitFor(`${at.base}/healthz`, 'the server', server);
  } catch (e) {
    await stop();
    throw new Error(`${e.message}\n${log}`);
  }
  return { at, stop };
}

/** "Skriv under" at the runtime → our page → the provider: log in again as `pnr`, read the
 *  sign message, sign → back at the runtime. */
async function signAtProvider(page, pnr, at, what) {
  assert.match(path(page), /^\/auth\/oidc\/underskrift\//);
  await audit(page, `OIDC: skriv under (${what})`, counts);
  await page.getByRole('link', { name: 'Fortsätt till Test-IdP', exact: true }).click();
  await page.waitForLoadState('load');
  assert.ok(page.url().startsWith(at.issuer), `at the provider: ${page.url()}`);
  await page.locator('input[name=login]').fill(pnr);
  await page.locator('input[name=password]').fill('x');
  await page.locator('button[type=submit]').first().click();
  await page.waitForLoadState('load');
  assert.match(await page.locator('pre').textContent(), /Ansökan om plats i förskola|Barnets förnamn: Elsa/);
  await page.getByRole('button', { name: 'Skriv under', exact: true }).click();
  await page.waitForLoadState('load');
  assert.ok(page.url().startsWith(at.base), `back at the runtime: ${page.url()}`);
}

test('a kommun without BankID: both guardians sign at the OIDC provider (Signature Extension)', { timeout: 240_000 }, async () => {
  const { at, stop } = await signingStack();
  const erik = await launch(true);
  const anna = await launch(true);
  try {
    const page = await erik.newPage();
    await page.goto(`${at.base}/orust/barnomsorg/`);
    await next(page, 'Starta');
    await logInThroughProvider(page, '199001012385', 'Erik Eriksson', at);
    await fillBarnomsorg(page);
    assert.equal(path(page), '/orust/barnomsorg/kontrollera');
    await next(page, 'Signera och skicka in');
    await signAtProvider(page, '199001012385', at, 'den sökande');
    assert.match(path(page), /^\/orust\/barnomsorg\/kvitto\//);
    const signatures = page.locator('.bk-signatures');
    assert.match(await signatures.textContent(), /Underskriven av Erik Eriksson/);
    assert.match(await signatures.textContent(), /Väntar på underskrift/);
    const invite = await signatures.getByRole('link', { name: 'länk för att skriva under' }).getAttribute('href');

    const p2 = await anna.newPage();
    await p2.goto(`${at.base}${invite}`);
    await logInThroughProvider(p2, '198112289874', 'Anna Andersson', at);
    assert.equal(path(p2), invite);
    await next(p2, 'Skriv under med Test-IdP');
    await signAtProvider(p2, '198112289874', at, 'vårdnadshavare 2');
    assert.equal(path(p2), invite);
    assert.match(await p2.locator('main').textContent(), /Du har skrivit under ansökan/);

    await page.goto(`${at.base}/mina-sidor`);
    const card = page.locator('.bk-card').first();
    assert.match(await card.textContent(), /Mottagen/);
    assert.match(await card.textContent(), /Anna Andersson/);
    assert.equal(counts.violations, 0, 'no axe violations on the e-ID pages');
  } finally {
    await erik.close();
    await anna.close();
    await stop();
  }
});

test('OIDC log-in: serveringstillstånd shows the applicant prefilled from the e-ID and locked', { timeout: 120_000 }, async () => {
  const browser = await launch(true);
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/orust/serveringstillstand/`);
    await next(page, 'Starta');
    await logInThroughProvider(page, '198112289874', 'Anna Andersson');
    // Anna is 44: past the age gate's stop page, at the applicant page.
    assert.equal(path(page), '/orust/serveringstillstand/sokande');
    await audit(page, 'serveringstillstånd: den sökande från e-legitimationen', counts);
    const locked = page.locator('.bk-locked');
    assert.equal(await locked.count(), 3);
    const shown = await locked.allTextContents();
    assert.match(shown[0], /Förnamn\s+Anna/);
    assert.match(shown[1], /Efternamn\s+Andersson/);
    assert.match(shown[2], /Personnummer\s+19811228-9874/);
    for (const name of ['sokande_fornamn', 'sokande_efternamn', 'sokande_personnummer']) {
      assert.equal(await page.locator(`[name="${name}"]`).count(), 0, `${name} is not an input`);
    }
    await option(page, 'Ska ni bara servera folköl?', 'Nej').check();
    await next(page);
    assert.equal(path(page), '/orust/serveringstillstand/tillstandet');
  } finally {
    await browser.close();
  }
});
