// Bytes a first visit to a page transfers, as Chromium counts them (headers and bodies, after
// compression), with an empty cache. Usage: node bench/first-visit.mjs URL
import { createRequire } from 'node:module';

const require = createRequire(new URL('../end2end/package.json', import.meta.url));
const { chromium } = require('@playwright/test');

const url = process.argv[2];
if (!url) throw new Error('usage: node bench/first-visit.mjs URL');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
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
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 30000 });
  let total = 0;
  for (const r of requests.values()) {
    total += r.bytes ?? 0;
    console.log(`${String(r.bytes ?? 0).padStart(9)}  ${r.status}  ${r.encoding.padEnd(4)}  ${new URL(r.url).pathname}`);
  }
  console.log(`${String(total).padStart(9)}  total bytes transferred for a first visit to ${new URL(url).pathname}`);
} finally {
  await browser.close();
}
