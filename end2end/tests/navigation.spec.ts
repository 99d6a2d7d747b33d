import { expect, test, type Page } from '@playwright/test';
import { admin, hydrated, signIn } from './helpers';

// Every signed-in page, by the link that leads to it and the heading it shows.
const settings = [
  { link: 'Organization', path: '/settings/organization' },
  { link: 'Members', path: '/settings/members' },
  { link: 'Workload Identity', path: '/settings/workload-identity' },
  { link: 'Secret Provider Credentials', path: '/settings/secret-providers' },
  { link: 'Audit Log', path: '/settings/audit-log' },
];

function heading(page: Page, name: string) {
  return page.getByRole('heading', { name, level: 1, exact: true });
}

test('every page works loaded directly, reached in the app and reloaded, and nothing fails', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await signIn(page, admin);
  // An automation the earlier stories made, for its own page.
  await page.goto('/automations');
  await hydrated(page);
  const first = page.getByRole('table').getByRole('link').first();
  const automation = { link: (await first.innerText()).trim(), path: (await first.getAttribute('href'))! };
  const all = [...settings, { link: 'Automations', path: '/automations' }, automation];

  for (const target of all) {
    await page.goto(target.path);
    await hydrated(page);
    await expect(heading(page, target.link)).toBeVisible();
    await page.reload();
    await hydrated(page);
    await expect(heading(page, target.link)).toBeVisible();
  }

  // Moving inside the app loads no document: each page comes from its chunk.
  const documents: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'document') documents.push(request.url());
  });
  for (const target of [...settings, { link: 'Automations', path: '/automations' }]) {
    await page.getByRole('link', { name: target.link, exact: true }).first().click();
    await expect(page).toHaveURL(new RegExp(`${target.path}$`));
    await expect(heading(page, target.link)).toBeVisible();
  }
  await page.getByRole('table').getByRole('link', { name: automation.link, exact: true }).click();
  await expect(heading(page, automation.link)).toBeVisible();
  // And back, through the history.
  await page.goBack();
  await expect(heading(page, 'Automations')).toBeVisible();
  expect(documents).toEqual([]);
  expect(errors).toEqual([]);
});

test('a page open across an upgrade loads afresh when its build\'s chunks are gone', async ({ page }) => {
  await signIn(page, admin);
  // The new build has other names: the old page's request for the Members chunk finds nothing.
  let refused = 0;
  await page.route(/\/pkg\/split___members_view_/, async (route) => {
    if (refused++ === 0) await route.fulfill({ status: 404, body: 'Not Found' });
    else await route.continue();
  });
  const documents: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'document') documents.push(new URL(request.url()).pathname);
  });
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }).click();
  await expect(heading(page, 'Members')).toBeVisible();
  await hydrated(page);
  expect(refused).toBeGreaterThanOrEqual(2);
  expect(documents).toEqual(['/settings/members']);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('every page can be read after a sign-in that needs no script', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(heading(page, 'Organization')).toBeVisible();
    await page.goto('/automations');
    const first = page.getByRole('table').getByRole('link').first();
    const automation = { link: (await first.innerText()).trim(), path: (await first.getAttribute('href'))! };
    for (const target of [...settings, { link: 'Automations', path: '/automations' }, automation]) {
      await page.goto(target.path);
      await expect(heading(page, target.link)).toBeVisible();
    }
  });
});
