// Bytes a first visit transfers, as Chromium counts them (headers and bodies, after compression),
// with an empty cache, and the largest contentful paint: for the sign-in page and for every
// signed-in page. Usage: node bench/first-visit.mjs BASE_URL EMAIL PASSWORD
import { createRequire } from 'node:module';

const require = createRequire(new URL('../end2end/package.json', import.meta.url));
const { chromium } = require('@playwright/test');

const [base, email, password] = process.argv.slice(2);
if (!password) throw new Error('usage: node bench/first-visit.mjs BASE_URL EMAIL PASSWORD');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** Visits `path` in a fresh context (no cache) holding `cookies`; returns its requests and LCP. */
async function firstVisit(path, cookies) {
  const context = await browser.newContext();
  await context.addCookies(cookies);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const requests = new Map();
  cdp.on('Network.responseReceived', (e) => {
    requests.set(e.requestId, { url: e.response.url, status: e.response.status,
      encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '-' });
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
  });
  await page.goto(base + path, { waitUntil: 'networkidle' });
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 30000 });
  const lcp = await page.evaluate(() => new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const entries = list.getEntries();
      resolve(entries[entries.length - 1].startTime);
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  }));
  await context.close();
  return { requests: [...requests.values()], lcp };
}

try {
  // Sign in once, as a person would, and keep the session cookie for the signed-in pages.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + '/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/settings\/organization$/);
  // An automation, so its page is measured too.
  const created = await page.evaluate(async () => {
    const response = await fetch('/api/automations/create', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'first-visit' }),
    });
    return response.ok ? response.json() : null;
  });
  const cookies = await context.cookies();
  await context.close();

  const pages = ['/settings/organization', '/settings/members', '/settings/workload-identity',
    '/settings/secret-providers', '/settings/audit-log', '/automations', ...(created ? [`/automations/${created}`] : [])];
  const rows = [];
  for (const [path, jar] of [['/login', []], ...pages.map((p) => [p, cookies])]) {
    const { requests, lcp } = await firstVisit(path, jar);
    const total = requests.reduce((sum, r) => sum + (r.bytes ?? 0), 0);
    rows.push({ path, total, lcp, requests });
  }
  for (const row of rows) {
    console.log(`${row.path}`);
    for (const r of row.requests) {
      console.log(`  ${String(r.bytes ?? 0).padStart(9)}  ${r.status}  ${r.encoding.padEnd(4)}  ${new URL(r.url).pathname}`);
    }
  }
  console.log('\nfirst visit, empty cache:                              bytes   largest contentful paint   budget');
  for (const row of rows) {
    const budget = row.path === '/login' ? 150_000 : 250_000;
    const verdict = row.total <= budget ? `within ${budget / 1000} KB` : `OVER ${budget / 1000} KB`;
    console.log(`  ${row.path.padEnd(52)} ${String(row.total).padStart(8)}   ${row.lcp.toFixed(0).padStart(5)} ms   ${verdict}`);
  }

  // In-app navigation: one signed-in visit moving through every page; what each move fetches.
  const app = await browser.newContext();
  await app.addCookies(cookies);
  const tab = await app.newPage();
  let moved = [];
  tab.on('requestfinished', async (request) => {
    const sizes = await request.sizes().catch(() => null);
    moved.push({ path: new URL(request.url()).pathname, bytes: sizes ? sizes.responseHeadersSize + sizes.responseBodySize : 0 });
  });
  await tab.goto(base + pages[0]);
  await tab.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  console.log('\nin-app navigation (same tab, after the first page):       bytes  files fetched');
  for (const path of pages.slice(1).concat(pages[0])) {
    moved = [];
    await tab.evaluate((to) => {
      const link = [...document.querySelectorAll('a')].find((a) => new URL(a.href).pathname === to);
      if (link) link.click(); else window.location.assign(to);
    }, path);
    await tab.waitForURL(base + path);
    await tab.waitForLoadState('networkidle');
    const total = moved.reduce((sum, r) => sum + r.bytes, 0);
    const files = moved.filter((r) => r.path.startsWith('/pkg/')).length;
    console.log(`  to ${path.padEnd(52)} ${String(total).padStart(8)}  ${files} bundle files, ${moved.length - files} other`);
  }
  await app.close();
} finally {
  await browser.close();
}
