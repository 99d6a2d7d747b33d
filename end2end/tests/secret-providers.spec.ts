import { expect, test, type Page } from '@playwright/test';
import { admin, env, signIn, viewer } from './helpers';

const roleArn = env('WISP_E2E_ROLE_ARN');
const faults = env('WISP_E2E_AWS_FAULTS_URL');
const accessKey = 'AKIAE2ETESTKEY000001';
const secret = 'e2e-Secret/Access+Key-9f2c41aa7b';

async function openPage(page: Page) {
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Secret Provider Credentials' }).click();
  await expect(page.getByRole('heading', { name: 'Secret Provider Credentials', level: 1 })).toBeVisible();
}

function row(page: Page, name: string) {
  return page.getByRole('row').filter({ hasText: name });
}

async function testConnection(page: Page, name: string) {
  await row(page, name).getByRole('button', { name: 'Test Connection' }).click();
  return page.getByRole('region', { name: 'Test Connection result' });
}

// One story in order, after the Workload Identity story left configs in the demo organization.
test.describe.serial('Settings → Secret Provider Credentials', () => {
  test.afterEach(async ({ request }) => {
    await request.delete(faults);
  });

  test('from the empty state, a Workload Identity credential uses the default config and passes through ListSecrets', async ({ page }) => {
    await signIn(page, admin);
    await openPage(page);
    await expect(page.getByRole('heading', { name: 'No credentials yet' })).toBeVisible();
    await page.getByRole('button', { name: 'Add Credential' }).click();
    await expect(page.getByLabel('Authentication Method')).toHaveValue('workload_identity');
    const config = page.getByLabel('Workload Identity Configuration');
    await expect(config.locator('option:checked')).toContainText('(default)');
    for (const hidden of ['Access Key ID', 'Secret Access Key', 'Role ARN', 'External ID']) {
      await expect(page.getByLabel(hidden, { exact: true })).toHaveCount(0);
    }
    await page.getByLabel('Name', { exact: true }).fill('aws-wi');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(row(page, 'aws-wi')).toContainText('(default)');
    await expect(row(page, 'aws-wi')).toContainText('Workload Identity');

    const result = await testConnection(page, 'aws-wi');
    await expect(result.getByRole('heading', { name: 'Connection works' })).toBeVisible();
    await expect(result.locator('[data-status="passed"]')).toHaveCount(5);
    await expect(result.locator('li.step').last()).toContainText('ListSecrets');
    await expect(result).toContainText('checked when an automation starts');
  });

  test('a static key that assumes a role with an External ID passes against the local AWS', async ({ page }) => {
    await signIn(page, admin);
    await openPage(page);
    await page.getByRole('button', { name: 'Add Credential' }).click();
    await page.getByLabel('Authentication Method').selectOption({ label: 'Static keys / AssumeRole' });
    await expect(page.getByLabel('Workload Identity Configuration')).toHaveCount(0);
    await page.getByLabel('Name', { exact: true }).fill('ci-static');
    await page.getByLabel('Access Key ID').fill(accessKey);
    await page.getByLabel('Secret Access Key').fill(secret);
    await expect(page.getByLabel('External ID')).toHaveCount(0);
    await page.getByLabel('Role ARN').fill(roleArn);
    await page.getByLabel('External ID').fill('partner-42');
    await page.getByLabel('AWS Region').selectOption('us-east-1');
    await expect(page.getByLabel('Set as default credential for this provider')).not.toBeChecked();
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(row(page, 'ci-static')).toContainText('AKIA…0001');
    await expect(row(page, 'ci-static')).not.toContainText(accessKey);

    const result = await testConnection(page, 'ci-static');
    await expect(result.getByRole('heading', { name: 'Connection works' })).toBeVisible();
    await expect(result.locator('[data-status="passed"]')).toHaveCount(3);
    await expect(result).toContainText('with the External ID');
  });

  test('ListSecrets refused shows what the policy needs', async ({ page, request }) => {
    await request.post(faults, {
      data: { action: 'ListSecrets', code: 'AccessDeniedException', status: 400, message: 'not authorized to perform: secretsmanager:ListSecrets' },
    });
    await signIn(page, admin);
    await openPage(page);
    const result = await testConnection(page, 'ci-static');
    await expect(result.getByRole('heading', { name: 'Connection failed at ListSecrets' })).toBeVisible();
    const failed = result.locator('[data-status="failed"]');
    await expect(failed).toContainText('AccessDeniedException');
    await expect(failed).toContainText('"Resource": "*"');
  });

  test('editing a static key shows an empty secret, and saving keeps the stored one', async ({ page }) => {
    await signIn(page, admin);
    await openPage(page);
    await row(page, 'ci-static').getByRole('button', { name: 'Edit' }).click();
    await expect(page.getByRole('heading', { name: 'Edit ci-static' })).toBeVisible();
    await expect(page.getByLabel('Secret Access Key')).toHaveValue('');
    await expect(page.getByLabel('Access Key ID')).toHaveValue(accessKey);
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('heading', { name: 'Edit ci-static' })).toHaveCount(0);

    const result = await testConnection(page, 'ci-static');
    await expect(result.getByRole('heading', { name: 'Connection works' })).toBeVisible();
  });

  test('a Workload Identity config in use is not deleted, and the page names its user', async ({ page }) => {
    await signIn(page, admin);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Workload Identity' }).click();
    const used = page.getByRole('row').filter({ hasText: 'Used by credentials aws-wi' });
    await expect(used).toBeVisible();
    await used.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(used).toContainText('is used by credentials aws-wi');
    await used.getByRole('button', { name: 'Delete config' }).click();
    await expect(page.getByRole('alert')).toContainText('used by credentials aws-wi');
    await page.reload();
    await expect(page.getByRole('row').filter({ hasText: 'Used by credentials aws-wi' })).toBeVisible();
  });

  test('a viewer sees the list and Test Connection but nothing to change, and the server refuses a direct call', async ({ page }) => {
    await signIn(page, viewer);
    await openPage(page);
    await expect(row(page, 'ci-static')).toBeVisible();
    await expect(row(page, 'ci-static').getByRole('button', { name: 'Test Connection' })).toBeVisible();
    for (const name of ['Add Credential', 'Edit', 'Delete', 'Make default']) {
      await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
    }
    const refused = await page.request.post('/api/secret_providers/delete', {
      headers: { Origin: env('WISP_E2E_URL') },
      form: { id: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f' },
    });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.code).toBe('permission_denied');
  });
});
