// The runtime in Debian's Chromium, used like a person uses it: `blankett serve examples/orust
// --dev` on a free port with a fresh data folder, then whole journeys with JavaScript on and
// off (clicks on labels, typing, the dev e-ID login, an error fixed, a change link, the
// receipt, Mina sidor), an upload, and the runtime's own pages. Every page visited is audited
// with axe (WCAG 2.1 A and AA) and the DOM checks of lib.mjs; the no-JS rendering through the
// replay of lib.mjs. Every HTML response is kept for the Nu HTML Checker at the end.
//
// Run with tests/browser/run.sh. When blankett.js is still empty the checks of what it does
// (conditional questions hidden, computed values) are skipped, and the test says so.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { audit, auditReplay, freePort, launch, repo, tally, vnu } from './lib.mjs';

const target = process.env.CARGO_TARGET_DIR || join(repo, 'target');
const shots = join(repo, 'target', 'screenshots');
const work = mkdtempSync(join(tmpdir(), 'bk-runtime-'));
const ADMIN_TOKEN = 'browser-test-token';
const PHONE = { width: 390, height: 844 };
const counts = tally();
const notes = new Set();
const saved = new Map(); // a page's name → its HTML as the server sent it, for vnu

let server, base, auditor, serverLog = '';

before(async () => {
  execFileSync('cargo', ['build', '--quiet', '--bin', 'blankett'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const listen = `127.0.0.1:${await freePort()}`;
  base = `http://${listen}`;
  server = spawn(join(target, 'debug', 'blankett'),
    ['serve', 'examples/orust', '--dev', '--data', join(work, 'data'), '--listen', listen],
    { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, BLANKETT_ADMIN_TOKEN: ADMIN_TOKEN } });
  server.stderr.on('data', (d) => { serverLog += d; });
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    assert.ok(i < 300 && server.exitCode === null, `the server did not start:\n${serverLog}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  auditor = await launch(true);
});

after(async () => {
  await auditor?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((ok) => server.once('exit', ok));
  }
  rmSync(work, { recursive: true, force: true });
  console.log(`axe: ${counts.audits} audits of ${counts.pages.size} page states, ${counts.violations} violations`);
  for (const n of notes) console.log(`note: ${n}`);
});

/** A person at a browser: JavaScript on or off, their own cookies. */
class Visit {
  static async open(js) {
    const v = new Visit();
    v.js = js;
    v.context = await launch(js);
    v.page = await v.context.newPage();
    v.page.on('response', (r) => {
      if (r.request().isNavigationRequest() && r.frame() === v.page.mainFrame() && (r.status() < 300 || r.status() >= 400)) v.doc = r;
    });
    return v;
  }

  get path() { return new URL(this.page.url()).pathname; }

  /** Audits the page as it is now and keeps the server's HTML of it for vnu. */
  async check(name) {
    const what = `${name} (${this.js ? 'med' : 'utan'} JavaScript)`;
    const html = await this.doc?.text().catch(() => null);
    if (html && !saved.has(name)) saved.set(name, html);
    if (this.js) await audit(this.page, what, counts);
    else await auditReplay(auditor, this.page.url(), await this.page.content(), what, counts);
  }

  /** Whether blankett.js runs on this page (it is empty until the client logic lands). */
  async scripted() {
    const yes = this.js && await this.page.evaluate(() => typeof window.blankett === 'object');
    if (this.js && !yes) notes.add('blankett.js is not there yet: the checks of what it shows and hides were skipped');
    return yes;
  }

  /** A radio or checkbox inside the fieldset whose legend is `group`. */
  option(group, label) {
    return this.page.getByRole('group', { name: group, exact: true }).getByLabel(label, { exact: true });
  }

  async next(button = 'Fortsätt') {
    await this.page.getByRole('button', { name: button, exact: true }).click();
    await this.page.waitForLoadState('load');
  }

  async screenshot(file) {
    await this.page.setViewportSize(PHONE);
    mkdirSync(shots, { recursive: true });
    await this.page.screenshot({ path: join(shots, file) });
    await this.page.screenshot({ path: join(shots, file.replace('.png', '-full.png')), fullPage: true });
    await this.page.setViewportSize({ width: 320, height: 640 });
    console.log(`screenshot: ${relative(repo, join(shots, file))}`);
  }

  async close() { await this.context.close(); }
}

/** The error summary: "Fel: " in the title, focus on the summary, one link per problem, each
 *  moving focus to its field. Returns the messages. */
async function errorSummary(v, expected) {
  const { page } = v;
  assert.match(await page.title(), /^Fel: /);
  const summary = page.locator('.bk-error-summary');
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('bk-error-summary')), true,
    'the error summary has the focus when the page opens');
  const links = await summary.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
  const items = await summary.locator('li').count();
  assert.equal(links.length, items, 'every problem links to its field');
  assert.equal(await summary.locator('h2').textContent(), items === 1 ? 'Det finns 1 fel i formuläret' : `Det finns ${items} fel i formuläret`);
  for (const m of expected) assert.ok(links.some((l) => l.text === m), `the summary says "${m}": ${JSON.stringify(links)}`);
  for (const { href, text } of links) {
    await summary.getByRole('link', { name: text, exact: true }).first().click();
    const id = decodeURIComponent(href.slice(1));
    const focused = await page.evaluate(() => document.activeElement?.id);
    assert.equal(focused, id, `"${text}" moves focus to #${id}`);
    // Its field shows the same message, and a screen reader hears it with the field.
    const described = await page.evaluate((el) => {
      const ids = (el.closest('fieldset[aria-describedby]') ?? el).getAttribute('aria-describedby') ?? '';
      return ids.split(/\s+/).map((i) => document.getElementById(i)?.textContent ?? '').join(' ');
    }, await page.locator(`[id="${id}"]`).elementHandle());
    // The summary may name where the question sits ("Barnets folkbokföringsadress: …"); the
    // field itself, inside that group, says the message.
    const cut = text.lastIndexOf(': ');
    const message = cut < 0 ? text : text.slice(cut + 2);
    assert.ok(described.includes(message), `#${id} is described by "${message}" (got "${described}")`);
  }
  return links.map((l) => l.text);
}

function fill(v, label, value) {
  return v.page.getByLabel(label, { exact: true }).fill(value);
}

async function fillPerson(v, { fornamn, efternamn, pnr }) {
  await fill(v, 'Förnamn', fornamn);
  await fill(v, 'Efternamn', efternamn);
  await fill(v, 'Personnummer', pnr);
}

async function fillAddress(v, { gata, postnummer, ort }) {
  await fill(v, 'Gatuadress', gata);
  await fill(v, 'Postnummer', postnummer);
  await fill(v, 'Postort', ort);
}

/** Shown and hidden as blankett.js decides, when it runs; without it everything is shown. */
async function expectShown(v, field, shown) {
  if (!(await v.scripted())) return;
  const hidden = await v.page.locator(`[data-field="${field}"]`).first().evaluate((el) => el.closest('[hidden]') !== null);
  assert.equal(!hidden, shown, `${field} is ${shown ? 'shown' : 'hidden'} by blankett.js`);
}

/** A question whose condition looks at an answer given on an earlier page must be shown, by
 *  the server and by blankett.js alike (which then needs the earlier answers too). */
async function expectAsked(v, field) {
  const hidden = await v.page.locator(`[data-field="${field}"]`).first().evaluate((el) => el.closest('[hidden]') !== null);
  assert.equal(hidden, false, `${field} is asked: its condition depends on an earlier page's answer`);
}

const START = new Date(Date.now() + 200 * 86_400_000);

async function barnomsorg(js, person) {
  const v = await Visit.open(js);
  const { page } = v;
  try {
    await page.goto(`${base}/`);
    await v.check('startsidan /');
    await page.getByRole('link', { name: 'Ansökan om plats i förskola eller fritidshem' }).click();
    await v.check('barnomsorg: start');
    await page.getByRole('button', { name: 'Starta' }).click();
    // Identification is required: the dev e-ID first, then back to the first question.
    assert.equal(v.path, '/auth/dev');
    await v.check('inloggning (test-e-legitimation)');
    await page.getByLabel(person, { exact: false }).check();
    await v.next('Logga in');
    assert.equal(v.path, '/orust/barnomsorg/omsorg');
    await v.check('barnomsorg: omsorg');
    await page.getByLabel('Förskola (från 1 år till och med 5 år)').check();
    await v.next();

    // The child's page, sent empty first: every problem listed, each link to its field.
    assert.equal(v.path, '/orust/barnomsorg/barnet');
    await v.check('barnomsorg: barnet');
    await v.next();
    assert.equal(v.path, '/orust/barnomsorg/barnet');
    await v.check('barnomsorg: barnet med fel');
    const problems = await errorSummary(v, ['Fyll i ”Barnets förnamn”.', 'Välj ett svar på ”Behöver barnet särskilt stöd”.']);
    assert.equal(problems.length, 7, `7 questions need an answer: ${problems.join(' | ')}`);
    await fill(v, 'Barnets förnamn', 'Elsa');
    await fill(v, 'Barnets efternamn', 'Andersson');
    await fill(v, 'Barnets personnummer', '20220315-9849');
    await fillAddress(v, { gata: 'Strandvägen 12', postnummer: '473 31', ort: 'Henån' });
    await v.option('Behöver barnet särskilt stöd?', 'Ja').check();
    await expectShown(v, 'sarskilt_stod_beskrivning', true);
    await v.option('Behöver barnet särskilt stöd?', 'Nej').check();
    await expectShown(v, 'sarskilt_stod_beskrivning', false);
    await v.next();

    assert.equal(v.path, '/orust/barnomsorg/forsta_vardnadshavaren');
    await v.check('barnomsorg: vårdnadshavare 1');
    await fillPerson(v, { fornamn: 'Maria', efternamn: 'Andersson', pnr: '19880412-9834' });
    await v.option('Bor vårdnadshavaren på samma adress som barnet?', 'Ja').check();
    await expectShown(v, 'vardnadshavare_1.adress.gatuadress', false);
    await fill(v, 'E-postadress', 'maria.andersson@example.se');
    await fill(v, 'Telefonnummer (valfritt)', '070-174 06 50');
    await v.option('Finns det en andra vårdnadshavare?', 'Ja').check();
    await v.next();

    // The second guardian's page, shown because of the answer above.
    assert.equal(v.path, '/orust/barnomsorg/andra_vardnadshavaren');
    await v.check('barnomsorg: vårdnadshavare 2');
    await expectAsked(v, 'vardnadshavare_2.person.fornamn');
    await fillPerson(v, { fornamn: 'Johan', efternamn: 'Andersson', pnr: '19831102-9899' });
    await v.option('Bor vårdnadshavaren på samma adress som barnet?', 'Nej').check();
    await expectShown(v, 'vardnadshavare_2.adress.gatuadress', true);
    await fillAddress(v, { gata: 'Kvarnvägen 3', postnummer: '474 31', ort: 'Ellös' });
    await fill(v, 'E-postadress', 'johan.andersson@example.se');
    await v.next();

    assert.equal(v.path, '/orust/barnomsorg/placering');
    await v.check('barnomsorg: placering');
    await expectAsked(v, 'onskad_forskola');
    const date = page.getByRole('group', { name: 'Från vilket datum behöver barnet plats?' });
    await date.getByLabel('Dag').fill(String(START.getDate()));
    await date.getByLabel('Månad').fill(String(START.getMonth() + 1));
    await date.getByLabel('År').fill(String(START.getFullYear()));
    await v.option('Vilken förskola önskar du i första hand?', 'Solrosens förskola').check();
    await v.option('Vilken förskola önskar du i andra hand? (valfritt)', 'Ekbackens förskola').check();
    await v.next();

    // Care hours: a repeat; the second row comes from "Lägg till en rad".
    assert.equal(v.path, '/orust/barnomsorg/tider');
    await v.check('barnomsorg: tider');
    for (const [n, dag] of [[1, 'Måndag'], [2, 'Tisdag']]) {
      if (n > 1) {
        await v.next('Lägg till en rad');
        await v.check('barnomsorg: tider, två rader');
      }
      const row = page.getByRole('group', { name: `Rad ${n}`, exact: true });
      await row.getByRole('group', { name: 'Veckodag' }).getByLabel(dag, { exact: true }).check();
      await row.getByLabel('Lämning, klockan').fill('07:30');
      await row.getByLabel('Hämtning, klockan').fill('16:00');
      await row.getByLabel('Antal timmar').fill('8,5');
    }
    if (await v.scripted()) {
      await assert.doesNotReject(page.locator('output[data-computed="timmar_per_vecka"]').filter({ hasText: '17' }).waitFor({ timeout: 2000 }),
        'blankett.js sums the hours');
    }
    await v.next();

    assert.equal(v.path, '/orust/barnomsorg/avgift');
    await v.check('barnomsorg: avgift');
    await page.getByLabel('Jag lämnar uppgift om hushållets inkomst').check();
    await expectShown(v, 'godkanner_hogsta_avgift', false);
    await fill(v, 'Hushållets inkomst före skatt, kronor per månad', '52000');
    await page.getByLabel('Jag meddelar kommunen om hushållets inkomst ändras.').check();
    await v.next();

    assert.equal(v.path, '/orust/barnomsorg/avslutning');
    await v.check('barnomsorg: avslutning');
    await page.getByLabel('Jag har läst informationen om hur kommunen behandlar mina personuppgifter.').check();
    await v.next();

    // Check your answers; change the first-choice preschool and come back.
    assert.equal(v.path, '/orust/barnomsorg/kontrollera');
    await v.check('barnomsorg: kontrollera');
    const main = page.locator('main');
    for (const s of ['Elsa', 'Johan', 'Kvarnvägen 3', 'Solrosens förskola', 'Måndag', 'Tisdag']) {
      assert.ok((await main.textContent()).includes(s), `the check page shows "${s}"`);
    }
    await page.getByRole('link', { name: 'Ändra Vilken förskola önskar du i första hand?' }).click();
    assert.equal(v.path, '/orust/barnomsorg/placering');
    assert.ok(await v.option('Vilken förskola önskar du i första hand?', 'Solrosens förskola').isChecked(), 'the answer is kept');
    await v.check('barnomsorg: placering, ändra');
    await v.option('Vilken förskola önskar du i första hand?', 'Förskolan Hamnen').check();
    await v.next();
    assert.equal(v.path, '/orust/barnomsorg/kontrollera', 'a change leads back to the check page');
    const first = page.locator('.bk-summary-list__row').filter({ hasText: 'Vilken förskola önskar du i första hand?' });
    assert.match(await first.locator('.bk-summary-list__value').textContent(), /Förskolan Hamnen/);

    await v.next('Signera och skicka in');
    // The signature: BankID (in --dev the simulator), approved in its simulated app.
    assert.match(v.path, /^\/auth\/bankid\//);
    await v.check('barnomsorg: BankID');
    await page.getByRole('group', { name: 'Skriv under som' }).getByLabel(person, { exact: false }).check();
    await v.next('Godkänn i den simulerade BankID-appen');
    assert.match(v.path, /^\/orust\/barnomsorg\/kvitto\//);
    await v.check('barnomsorg: kvitto');
    assert.equal(await page.locator('h1').textContent(), 'Tack! Vi har tagit emot det du skickade');
    const reference = (await page.locator('.bk-reference').textContent()).trim();
    assert.match(reference, /^BOMS-\d{4}-\d+$/);
    if (js) await v.screenshot('kvitto-390x844.png');

    // Mina sidor: the submission, waiting for the two guardians named (neither is the applicant).
    await page.goto(`${base}/mina-sidor`);
    await v.check('mina sidor');
    const card = page.locator('.bk-card').filter({ hasText: reference });
    assert.equal(await card.count(), 1, `Mina sidor lists ${reference}`);
    assert.equal(await card.getByRole('heading', { level: 3 }).textContent(), 'Ansökan om plats i förskola eller fritidshem');
    const status = card.locator('.bk-summary-list__row').filter({ hasText: 'Status' });
    assert.equal((await status.locator('dd').textContent()).trim(), 'Väntar på underskrift');
    if (js) await v.screenshot('mina-sidor-390x844.png');
    await card.getByRole('link', { name: reference, exact: true }).click();
    assert.match(v.path, /^\/orust\/barnomsorg\/kvitto\//);
    await page.goto(`${base}/mina-sidor`);
    await v.next('Logga ut');
    assert.equal(v.path, '/');
    assert.equal(await page.getByText('Inloggad som').count(), 0, 'logged out');
  } finally {
    await v.close();
  }
}

test('barnomsorg with JavaScript: login, an error fixed, two guardians, a change, receipt, Mina sidor', { timeout: 180_000 },
  () => barnomsorg(true, 'Anna Andersson'));

test('barnomsorg without JavaScript: the same journey', { timeout: 180_000 },
  () => barnomsorg(false, 'Erik Eriksson'));

/** A small real JPEG, drawn and encoded by Chromium itself. */
async function makeJpeg() {
  const page = await auditor.newPage();
  try {
    const b64 = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 24;
      c.height = 16;
      const g = c.getContext('2d');
      g.fillStyle = '#777777';
      g.fillRect(0, 0, 24, 16);
      g.fillStyle = '#222222';
      g.beginPath();
      g.ellipse(12, 9, 7, 4, 0, 0, 2 * Math.PI);
      g.fill();
      return c.toDataURL('image/jpeg', 0.8).split(',')[1];
    });
    return Buffer.from(b64, 'base64');
  } finally {
    await page.close();
  }
}

async function felanmalan(js) {
  const jpeg = await makeJpeg();
  assert.ok(jpeg[0] === 0xff && jpeg[1] === 0xd8 && jpeg.length < 2000, `a small JPEG (${jpeg.length} bytes)`);
  const photo = join(work, 'hal-i-asfalten.jpg');
  const fake = join(work, 'karta.jpg');
  writeFileSync(photo, jpeg);
  writeFileSync(fake, '<!DOCTYPE html><html><body><p>Det här är ingen bild.</p></body></html>\n');

  const v = await Visit.open(js);
  const { page } = v;
  try {
    await page.goto(`${base}/orust/felanmalan/`);
    await v.check('felanmälan: start');
    await page.getByRole('button', { name: 'Starta' }).click();
    assert.equal(v.path, '/orust/felanmalan/felet');
    await v.check('felanmälan: felet');
    await v.option('Vad gäller felet?', 'Gatubelysning').check();
    await expectShown(v, 'stolpnummer', true);
    await v.option('Vad gäller felet?', 'Gata, gång- eller cykelväg').check();
    await expectShown(v, 'stolpnummer', false);
    await fill(v, 'Beskriv felet', 'Stort hål i asfalten mitt i cykelbanan.');

    // A web page renamed .jpg is refused with a clear message; the other answers are kept.
    await page.getByLabel('Foto av felet (valfritt)').setInputFiles(fake);
    await v.next();
    assert.equal(v.path, '/orust/felanmalan/felet');
    await v.check('felanmälan: felet, fel filtyp');
    const message = 'Filen ”karta.jpg” är inte en av de tillåtna filtyperna (JPEG, PNG, HEIC). Välj en annan fil.';
    await errorSummary(v, [message]);
    assert.ok((await page.locator('.bk-error-message').allTextContents()).includes(`Fel: ${message}`), 'the message is at the field');
    assert.equal(await page.getByLabel('Beskriv felet').inputValue(), 'Stort hål i asfalten mitt i cykelbanan.');
    assert.ok(await v.option('Vad gäller felet?', 'Gata, gång- eller cykelväg').isChecked());

    await page.getByLabel('Foto av felet (valfritt)').setInputFiles(photo);
    await v.next();
    assert.equal(v.path, '/orust/felanmalan/plats');
    await v.check('felanmälan: plats');
    await fill(v, 'Beskriv platsen (valfritt)', 'Strandvägen vid busshållplatsen Henåns centrum');
    await v.next();
    assert.equal(v.path, '/orust/felanmalan/aterkoppling');
    await v.check('felanmälan: återkoppling');
    await v.option('Vill du få återkoppling om vad som händer med din anmälan?', 'Nej').check();
    await v.next();

    assert.equal(v.path, '/orust/felanmalan/kontrollera');
    await v.check('felanmälan: kontrollera');
    const photoRow = page.locator('.bk-summary-list__row').filter({ hasText: 'Foto av felet' });
    assert.match(await photoRow.locator('.bk-summary-list__value').textContent(), /hal-i-asfalten\.jpg/);
    await v.next('Skicka in');
    assert.match(v.path, /^\/orust\/felanmalan\/kvitto\//);
    await v.check('felanmälan: kvitto');
    assert.match(await page.locator('.bk-reference').textContent(), /^OFEL-\d{4}-\d+$/);
    assert.match(await page.locator('main').textContent(), /hal-i-asfalten\.jpg/);
  } finally {
    await v.close();
  }
}

test('felanmälan with a photo, JavaScript on: a wrong file type refused, a JPEG kept', { timeout: 120_000 }, () => felanmalan(true));
test('felanmälan with a photo, JavaScript off', { timeout: 120_000 }, () => felanmalan(false));

test("the runtime's own pages: index, login, Mina sidor, messages, admin, 404", { timeout: 120_000 }, async () => {
  const v = await Visit.open(true);
  const { page } = v;
  const visit = async (path, name, status = 200) => {
    const r = await page.goto(`${base}${path}`);
    assert.equal(r.status(), status, `${path} answers ${status}`);
    await v.check(name);
  };
  try {
    await visit('/?lang=en', 'startsidan / på engelska');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await visit('/?lang=sv', 'startsidan /');
    await visit('/orust/finns-inte/', '404 under en kommun', 404);
    await visit('/finns/inte/alls/mer', '404 utanför alla tjänster', 404);
    assert.equal(await page.locator('h1').textContent(), 'Sidan finns inte');
    await visit('/admin', 'admin utan behörighet', 401);
    await visit(`/admin?token=${ADMIN_TOKEN}`, 'admin');

    // An expired form (a CSRF token that does not match) and a login without a person.
    await visit('/orust/felanmalan/felet', 'felanmälan: felet, utloggad');
    await page.locator('input[name=_csrf]').evaluate((el) => { el.value = 'utgangen'; });
    await v.next();
    assert.equal(await page.locator('h1').textContent(), 'Sidan hade gått ut');
    await v.check('meddelande: sidan hade gått ut');
    await visit('/auth/dev?next=/mina-sidor', 'inloggning (test-e-legitimation)');
    await page.locator('input[name=person]').evaluateAll((els) => els.forEach((el) => { el.checked = false; }));
    await v.next('Logga in');
    assert.equal(await page.locator('h1').textContent(), 'Välj en testperson');
    await v.check('meddelande: välj en testperson');

    // Mina sidor with a draft and the "saved" message, nothing sent yet.
    await visit('/auth/dev?next=/orust/felanmalan/felet', 'inloggning (test-e-legitimation)');
    await page.getByLabel('Maria Larsson', { exact: false }).check();
    await v.next('Logga in');
    assert.equal(v.path, '/orust/felanmalan/felet');
    // Looking at a page stores nothing; saving it starts the draft (issue 21).
    await page.getByRole('button', { name: 'Spara och fortsätt senare' }).click();
    await page.waitForURL('**/mina-sidor?sparad=1');
    await visit('/mina-sidor?sparad=1', 'mina sidor med utkast');
    assert.match(await page.locator('main').textContent(), /Dina svar är sparade/);
    assert.equal(await page.getByRole('link', { name: 'Felanmälan' }).count(), 1, 'the draft is listed');
    assert.match(await page.locator('main').textContent(), /Du har inte skickat in något/);
    await v.screenshot('mina-sidor-utkast-390x844.png');
  } finally {
    await v.close();
  }
});

test('every HTML page the runtime sent is valid (vnu)', { timeout: 300_000 }, () => {
  assert.ok(saved.size > 20, `pages were kept for vnu (${saved.size})`);
  const dir = join(work, 'vnu');
  mkdirSync(dir, { recursive: true });
  const names = new Map();
  [...saved].forEach(([name, html], i) => {
    const file = join(dir, `${String(i).padStart(2, '0')}.html`);
    writeFileSync(file, html);
    names.set(file, name);
  });
  const messages = vnu([...names.keys()]);
  console.log(`vnu: ${names.size} pages, ${messages.length} errors`);
  const shown = messages.slice(0, 30).map((m) => `${names.get(new URL(m.url).pathname)}:${m.lastLine}: ${m.message}`);
  if (shown.length) assert.fail(`${messages.length} errors, the first ones:\n${shown.join('\n')}`);
});
