import { expect, test, type Page } from '@playwright/test';
import { admin, hydrated, signIn } from './helpers';

const roleArn = 'arn:aws:iam::123456789012:role/e2e-assistant';
const secret = 'e2e-iam-admin-secret-5d2a';
const sessionToken = 'e2e-iam-admin-session-token-8c1f';

function configRow(page: Page) {
  return page.getByRole('row').filter({ hasText: 'e2e-assistant' }).first();
}

async function fillKeys(panel: ReturnType<Page['getByRole']>) {
  await panel.getByLabel('Access Key ID').fill('ASIAE2EEXAMPLEKEY001');
  await panel.getByLabel('Secret Access Key').fill(secret);
  await panel.getByLabel('Session Token').fill(sessionToken);
}

// After the other stories (the local AWS's IAM is shared): a config whose role does not exist yet.
test.describe.serial('IAM assistant: Diagnose and Set up in AWS', () => {
  test('Diagnose lists what AWS lacks; Set up plans, applies once, and then there is nothing to change', async ({ page }) => {
    await signIn(page, admin);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Workload Identity' }).click();
    await hydrated(page);
    await page.getByRole('button', { name: 'Add Workload Identity Config' }).click();
    await page.getByLabel('Name', { exact: true }).fill('e2e-assistant');
    await page.getByLabel('AWS Role ARN').fill(roleArn);
    await page.getByLabel('AWS Region').selectOption('us-east-1');
    await page.getByLabel('Set as default for AWS').uncheck();
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(configRow(page)).toBeVisible();

    await configRow(page).getByRole('button', { name: 'Diagnose', exact: true }).click();
    const diagnose = page.getByRole('region', { name: 'Diagnose in AWS' });
    await fillKeys(diagnose);
    await diagnose.getByRole('button', { name: 'Diagnose', exact: true }).click();
    const findings = diagnose.locator('ul.findings li');
    await expect(findings).toHaveCount(2);
    await expect(findings.first()).toContainText('OIDC provider');
    await expect(findings.nth(1)).toContainText('role');

    await configRow(page).getByRole('button', { name: 'Set up in AWS' }).click();
    const setup = page.getByRole('region', { name: 'Set up in AWS' });
    await fillKeys(setup);
    await setup.getByRole('button', { name: 'Review plan' }).click();
    await expect(setup.getByRole('status').filter({ hasText: 'Apply would make 3 change(s)' })).toBeVisible();
    await expect(setup.locator('pre.diff').first()).toContainText('sts:AssumeRoleWithWebIdentity');
    await setup.getByRole('button', { name: 'Apply' }).click();
    await expect(setup.getByText('Applied 3 change(s) in account 123456789012.')).toBeVisible();
    await expect(setup.getByRole('heading', { name: 'Connection works' })).toBeVisible();

    await setup.getByRole('button', { name: 'Review plan' }).click();
    await expect(setup.getByText('Nothing to change: account 123456789012 already holds all this organization needs.')).toBeVisible();

    await configRow(page).getByRole('button', { name: 'Diagnose', exact: true }).click();
    const again = page.getByRole('region', { name: 'Diagnose in AWS' });
    await fillKeys(again);
    await again.getByRole('button', { name: 'Diagnose', exact: true }).click();
    await expect(again.getByText('No mismatch')).toBeVisible();

    // The credentials went to AWS once each time and are nowhere in the page afterwards.
    await page.reload();
    await hydrated(page);
    await expect(page.locator('body')).not.toContainText(secret);
    await expect(page.locator('body')).not.toContainText(sessionToken);
  });
});
