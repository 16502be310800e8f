// The embed flow in a real browser: Debian's Chromium, driven by playwright-core, through the sample
// page. It signs in and waits for the SDK's CONTENT_LOADED (FRAME_LOADED fires even for a frame the
// browser blocked), opens the same URL again and waits for ERROR_OCCURRED "Forbidden", and signs in
// from an origin the function URL's CORS settings do not list, which the browser refuses.
//
//   node smoke.mjs --page http://localhost:<port> --other http://127.0.0.1:<port>
//
// CHROMIUM names the browser (default /usr/bin/chromium). Exit status 0 when every step passed.

import { chromium } from 'playwright-core';

function option(name) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`--${name} is required`);
  return process.argv[i + 1];
}

const pageUrl = option('page');
const otherUrl = option('other');
const TIMEOUT = 30_000;

// The flags a root process on this closed network needs (docs/development.md, Browser test).
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const results = [];
let failed = false;

async function step(name, work) {
  const started = Date.now();
  try {
    const detail = await work();
    results.push({ step: name, ok: true, ms: Date.now() - started, detail });
  } catch (error) {
    failed = true;
    results.push({ step: name, ok: false, ms: Date.now() - started, error: String(error.message || error) });
  }
}

try {
  // quicksight-local's certificate is its own CA's: trusted for this context only.
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const texts = async (selector) => page.locator(selector).allInnerTexts();

  await step('sign in, and the dashboard loads (CONTENT_LOADED)', async () => {
    await page.goto(pageUrl);
    await page.click('#sign-in');
    await page.waitForSelector('#events [data-event="CONTENT_LOADED"]', { timeout: TIMEOUT });
    const placeholder = await page
      .frameLocator('#dashboard iframe')
      .locator('#quicksight-local-experience')
      .innerText({ timeout: TIMEOUT });
    if (!placeholder.includes('Dashboard sales')) throw new Error(`the frame shows: ${placeholder}`);
    return { events: await texts('#events li'), frame: placeholder.split('\n')[0] };
  });

  await step('the same URL again is Forbidden (ERROR_OCCURRED)', async () => {
    await page.click('#reload');
    await page.waitForSelector('#events [data-event="ERROR_OCCURRED"][data-error-code="Forbidden"]', {
      timeout: TIMEOUT,
    });
    const shown = await page.locator('#error').innerText();
    if (!shown.includes('Forbidden')) throw new Error(`the page says: ${shown}`);
    return { error: shown };
  });

  await step('a page outside EMBED_ALLOWED_DOMAINS is refused by CORS', async () => {
    const other = await context.newPage();
    await other.goto(otherUrl);
    await other.click('#sign-in');
    await other.waitForFunction(() => document.getElementById('error').textContent.includes('CORS'), null, {
      timeout: TIMEOUT,
    });
    const embedded = await other.locator('#dashboard iframe').count();
    if (embedded > 0) throw new Error('a frame was embedded anyway');
    return { error: await other.locator('#error').innerText() };
  });
} finally {
  await browser.close();
}

console.log(JSON.stringify({ ok: !failed, results }, null, 2));
process.exit(failed ? 1 : 0);
