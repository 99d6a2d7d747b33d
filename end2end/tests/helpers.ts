import { expect, type Page } from '@playwright/test';

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through scripts/test.sh`);
  return value;
}

export const admin = { email: env('WISP_E2E_ADMIN_EMAIL'), password: env('WISP_E2E_ADMIN_PASSWORD') };
export const viewer = { email: env('WISP_E2E_VIEWER_EMAIL'), password: env('WISP_E2E_VIEWER_PASSWORD') };
export const demoOrgId = env('WISP_E2E_ORG_ID');

/** Waits until the WebAssembly bundle has taken over the server-rendered page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

export async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/settings\/organization$/);
  await expect(page.getByRole('heading', { name: 'Organization' })).toBeVisible();
  await hydrated(page);
}
