// End-to-end test of hitta's search page (src/http/index.html) in headless Chromium.
//
//   node tests/browser/e2e.mjs <base-url> <screenshot.png>
//
// Run by tests/browser.rs against a real `hitta serve` over the seeds in import/ and the
// fixture in tests/browser/fixtures/. Every expectation is checked against the JSON API of
// the same server, so the test follows ranking changes instead of hard-coding them.
// Uses the system Chromium (CHROMIUM, default /usr/bin/chromium) through playwright-core:
// nothing is downloaded. Exits 0 when every step passes, 1 (with the reason) otherwise.

import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, shotPath] = process.argv.slice(2);
if (!base || !shotPath) {
  console.error('usage: node e2e.mjs <base-url> <screenshot.png>');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_TIMEOUT = 15_000;

// ---------- small test kit ----------
let current = '';
function step(name) {
  current = name;
  console.log('• ' + name);
}
function check(cond, what) {
  if (!cond) throw new Error(`[${current}] ${what}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Poll `f` until it returns a truthy value; fail with `what` (and the last value) after a while. */
async function until(what, f, timeout = STEP_TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await f();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > end) throw new Error(`[${current}] timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(50);
  }
}
async function api(path) {
  const r = await fetch(base + path);
  return { status: r.status, body: await r.json() };
}
async function searchApi(q, limit = 10, offset = 0) {
  const { status, body } = await api(`/search?q=${encodeURIComponent(q)}&limit=${limit}&offset=${offset}&facets=true`);
  check(status === 200, `API search ${q}: ${status} ${JSON.stringify(body)}`);
  return body;
}
const lower = (s) => s.toLocaleLowerCase('sv');

// ---------- what the page shows ----------
/** The total in the live status line ("3 träffar (0,4 ms)"), or null. */
async function shownTotal(page) {
  const t = (await page.locator('#status').textContent()) || '';
  if (/Inga träffar/.test(t)) return 0;
  const m = t.match(/(\d[\d\s\u00a0\u202f]*)\s*träff/);
  return m ? parseInt(m[1].replace(/\D/g, ''), 10) : null;
}
const shownIds = (page) => page.$$eval('#hits li.hit[data-id]', (els) => els.map((e) => e.dataset.id));
/** Wait until the page shows exactly the API's answer for `q` (count and hit order). */
async function waitForAnswer(page, q, limit = 10, offset = 0) {
  const want = await searchApi(q, limit, offset);
  const ids = want.hits.map((h) => h.id);
  let seen;
  await until(`results for ${JSON.stringify(q)} (${want.total} hits: ${ids.join(', ')})`, async () => {
    const total = await shownTotal(page);
    const got = await shownIds(page);
    seen = { total, got };
    return total === want.total && JSON.stringify(got) === JSON.stringify(ids);
  }).catch((e) => { throw new Error(e.message + ' — the page shows ' + JSON.stringify(seen)); });
  return want;
}
async function typeQuery(page, q) {
  const box = page.getByRole('searchbox', { name: 'Sök' });
  await box.fill(q);
  return box;
}

// ---------- run ----------
const profile = mkdtempSync(join(tmpdir(), 'hitta-e2e-'));
let ctx, page;
const problems = [];
let failed = false;
try {
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    locale: 'sv-SE',
    timezoneId: 'Europe/Stockholm',
    colorScheme: 'light',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  ctx.setDefaultTimeout(STEP_TIMEOUT);
  page = ctx.pages()[0] || (await ctx.newPage());
  page.on('pageerror', (e) => problems.push('JS error: ' + e.message));
  page.on('console', (m) => {
    // A 4xx answer is logged by Chromium as "Failed to load resource"; the page handles those.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push('console error: ' + m.text());
  });
  if (process.env.E2E_DEBUG) {
    page.on('request', (r) => console.log('  > ' + decodeURIComponent(r.url()).slice(0, 120)));
    page.on('response', (r) => console.log('  < ' + r.status() + ' ' + decodeURIComponent(r.url()).slice(0, 120)));
  }
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) problems.push('external request: ' + r.url());
  });

  step('the page loads with a labelled search box and an introduction');
  await page.goto(base + '/');
  check((await page.title()).includes('hitta'), 'title names hitta');
  const box = page.getByRole('searchbox', { name: 'Sök' });
  await box.waitFor();
  check(await box.evaluate((e) => e === document.activeElement), 'the search box has focus on load');
  await page.locator('#intro').waitFor();
  const stats = (await api('/stats')).body;
  await until('the footer with the document count', async () =>
    ((await page.locator('footer').textContent()) || '').includes(`${stats.documents} sidor`));
  check(await page.locator('#status[aria-live="polite"]').count() === 1, 'the result count is in an aria-live region');

  step('typing "skolfrånvaro" shows results as you type; a late answer for "skol" is ignored');
  const searches = [];
  await page.route('**/search?*', async (route) => {
    const q = new URL(route.request().url()).searchParams.get('q');
    searches.push(q);
    if (q === 'skol') await sleep(1200); // answers after the one for the whole word
    try { await route.continue(); } catch (_) { /* the page aborted it: fine */ }
  });
  await box.click();
  await box.pressSequentially('skol', { delay: 30 });
  await until('the request for "skol"', () => searches.includes('skol'));
  await box.pressSequentially('frånvaro', { delay: 30 });
  const skolfr = await waitForAnswer(page, 'skolfrånvaro');
  check(skolfr.total > 0, 'the API finds skolfrånvaro');
  await sleep(1500); // the delayed "skol" answer has arrived (or was aborted) by now
  await waitForAnswer(page, 'skolfrånvaro');
  // 12 keystrokes; without the debounce there would be a search for each.
  check(searches.length < 12, `typing is debounced (${searches.length} searches: ${searches.join(' | ')})`);
  await page.unroute('**/search?*');
  check(decodeURIComponent(new URL(page.url()).hash).includes('q=skolfrånvaro'), 'the query is in the URL hash');

  step('the first hit has the right title and a <mark> reading skolfrånvaro');
  const first = page.locator('#hits li.hit').first();
  const firstTitle = (await first.locator('h3').textContent()).trim();
  check(firstTitle === skolfr.hits[0].title, `first title ${JSON.stringify(firstTitle)} = ${JSON.stringify(skolfr.hits[0].title)}`);
  const marks = await first.locator('mark').allTextContents();
  check(marks.some((m) => lower(m) === 'skolfrånvaro'), `a mark reads skolfrånvaro: ${JSON.stringify(marks)}`);

  step('the language facet "sv" filters (keeps the count) and its chip removes it again');
  const svCount = skolfr.facets.language.find((f) => f.value === 'sv');
  check(svCount, 'the API has a language facet sv');
  await page.locator('button.facet[data-facet="language"][data-value="sv"]').click();
  await page.locator('#chips .chip[data-filter="lang:sv"]').waitFor();
  const withSv = await waitForAnswer(page, 'skolfrånvaro lang:sv');
  check(withSv.total === svCount.count && withSv.total === skolfr.total, `sv keeps the count (${withSv.total})`);
  check(await page.locator('button.facet[data-facet="language"][data-value="sv"]').getAttribute('aria-pressed') === 'true',
    'the chosen facet is shown as pressed');
  await page.locator('#chips .chip[data-filter="lang:sv"]').click();
  await until('the chip to go', async () => (await page.locator('#chips .chip').count()) === 0);
  await waitForAnswer(page, 'skolfrånvaro');

  step('a year facet narrows "projektet", a site facet too, and both chips can be removed');
  await typeQuery(page, 'projektet');
  const proj = await waitForAnswer(page, 'projektet');
  check(proj.facets.year.length > 0, 'projektet has year facets');
  const year = proj.facets.year[0];
  await page.locator(`button.facet[data-facet="year"][data-value="${year.value}"]`).click();
  const inYear = await waitForAnswer(page, `projektet published:${year.value}`);
  check(inYear.total === year.count && inYear.total < proj.total, `year ${year.value} narrows ${proj.total} → ${inYear.total}`);
  check(inYear.hits.every((h) => (h.published || '').startsWith(year.value)), 'the hits are from that year');
  const chipText = await page.locator(`#chips .chip[data-filter="published:${year.value}"]`).textContent();
  check(chipText.includes(year.value), `the chip names the year: ${chipText}`);
  const sites = (await searchApi(`projektet published:${year.value}`)).facets.site;
  const site = sites[0];
  await page.locator(`button.facet[data-facet="site"][data-value="${site.value}"]`).click();
  await waitForAnswer(page, `projektet published:${year.value} site:${site.value}`);
  check(await page.locator('#chips .chip').count() === 2, 'two chips');
  await page.reload();
  await waitForAnswer(page, `projektet published:${year.value} site:${site.value}`);
  check(await page.locator('#chips .chip').count() === 2, 'filters survive a reload');
  await page.locator(`#chips .chip[data-filter="published:${year.value}"]`).click();
  await waitForAnswer(page, `projektet site:${site.value}`);
  await page.goBack();
  await waitForAnswer(page, `projektet published:${year.value} site:${site.value}`);
  await page.getByRole('button', { name: 'Ta bort alla' }).click();
  await waitForAnswer(page, 'projektet');

  step('pagination: "kommun" two at a time with Föregående / Nästa');
  await page.goto(base + '/#q=kommun&limit=2');
  const kommun = await waitForAnswer(page, 'kommun', 2, 0);
  check(kommun.total > 2, `kommun has more than one page (${kommun.total})`);
  const range = () => page.locator('#range').textContent();
  const prev = page.getByRole('button', { name: /Föregående/ });
  const next = page.getByRole('button', { name: /Nästa/ });
  check(await range() === `1–2 av ${kommun.total}`, `range on page 1: ${await range()}`);
  check(await prev.isDisabled(), 'Föregående is disabled on page 1');
  await next.click();
  await waitForAnswer(page, 'kommun', 2, 2);
  const to2 = Math.min(4, kommun.total);
  check(await range() === `3–${to2} av ${kommun.total}`.replace(`3–3 `, '3 '), `range on page 2: ${await range()}`);
  check(new URL(page.url()).hash.includes('offset=2'), 'the offset is in the URL');
  await page.reload();
  await waitForAnswer(page, 'kommun', 2, 2);
  await prev.click();
  await waitForAnswer(page, 'kommun', 2, 0);
  await page.goBack();
  await waitForAnswer(page, 'kommun', 2, 2);
  let offset = 2;
  while (!(await next.isDisabled())) {
    await next.click();
    offset += 2;
    await waitForAnswer(page, 'kommun', 2, offset);
  }
  check(offset + 2 >= kommun.total, `Nästa is disabled only on the last page (offset ${offset})`);

  step('opening a hit shows title, metadata and the text with the matches marked');
  await page.goto(base + '/#q=skolfr%C3%A5nvaro');
  await waitForAnswer(page, 'skolfrånvaro');
  await page.locator('#hits li.hit h3 a').first().click();
  const id = skolfr.hits[0].id;
  const doc = (await api(`/documents/${encodeURIComponent(id)}?q=${encodeURIComponent('skolfrånvaro')}`)).body;
  const checkDoc = async (d, q) => {
    await until('the page view', async () =>
      ((await page.locator('#doc-title').textContent()) || '').trim() === d.title);
    const html = page.locator('#doc-view');
    const facts = await html.locator('dl.facts').textContent();
    check(facts.includes(d.site) && facts.includes(d.path), `site and path are shown: ${facts}`);
    for (const k of ['published', 'updated']) if (d[k]) check(facts.includes(d[k]), `${k} ${d[k]} is shown`);
    const rows = await html.locator('table.meta tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent]));
    const want = Object.entries(d.metadata);
    check(JSON.stringify(rows) === JSON.stringify(want), `metadata table ${JSON.stringify(rows)} = ${JSON.stringify(want)}`);
    const text = await html.locator('#doc-text').textContent();
    check(text === d.text, 'the whole cleaned text is shown, as text');
    const m = await html.locator('#doc-text mark').allTextContents();
    check(m.length === d.highlights.length && m.length > 0, `${d.highlights.length} marks in the text (got ${m.length})`);
    return m;
  };
  const docMarks = await checkDoc(doc);
  check(docMarks.some((m) => lower(m) === 'skolfrånvaro'), `a mark in the text reads skolfrånvaro: ${docMarks}`);
  check(new URL(page.url()).hash.includes('doc='), 'the open page is in the URL');
  await page.reload();
  await checkDoc(doc);
  await page.getByRole('link', { name: /Tillbaka till träffarna/ }).click();
  await waitForAnswer(page, 'skolfrånvaro');
  check(await box.inputValue() === 'skolfrånvaro', 'the box keeps the query after going back');
  await page.goBack();
  await checkDoc(doc);
  await page.goBack();
  await waitForAnswer(page, 'skolfrånvaro');

  step('keyboard: Enter in the box opens the first hit; Tab reaches the hits');
  await box.focus();
  await box.press('Enter');
  await checkDoc(doc);
  await page.goBack();
  await waitForAnswer(page, 'skolfrånvaro');
  await box.focus();
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.matches('#hits li.hit h3 a'));
  }
  check(reached, 'Tab from the box reaches the first hit');
  await page.keyboard.press('Enter');
  await checkDoc(doc);

  step('ids with "/", spaces and å/ä/ö open, and server text is shown as text, never as HTML');
  await typeQuery(page, 'fjällräv');
  const fj = await waitForAnswer(page, 'fjällräv');
  const fjHit = fj.hits.find((h) => h.id.includes('/'));
  check(fjHit, 'the fixture page is found');
  const link = page.locator(`#hits li.hit[data-id="${fjHit.id}"] h3 a`);
  check((await link.textContent()) === fjHit.title, `title shown as text: ${await link.textContent()}`);
  check(await page.locator('#hits h3 i, #hits h3 b, #doc-view b').count() === 0, 'no markup from the server is parsed');
  await link.click();
  const fjDoc = (await api(`/documents/${encodeURIComponent(fjHit.id)}?q=${encodeURIComponent('fjällräv')}`)).body;
  check(fjDoc.id === fjHit.id, 'the API opens the fixture page');
  await checkDoc(fjDoc);
  check(await page.locator('#doc-view i, #doc-view b').count() === 0, 'no markup from the page text is parsed');
  check((await page.locator('#doc-text').textContent()).includes('<b>art</b>'), 'tags in the text show literally');

  step('errors from the server are shown: a query over 1000 bytes, a missing page');
  const long = 'a'.repeat(1001);
  const bad = await api(`/search?q=${long}`);
  check(bad.status === 400 && bad.body.error, 'the API refuses 1001 bytes');
  await typeQuery(page, long);
  const alert = page.locator('#error[role="alert"]');
  await alert.waitFor({ state: 'visible' });
  const alertText = await alert.textContent();
  check(alertText.includes(bad.body.error.message), `the server's message is shown: ${alertText}`);
  check(alertText.includes('för lång'), `a Swedish explanation is shown: ${alertText}`);
  check(await page.locator('#hits li').count() === 0, 'no stale hits under the error');
  await typeQuery(page, 'skolfrånvaro');
  await waitForAnswer(page, 'skolfrånvaro');
  check(await alert.isHidden(), 'the error goes away with a good query');
  await page.goto(base + '/#doc=finns-inte.txt');
  await until('the 404 message', async () =>
    ((await page.locator('#doc-view [role="alert"]').textContent().catch(() => '')) || '').includes('document_not_found'));

  step('a query with no hits says so');
  const none = await searchApi('och');
  await typeQuery(page, 'och');
  await waitForAnswer(page, 'och');
  if (none.total === 0) check((await page.locator('#status').textContent()).includes('Inga träffar'), 'zero hits are announced');

  step('screenshot of the results page');
  await page.goto(base + '/#q=skolfr%C3%A5nvaro');
  await waitForAnswer(page, 'skolfrånvaro');
  await box.blur();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: shotPath });
  console.log(`  saved ${shotPath} (${statSync(shotPath).size} bytes)`);

  check(problems.length === 0, 'no JS errors or external requests:\n  ' + problems.join('\n  '));
  console.log('all browser checks passed');
} catch (e) {
  failed = true;
  console.error('FAILED: ' + (e && e.stack || e));
  if (problems.length) console.error('page problems:\n  ' + problems.join('\n  '));
  if (page) {
    const failShot = shotPath.replace(/(\.png)?$/, '-failure.png');
    await page.screenshot({ path: failShot, fullPage: true }).then(() => console.error('page at the failure: ' + failShot), () => {});
    console.error('URL at the failure: ' + page.url());
  }
} finally {
  if (ctx) await ctx.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
