import { expect, test, type Page } from '@playwright/test';
import { admin, env, hydrated, signIn, viewer } from './helpers';

const faults = env('WISP_E2E_AWS_FAULTS_URL');
const sensitiveValue = 'e2e-sensitive-7f3a9c-value';
let automationUrl = '';

function row(page: Page, key: string) {
  return page.locator(`tr[data-key="${key}"]`);
}

async function openAutomation(page: Page) {
  await page.goto(automationUrl);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Environment Variables' })).toBeVisible();
}

async function startSecretVariable(page: Page, key: string) {
  await page.getByRole('button', { name: 'Add Variable' }).click();
  await page.getByLabel('Key').fill(key);
  await page.getByLabel('Source').selectOption({ label: 'Secret' });
}

// One story in order, after the credentials story left `aws-wi` (Workload Identity, default)
// and `ci-static` (static keys) in the demo organization, over the local AWS's demo secrets.
test.describe.serial('Automations and their environment variables', () => {
  test.afterEach(async ({ request }) => {
    await request.delete(faults);
  });

  test('an admin creates an automation from the list and lands on its page', async ({ page }) => {
    await signIn(page, admin);
    // The demo's secrets live in us-east-1; the Workload Identity credential was made elsewhere.
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Secret Provider Credentials' }).click();
    await page.getByRole('row').filter({ hasText: 'aws-wi' }).getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('AWS Region').selectOption('us-east-1');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('row').filter({ hasText: 'aws-wi' })).toContainText('us-east-1');

    await page.getByRole('navigation', { name: 'Automations' }).getByRole('link', { name: 'Automations' }).click();
    await expect(page.getByRole('heading', { name: 'Automations', level: 1 })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'No automations yet' })).toBeVisible();
    await page.getByRole('button', { name: 'New Automation' }).click();
    await page.getByLabel('Name').fill('nightly-report');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('heading', { name: 'nightly-report', level: 1 })).toBeVisible();
    await expect(page).toHaveURL(/\/automations\/[0-9a-f-]{36}$/);
    automationUrl = page.url();
    await expect(page.getByRole('heading', { name: 'No variables yet' })).toBeVisible();
  });

  test('a plain variable, and a secret picked with the keyboard from what AWS lists', async ({ page }) => {
    await signIn(page, admin);
    await openAutomation(page);
    await page.getByRole('button', { name: 'Add Variable' }).click();
    await page.getByLabel('Key').fill('LOG_LEVEL');
    await expect(page.getByLabel('Source')).toHaveValue('plain');
    await page.getByLabel('Value', { exact: true }).fill('debug');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(row(page, 'LOG_LEVEL')).toContainText('debug');
    await expect(row(page, 'LOG_LEVEL').locator('.badge')).toHaveCount(0);

    await startSecretVariable(page, 'DB_PASSWORD');
    await expect(page.getByLabel('Credential').locator('option:checked')).toContainText('aws-wi (default)');
    const field = page.getByRole('combobox', { name: 'Secret Name' });
    await expect(field).toHaveAttribute('aria-expanded', 'false');
    await field.pressSequentially('demo/', { delay: 40 });
    const listbox = page.getByRole('listbox', { name: 'Secret names' });
    await expect(listbox).toBeVisible();
    await expect(field).toHaveAttribute('aria-expanded', 'true');
    await expect(field).toHaveAttribute('aria-controls', (await listbox.getAttribute('id'))!);
    const options = listbox.getByRole('option');
    await expect(options).toHaveCount(3);
    await expect(options.first()).toContainText('demo/database-password');
    await expect(options.first()).toContainText('changed');

    await field.press('ArrowDown');
    await expect(field).toHaveAttribute('aria-activedescendant', (await options.nth(0).getAttribute('id'))!);
    await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true');
    await field.press('End');
    await expect(options.nth(2)).toHaveAttribute('aria-selected', 'true');
    await field.press('ArrowDown');
    await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true');
    await field.press('ArrowUp');
    await field.press('Home');
    await expect(field).toHaveAttribute('aria-activedescendant', (await options.nth(0).getAttribute('id'))!);
    // Escape closes the suggestions only; the form stays.
    await field.press('Escape');
    await expect(listbox).toBeHidden();
    await expect(page.getByRole('heading', { name: 'Add Variable' })).toBeVisible();
    await field.press('ArrowDown');
    await expect(listbox).toBeVisible();
    // Enter picks without submitting the form.
    await field.press('Enter');
    await expect(field).toHaveValue('demo/database-password');
    await expect(listbox).toBeHidden();
    await expect(field).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByRole('heading', { name: 'Add Variable' })).toBeVisible();

    await page.getByRole('button', { name: 'Save' }).click();
    const secretRow = row(page, 'DB_PASSWORD');
    await expect(secretRow).toContainText('demo/database-password');
    await expect(secretRow).toContainText('via aws-wi');
    const badge = secretRow.locator('.badge');
    await expect(badge).toHaveText(/rotation-aware/);
    await badge.focus();
    const tooltip = page.getByRole('tooltip');
    await expect(tooltip).toBeVisible();
    await expect(tooltip).toContainText('every kickoff');
    await expect(badge).toHaveAccessibleDescription(/every kickoff/);
  });

  test('a static-key credential bakes at deploy; a name not listed still saves', async ({ page }) => {
    await signIn(page, admin);
    await openAutomation(page);
    await startSecretVariable(page, 'STRIPE_KEY');
    await page.getByLabel('Credential').selectOption({ label: 'ci-static (baked at deploy)' });
    await expect(page.locator('#var-credential-delivery')).toContainText('deploy again');
    const field = page.getByRole('combobox', { name: 'Secret Name' });
    await field.pressSequentially('demo/st', { delay: 40 });
    const option = page.getByRole('option', { name: /demo\/stripe-api-key/ });
    await expect(option).toBeVisible();
    await option.click();
    await expect(field).toHaveValue('demo/stripe-api-key');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(row(page, 'STRIPE_KEY').locator('.badge')).toHaveText(/baked at deploy/);

    await startSecretVariable(page, 'FRESH_SECRET');
    await field.pressSequentially('demo/created-a-minute-ago', { delay: 20 });
    await expect(page.getByRole('status').filter({ hasText: 'No secret starts with' })).toContainText('in us-east-1');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(row(page, 'FRESH_SECRET')).toContainText('demo/created-a-minute-ago');
  });

  test('with ListSecrets refused the field says what the role needs and a typed name still saves', async ({ page, request }) => {
    await request.post(faults, {
      data: { action: 'ListSecrets', code: 'AccessDeniedException', status: 400, message: 'not authorized to perform: secretsmanager:ListSecrets' },
    });
    await signIn(page, admin);
    await openAutomation(page);
    await startSecretVariable(page, 'PARTNER_TOKEN');
    const field = page.getByRole('combobox', { name: 'Secret Name' });
    await field.pressSequentially('partner/', { delay: 40 });
    const problem = page.locator('.suggestion-problem');
    await expect(problem).toContainText('AccessDeniedException');
    await expect(problem.locator('pre')).toContainText('"Action": "secretsmanager:ListSecrets"');
    await expect(problem.locator('pre')).toContainText('"Resource": "*"');
    await expect(problem.getByRole('button', { name: 'Copy the ListSecrets statement' })).toBeVisible();
    await expect(page.getByRole('listbox', { name: 'Secret names' })).toBeHidden();
    await field.pressSequentially('api-token', { delay: 20 });
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(row(page, 'PARTNER_TOKEN')).toContainText('partner/api-token');
  });

  test('a sensitive value is never shown back, a reserved prefix is warned about, and a .env block adds many', async ({ page }) => {
    await signIn(page, admin);
    await openAutomation(page);
    await page.getByRole('button', { name: 'Add Variable' }).click();
    await page.getByLabel('Key').fill('AWS_REGION');
    await expect(page.locator('#var-key-warning')).toContainText('AWS SDKs');
    await page.getByLabel('Key').fill('API_TOKEN');
    await expect(page.locator('#var-key-warning')).toBeEmpty();
    await page.getByLabel('Value', { exact: true }).fill(sensitiveValue);
    await page.getByLabel('Sensitive').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(row(page, 'API_TOKEN')).toContainText('(sensitive, hidden)');
    expect(await page.content()).not.toContain(sensitiveValue);
    await row(page, 'API_TOKEN').getByRole('button', { name: 'Edit' }).click();
    await expect(page.getByLabel('Value', { exact: true })).toHaveValue('');
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Paste .env' }).click();
    await page.getByLabel('.env lines').fill('# from my laptop\nREGION_NAME=eu-west-1\nnot a line\nGREETING="hello world"\nLOG_LEVEL=info');
    await page.getByRole('button', { name: 'Add variables' }).click();
    const report = page.locator('.import-report');
    await expect(report).toContainText('Added 2 variables: REGION_NAME, GREETING.');
    await expect(report).toContainText('Line 3:');
    await expect(report).toContainText('Line 5: LOG_LEVEL is already a variable');
    await expect(row(page, 'GREETING')).toContainText('hello world');
  });

  test('a credential in use is not deleted, and the refusal names the automation', async ({ page }) => {
    await signIn(page, admin);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Secret Provider Credentials' }).click();
    const credential = page.getByRole('row').filter({ hasText: 'ci-static' });
    await expect(credential).toContainText('Used by automations nightly-report');
    await credential.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(credential).toContainText('is used by automations nightly-report');
    await credential.getByRole('button', { name: 'Delete credential' }).click();
    await expect(page.getByRole('alert')).toContainText('used by automations nightly-report');
  });

  test('a viewer sees the automation and its variables, nothing to change, and never a sensitive value', async ({ page }) => {
    await signIn(page, viewer);
    await page.getByRole('navigation', { name: 'Automations' }).getByRole('link', { name: 'Automations' }).click();
    await page.getByRole('link', { name: 'nightly-report' }).click();
    await expect(page.getByRole('heading', { name: 'nightly-report', level: 1 })).toBeVisible();
    await hydrated(page);
    await expect(row(page, 'DB_PASSWORD')).toContainText('rotation-aware');
    await expect(row(page, 'API_TOKEN')).toContainText('(sensitive, hidden)');
    for (const name of ['Add Variable', 'Paste .env', 'Edit', 'Delete']) {
      await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
    }
    expect(await page.content()).not.toContain(sensitiveValue);
    const refused = await page.request.post('/api/automations/variables/add', {
      headers: { Origin: env('WISP_E2E_URL') },
      form: { automation: automationUrl.split('/').pop()!, key: 'X', source: 'plain', value: '1' },
    });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.code).toBe('permission_denied');
  });
});
