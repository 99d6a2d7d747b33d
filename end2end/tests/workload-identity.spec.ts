import { expect, test, type Page } from '@playwright/test';
import { admin, demoOrgId, env, signIn, viewer } from './helpers';

const roleArn = env('WISP_E2E_ROLE_ARN');
const faults = env('WISP_E2E_AWS_FAULTS_URL');

async function openPage(page: Page) {
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Workload Identity' }).click();
  await expect(page.getByRole('heading', { name: 'Workload Identity', level: 1 })).toBeVisible();
}

function row(page: Page, name: string) {
  return page.getByRole('row').filter({ hasText: name });
}

// One story in order: the demo organization starts with no configs.
test.describe.serial('Settings → Workload Identity', () => {
  test.afterEach(async ({ request }) => {
    await request.delete(faults);
  });

  test('an admin starts from the empty state, is told what is wrong, and the first config is the default', async ({ page }) => {
    await signIn(page, admin);
    await openPage(page);
    await expect(page.getByRole('heading', { name: 'No workload identity configs yet' })).toBeVisible();
    await page.getByRole('button', { name: 'Add Workload Identity Config' }).click();
    await expect(page.getByLabel('Name', { exact: true })).toBeFocused();

    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.locator('#wi-name-error')).toContainText('Enter a name');
    await expect(page.locator('#wi-role-arn-error')).toContainText('Enter the ARN');

    await page.getByLabel('Name', { exact: true }).fill('aws-prod');
    await page.getByLabel('AWS Role ARN').fill('arn:aws:iam::1234:role/wisp-demo-secrets-reader');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.locator('#wi-role-arn-error')).toContainText('exactly 12 digits');
    await expect(page.locator('#wi-name-error')).toBeEmpty();

    await page.getByLabel('AWS Role ARN').fill(roleArn);
    // Once a role ARN is typed, the form shows what to paste into AWS for it.
    const setup = page.getByRole('region', { name: 'AWS setup' });
    await expect(setup).toContainText(`organization:${demoOrgId}`);
    await expect(setup).toContainText('--role-name wisp-demo-secrets-reader');
    await expect(page.getByLabel('Cloud Provider')).toHaveValue('aws');
    await expect(page.getByLabel('Set as default for AWS')).toBeChecked();
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(row(page, 'aws-prod')).toContainText('(default)');
    await expect(row(page, 'aws-prod')).toContainText(roleArn);
    await expect(row(page, 'aws-prod')).toContainText('us-east-1');
  });

  test('a second config created as the default takes the badge', async ({ page }) => {
    await signIn(page, admin);
    await openPage(page);
    await page.getByRole('button', { name: 'Add Workload Identity Config' }).click();
    await page.getByLabel('Name', { exact: true }).fill('aws-dr');
    await page.getByLabel('AWS Role ARN').fill(roleArn);
    await page.getByLabel('AWS Region').selectOption('eu-west-1');
    const makeDefault = page.getByLabel('Set as default for AWS');
    await expect(makeDefault).not.toBeChecked();
    await makeDefault.check();
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(row(page, 'aws-dr')).toContainText('(default)');
    await expect(row(page, 'aws-prod')).not.toContainText('(default)');
    await page.reload();
    await expect(row(page, 'aws-dr')).toContainText('(default)');

    // Escape closes the form without saving.
    await row(page, 'aws-dr').getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Name', { exact: true }).fill('not saved');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('heading', { name: 'Edit aws-dr' })).toHaveCount(0);
    await expect(row(page, 'not saved')).toHaveCount(0);

    await row(page, 'aws-dr').getByRole('button', { name: 'Edit' }).click();
    await expect(page.getByRole('heading', { name: 'Edit aws-dr' })).toBeVisible();
    await page.getByLabel('AWS Region').selectOption('eu-central-1');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(row(page, 'aws-dr')).toContainText('eu-central-1');
    await expect(row(page, 'aws-dr')).toContainText('(default)');
  });

  test('Test Connection shows its progress, then passes and shows the assumed-role ARN', async ({ page, request }) => {
    // A slow STS, so the progress can be seen.
    await request.post(faults, { data: { action: 'AssumeRoleWithWebIdentity', delay: 2 } });
    await signIn(page, admin);
    await openPage(page);
    await row(page, 'aws-prod').getByRole('button', { name: 'Test Connection' }).click();
    const progress = page.getByRole('status').filter({ hasText: 'Testing connection' });
    await expect(progress).toBeVisible();
    await expect(progress.locator('li.step.pending')).toHaveCount(4);
    await expect(row(page, 'aws-prod').getByRole('button', { name: 'Test Connection' })).toBeDisabled();
    const result = page.getByRole('region', { name: 'Test Connection result' });
    await expect(result.getByRole('heading', { name: 'Connection works' })).toBeVisible();
    await expect(result).toContainText(
      'arn:aws:sts::123456789012:assumed-role/wisp-demo-secrets-reader/wisp',
    );
    await expect(result.locator('li.step.passed')).toHaveCount(4);
  });

  test('an STS that cannot verify the token fails the handshake step with issuer guidance', async ({ page, request }) => {
    await request.post(faults, {
      data: {
        action: 'AssumeRoleWithWebIdentity',
        code: 'InvalidIdentityToken',
        status: 400,
        message: "Couldn't retrieve verification key from your identity provider",
      },
    });
    await signIn(page, admin);
    await openPage(page);
    await row(page, 'aws-prod').getByRole('button', { name: 'Test Connection' }).click();
    const result = page.getByRole('region', { name: 'Test Connection result' });
    await expect(result.getByRole('heading', { name: 'Connection failed at AssumeRoleWithWebIdentity' })).toBeVisible();
    const failed = result.locator('li.step.failed');
    await expect(failed).toContainText('InvalidIdentityToken');
    await expect(failed).toContainText("Couldn't retrieve verification key");
    await expect(failed).toContainText("cannot fetch Wisp's discovery document");
    await expect(failed).toContainText(`${env('WISP_E2E_URL')}/.well-known/openid-configuration`);
    await expect(result.locator('li.step.skipped')).toHaveCount(1);
  });

  test('the copy button puts this organization\'s trust policy on the clipboard', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signIn(page, admin);
    await openPage(page);
    await row(page, 'aws-prod').getByRole('button', { name: 'Trust policy' }).click();
    await expect(page.getByRole('heading', { name: 'Trust policy' })).toBeVisible();
    // The demo's issuer is plain http with a port: the panel says AWS will refuse it.
    await expect(page.getByRole('list', { name: 'Issuer warnings' })).toContainText('not https');
    await page.getByRole('button', { name: 'Copy trust policy' }).click();
    await expect(page.getByText('Copied')).toBeVisible();
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    const host = new URL(env('WISP_E2E_URL')).host;
    const statement = copied.Statement[0];
    expect(statement.Principal.Federated).toBe(`arn:aws:iam::123456789012:oidc-provider/${host}`);
    expect(statement.Condition.StringEquals[`${host}:aud`]).toBe('sts.amazonaws.com');
    expect(statement.Condition.StringEquals[`${host}:sub`]).toBe(`organization:${demoOrgId}`);
  });

  test('a viewer sees the list but no control to change it, and the server refuses a direct call', async ({ page }) => {
    await signIn(page, viewer);
    await openPage(page);
    await expect(row(page, 'aws-prod')).toBeVisible();
    await expect(row(page, 'aws-prod').getByRole('button', { name: 'Test Connection' })).toBeVisible();
    for (const name of ['Add Workload Identity Config', 'Edit', 'Delete', 'Make default']) {
      await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
    }
    const refused = await page.request.post('/api/workload_identity/create', {
      headers: { Origin: env('WISP_E2E_URL') },
      form: { name: 'sneaky', provider: 'aws', role_arn: roleArn, region: 'us-east-1' },
    });
    expect(refused.status()).toBe(403);
    await page.reload();
    await expect(page.getByRole('row').filter({ hasText: 'sneaky' })).toHaveCount(0);
  });
});
