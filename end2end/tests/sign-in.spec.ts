import { expect, test } from '@playwright/test';
import { admin, demoOrgId, env, hydrated, signIn, viewer } from './helpers';

test('the demo admin signs in and sees the organization UUID', async ({ page }) => {
  await signIn(page, admin);
  const uuid = page.getByLabel('Organization UUID', { exact: true });
  await expect(uuid).toHaveText(demoOrgId);
  await expect(page.getByText(`organization:${demoOrgId}`)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' })).toBeVisible();
});

test('a wrong password shows an error and starts no session', async ({ page, context }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill('not-the-password-at-all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The e-mail or password is not correct.');
  await expect(page).toHaveURL(/\/login$/);
  const cookies = await context.cookies();
  expect(cookies.filter((c) => c.name === 'wisp_session')).toEqual([]);
  await page.goto('/settings/organization');
  await expect(page).toHaveURL(/\/login\?next=\/settings\/organization$/);
});

test('the session cookie is HttpOnly and SameSite=Lax', async ({ page, context }) => {
  await signIn(page, admin);
  const session = (await context.cookies()).find((c) => c.name === 'wisp_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');
});

test('sign out ends the session and the back button does not bring the page back', async ({ page, context }) => {
  await signIn(page, admin);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect((await context.cookies()).filter((c) => c.name === 'wisp_session')).toEqual([]);

  await page.goBack();
  await expect(page).toHaveURL(/\/login(\?|$)/);
  await expect(page.getByText(demoOrgId)).toHaveCount(0);

  await page.goto('/settings/organization');
  await expect(page).toHaveURL(/\/login\?next=\/settings\/organization$/);
});

test('a viewer sees no control it may not use', async ({ page }) => {
  await signIn(page, viewer);
  const nav = page.getByRole('navigation', { name: 'Settings' });
  await expect(nav.getByRole('link', { name: 'Organization' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Members' })).toHaveCount(0);
  // Everything a viewer can press: copying the UUID and signing out (counted once the page's data is in).
  await expect(page.getByLabel('Organization UUID', { exact: true })).toHaveText(demoOrgId);
  const buttons = await page.getByRole('button').allInnerTexts();
  expect(buttons.sort()).toEqual(['Copy', 'Sign out']);
  await expect(page.getByRole('combobox')).toHaveCount(0);

  // Typing the address does not get around it: the server refuses.
  await page.goto('/settings/members');
  await expect(page.getByRole('alert')).toContainText('members: read');
  await expect(page.getByRole('combobox')).toHaveCount(0);
});

test('a page opened signed out asks for sign-in, then returns to that page', async ({ page }) => {
  await page.goto('/settings/workload-identity');
  await expect(page).toHaveURL(/\/login\?next=\/settings\/workload-identity$/);
  await hydrated(page);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/settings\/workload-identity$/);
  await expect(page.getByRole('heading', { name: 'Workload Identity', level: 1 })).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign-in works and returns to the page asked for', async ({ page }) => {
    await page.goto('/settings/members');
    await expect(page).toHaveURL(/\/login\?next=\/settings\/members$/);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill('not-the-password-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('The e-mail or password is not correct.');

    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/settings\/members$/);
    await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
  });
});

test('signing in shows its progress until the server answers', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  // Keep the form from leaving, to look at the page in the moment after it was sent.
  await page.evaluate(() => document.querySelector('form')!.addEventListener('submit', (event) => event.preventDefault()));
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  const button = page.getByRole('button', { name: 'Sign in' });
  await button.click();
  await expect(button).toBeDisabled();
  await expect(page.locator('form[aria-busy="true"]')).toBeAttached();
});

test('the sign-in page loads no WebAssembly; the bundle comes compressed, under content names, cached for a year', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('.wasm')) wasm.push(new URL(request.url()).pathname);
  });
  await page.goto('/login');
  await hydrated(page);
  expect(wasm).toEqual([]);

  const main = page.waitForResponse((r) => /\/pkg\/wisp\.[0-9a-f]{16}\.wasm$/.test(r.url()));
  const chunk = page.waitForResponse((r) => /\/pkg\/split___organization_view_\d+\.[0-9a-f]{16}\.wasm$/.test(r.url()));
  await signIn(page, admin);
  for (const response of [await main, await chunk]) {
    const headers = await response.allHeaders();
    expect(headers['content-encoding']).toBe('br');
    expect(headers['cache-control']).toBe('public, max-age=31536000, immutable');
  }
});

test('moving to another page loads only that page\'s code', async ({ page }) => {
  await signIn(page, admin);
  const loaded: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/pkg/')) loaded.push(path);
  });
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }).click();
  await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
  await expect(page.getByRole('table')).toBeVisible();
  expect(loaded.some((path) => /\/split___members_view_/.test(path))).toBe(true);
  // Neither the shared part again nor another page's code.
  expect(loaded.filter((path) => /\/wisp\.|\/split___(?!members_view_)/.test(path))).toEqual([]);
});

test('the app runs under its Content-Security-Policy, with nothing refused', async ({ page }) => {
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  await signIn(page, admin);
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }).click();
  await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Workload Identity' }).click();
  await expect(page.getByRole('heading', { name: 'Workload Identity', level: 1 })).toBeVisible();
  expect(refused).toEqual([]);
});

test('sign out everywhere ends the sessions on every device', async ({ browser }) => {
  // A user no other test signs in as: its sessions are this test's alone.
  const member = { email: env('WISP_E2E_MEMBER_EMAIL'), password: viewer.password };
  const laptop = await browser.newPage();
  const phone = await (await browser.newContext()).newPage();
  await signIn(laptop, member);
  await signIn(phone, member);
  await laptop.getByText(member.email, { exact: true }).click();
  await laptop.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(laptop).toHaveURL(/\/login$/);
  await phone.reload();
  await expect(phone).toHaveURL(/\/login\?next=/);
});
