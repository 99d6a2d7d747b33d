import { expect, test } from '@playwright/test';
import { admin, hydrated, signIn, viewer } from './helpers';

// After every other story: the log holds their changes.
test.describe('Settings → Audit Log', () => {
  test('an admin reads who did what, filters by action and actor, and follows an object', async ({ page }) => {
    await signIn(page, admin);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Audit Log' }).click();
    await expect(page.getByRole('heading', { name: 'Audit Log', level: 1 })).toBeVisible();
    await hydrated(page);
    const rows = page.locator('table.audit-log tbody tr');
    await expect(rows.first()).toBeVisible();
    // Nothing secret, whatever was recorded.
    await expect(page.locator('body')).not.toContainText('e2e-sensitive-7f3a9c-value');
    await expect(page.locator('body')).not.toContainText('wisp_dt_');

    await page.getByLabel('Action').selectOption({ label: 'Deployment token revoked' });
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-action', 'deployment.revoke_token');
    await expect(rows.first()).toContainText(admin.email);
    await expect(rows.first()).toContainText('number');

    await page.getByLabel('Action').selectOption({ label: 'Automation created' });
    await page.getByLabel('Actor').selectOption({ label: admin.email });
    await expect(rows.filter({ hasText: 'automation rotation-demo' })).toHaveCount(1);
    await rows.filter({ hasText: 'automation rotation-demo' }).getByRole('link', { name: 'automation rotation-demo' }).click();
    await expect(page.getByRole('heading', { name: 'rotation-demo', level: 1 })).toBeVisible();
  });

  test('a viewer has no Audit Log and is told which permission it needs', async ({ page }) => {
    await signIn(page, viewer);
    await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Audit Log' })).toHaveCount(0);
    await page.goto('/settings/audit-log');
    await expect(page.getByRole('alert')).toContainText('audit_log: read');
  });
});
