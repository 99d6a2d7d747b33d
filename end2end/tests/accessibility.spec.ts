import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { admin, hydrated, signIn } from './helpers';

// axe-core from npm, evaluated in each page as it is (through the debugging protocol: the page's
// Content-Security-Policy rightly refuses an injected script tag): the rules people using
// assistive technology depend on, checked on every page once the stories before have filled them.
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function seriousViolations(page: Page) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    // @ts-expect-error axe is what the script tag just defined
    const found = await window.axe.run(document, { resultTypes: ['violations'] });
    return found.violations.map((v: { id: string; impact: string; help: string; nodes: { target: string[] }[] }) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return results.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical');
}

test('the sign-in page has no serious accessibility problem', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  expect(await seriousViolations(page)).toEqual([]);
});

test('no signed-in page has a serious accessibility problem', async ({ page }) => {
  await signIn(page, admin);
  await page.goto('/automations');
  await hydrated(page);
  const first = page.getByRole('table').getByRole('link').first();
  const automation = (await first.count()) > 0 ? await first.getAttribute('href') : null;
  const pages = [
    '/settings/organization',
    '/settings/members',
    '/settings/workload-identity',
    '/settings/secret-providers',
    '/settings/audit-log',
    '/automations',
    ...(automation ? [automation] : []),
  ];
  for (const path of pages) {
    await page.goto(path);
    await hydrated(page);
    expect(await seriousViolations(page), path).toEqual([]);
  }
});

test('row actions wrap rather than squeeze the data: a role ARN stays readable at 1280 px', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, admin);
  await page.goto('/settings/workload-identity');
  await hydrated(page);
  // A config of its own, so the check never depends on what the stories before left.
  await page.getByRole('button', { name: 'Add Workload Identity Config' }).first().click();
  await page.getByLabel('Name').fill('wrap-check');
  await page.getByLabel('AWS Role ARN').fill('arn:aws:iam::123456789012:role/wisp-production-secrets-reader');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'wrap-check' })).toBeVisible();
  const arns = page.getByRole('table').locator('tbody tr:not(.row-panel) td code');
  await expect(arns.first()).toBeVisible();
  for (const arn of await arns.all()) {
    const box = await arn.boundingBox();
    const lineHeight = await arn.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
    // Six buttons beside it used to break it every few characters, over a dozen lines.
    expect(box!.height, await arn.textContent() ?? '').toBeLessThan(3 * lineHeight);
  }
});
