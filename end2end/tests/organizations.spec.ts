import { expect, test } from '@playwright/test';
import { admin, env, hydrated, signIn } from './helpers';

test('a user in several organizations switches between them', async ({ page }) => {
  const second = { id: env('WISP_E2E_SECOND_ORG_ID'), name: env('WISP_E2E_SECOND_ORG_NAME') };
  await signIn(page, admin);
  const nav = page.getByRole('navigation', { name: 'Settings' });
  await expect(nav.getByRole('link', { name: 'Members' })).toBeVisible();

  await page.getByLabel('Organization', { exact: true }).selectOption({ label: `${second.name} (viewer)` });
  await expect(page.getByLabel('Organization UUID', { exact: true })).toHaveText(second.id);
  // A viewer there: the members page is not offered.
  await expect(nav.getByRole('link', { name: 'Members' })).toHaveCount(0);
});

test('an admin changes a member role and it persists', async ({ page }) => {
  const member = env('WISP_E2E_MEMBER_EMAIL');
  await signIn(page, admin);
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }).click();
  const role = page.getByLabel(`Role of ${member}`);
  await expect(role).toHaveValue('developer');
  await role.selectOption('admin');
  await expect(page.getByRole('status').filter({ hasText: 'Role saved.' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.reload();
  await expect(page.getByLabel(`Role of ${member}`)).toHaveValue('admin');
});

test('the last owner cannot be demoted, and the page says why', async ({ page }) => {
  await signIn(page, admin);
  await page.goto('/settings/members');
  await hydrated(page);
  await page.getByLabel(`Role of ${admin.email}`).selectOption('viewer');
  await expect(page.getByRole('alert')).toContainText('at least one owner');
  await page.reload();
  await expect(page.getByLabel(`Role of ${admin.email}`)).toHaveValue('owner');
});

test('the organization page shows the issuer, its keys and their rotation, and what AWS would refuse', async ({ page }) => {
  await signIn(page, admin);
  const base = env('WISP_E2E_URL');
  await expect(page.getByRole('link', { name: 'Discovery document' })).toHaveAttribute(
    'href',
    `${base}/.well-known/openid-configuration`,
  );
  await expect(page.getByRole('link', { name: 'JWKS' })).toHaveAttribute('href', `${base}/oauth2/jwks`);

  const jwks = await (await page.request.get('/oauth2/jwks')).json();
  const keys = page.getByRole('table', { name: 'Issuer keys' });
  await expect(keys.getByRole('row')).toHaveCount(1 + jwks.keys.length);
  const signing = keys.getByRole('row').filter({ hasText: jwks.keys[0].kid });
  await expect(signing).toContainText('ES256');
  await expect(signing).toContainText('active: signing');
  // The demo's keys are managed: a next key waits published behind the active one.
  await expect(keys.getByRole('row').filter({ hasText: 'next: published' })).toHaveCount(1);
  await expect(page.getByText(/replaces the active one every 7d; the next rotation is at \d{4}-/)).toBeVisible();

  // The demo's local issuer is what AWS would refuse: plain http, with a port.
  const warnings = page.getByRole('list', { name: 'Issuer warnings' });
  await expect(warnings).toContainText('not https');
  await expect(warnings).toContainText('carries a port');
});
