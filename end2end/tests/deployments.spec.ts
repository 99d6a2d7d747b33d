import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { admin, env, hydrated, signIn, viewer } from './helpers';

const wispBin = env('WISP_E2E_WISP_BIN');
const python = env('WISP_E2E_PYTHON');
const awsUrl = env('WISP_E2E_AWS_URL');
const server = env('WISP_E2E_URL');
const secretName = `e2e/rotating-${Date.now()}`;
const tokenFile = join(mkdtempSync(join(tmpdir(), 'wisp-e2e-token-')), 'token');
let automationUrl = '';

/** As an administrator does in AWS: create or rotate the secret's value. */
function putSecret(value: string, create = false) {
  const script = `
import sys, boto3
client = boto3.client("secretsmanager", endpoint_url=sys.argv[1], region_name="us-east-1",
                      aws_access_key_id="admin", aws_secret_access_key="admin")
if sys.argv[4] == "create":
    client.create_secret(Name=sys.argv[2], SecretString=sys.argv[3])
else:
    client.put_secret_value(SecretId=sys.argv[2], SecretString=sys.argv[3])
`;
  execFileSync(python, ['-c', script, awsUrl, secretName, value, create ? 'create' : 'put']);
}

/** A worker's run: `wisp run --server … --token-file … -- printenv KEY`. */
function workerRun(key: string) {
  return spawnSync(wispBin, ['run', '--server', server, '--token-file', tokenFile, '--', 'printenv', key], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
}

function newestKickoff(page: Page) {
  return page.locator('table.kickoffs tbody tr').first();
}

async function fingerprintOf(page: Page, key: string) {
  await page.getByRole('button', { name: 'Refresh' }).click();
  const item = newestKickoff(page).locator(`li[data-key="${key}"] code.fingerprint`);
  await expect(item).toHaveText(/^[0-9a-f]{12}$/);
  return (await item.textContent())!;
}

// After the automations story: `aws-wi` (Workload Identity, default, us-east-1) reads the
// secrets of the local AWS.
test.describe.serial('Deploy, kick off from a worker, and see a rotation arrive without a redeploy', () => {
  test('an admin deploys and copies the token, shown once', async ({ page, context }) => {
    putSecret('rotation-v1', true);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signIn(page, admin);
    await page.goto('/automations');
    await hydrated(page);
    await page.getByRole('button', { name: 'New Automation' }).click();
    await page.getByLabel('Name').fill('rotation-demo');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('heading', { name: 'rotation-demo', level: 1 })).toBeVisible();
    automationUrl = page.url();
    await expect(page.getByRole('heading', { name: 'Not deployed yet' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'No kickoffs yet' })).toBeVisible();

    await page.getByRole('button', { name: 'Add Variable' }).click();
    await page.getByLabel('Key').fill('ROTATING_SECRET');
    await page.getByLabel('Source').selectOption({ label: 'Secret' });
    await page.getByRole('combobox', { name: 'Secret Name' }).fill(secretName);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('tr[data-key="ROTATING_SECRET"]')).toContainText('rotation-aware');

    await page.getByRole('button', { name: 'Deploy' }).click();
    const panel = page.getByRole('region', { name: 'Deployment 1 created' });
    await expect(panel).toBeVisible();
    const token = await panel.getByLabel('Deployment token', { exact: true }).inputValue();
    expect(token).toMatch(/^wisp_dt_[A-Za-z0-9_-]{43}$/);
    await panel.getByRole('button', { name: 'Copy deployment token' }).click();
    await expect(panel.getByRole('status')).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    writeFileSync(tokenFile, token, { mode: 0o600 });
    await panel.getByRole('button', { name: 'Done' }).click();
    await expect(panel).toBeHidden();

    const deployment = page.locator('table.deployments tr[data-deployment="1"]');
    await expect(deployment).toContainText(admin.email);
    await expect(deployment).toContainText('Never');
    // Once shown, the token is nowhere on the page again.
    await page.reload();
    await hydrated(page);
    await expect(page.locator('body')).not.toContainText(token);
  });

  test('a worker runs with the secret; a rotation reaches the next run and shows as a new fingerprint', async ({ page }) => {
    const first = workerRun('ROTATING_SECRET');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe('rotation-v1');

    await signIn(page, admin);
    await page.goto(automationUrl);
    await hydrated(page);
    await expect(newestKickoff(page)).toContainText('#1');
    await expect(newestKickoff(page)).toContainText('succeeded');
    const before = await fingerprintOf(page, 'ROTATING_SECRET');
    await expect(page.locator('body')).not.toContainText('rotation-v1');
    await expect(page.locator('table.deployments tr[data-deployment="1"]')).not.toContainText('Never');

    putSecret('rotation-v2');
    const second = workerRun('ROTATING_SECRET');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout.trim()).toBe('rotation-v2');
    const after = await fingerprintOf(page, 'ROTATING_SECRET');
    expect(after).not.toBe(before);
    await expect(newestKickoff(page)).toContainText('#1');
    await expect(page.locator('table.kickoffs tbody tr')).toHaveCount(2);
  });

  test('a viewer sees deployments but cannot deploy or revoke; revoking stops the worker', async ({ page }) => {
    await signIn(page, viewer);
    await page.goto(automationUrl);
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'Deployments' })).toBeVisible();
    await expect(page.locator('table.deployments tr[data-deployment="1"]')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Deploy' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Revoke token' })).toHaveCount(0);

    await signIn(page, admin);
    await page.goto(automationUrl);
    await hydrated(page);
    const deployment = page.locator('table.deployments tr[data-deployment="1"]');
    await deployment.getByRole('button', { name: 'Revoke token' }).click();
    await deployment.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect(deployment).toContainText('revoked');
    const refused = workerRun('ROTATING_SECRET');
    expect(refused.status).toBe(125);
    expect(refused.stderr).toContain('revoked');
    expect(refused.stdout).toBe('');
  });

  test('a deploy that cannot read a static secret lists the variable and what to do', async ({ page }) => {
    await signIn(page, admin);
    await page.goto(automationUrl);
    await hydrated(page);
    await page.getByRole('button', { name: 'Add Variable' }).click();
    await page.getByLabel('Key').fill('MISSING_STATIC');
    await page.getByLabel('Source').selectOption({ label: 'Secret' });
    await page.getByLabel('Credential').selectOption({ label: 'ci-static (baked at deploy)' });
    await page.getByRole('combobox', { name: 'Secret Name' }).fill('e2e/does-not-exist');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('tr[data-key="MISSING_STATIC"]')).toContainText('baked at deploy');
    await page.getByRole('button', { name: 'Deploy' }).click();
    const failure = page.locator('.secret-failures li[data-variable="MISSING_STATIC"]');
    await expect(failure).toBeVisible();
    await expect(failure).toContainText('ResourceNotFoundException');
    await expect(page.getByRole('alert')).toContainText('could not be read');
    await expect(page.locator('table.deployments tbody tr')).toHaveCount(1);
  });

  test('the metrics count the kickoffs, the secrets they read and the STS calls behind them', async ({ request }) => {
    const scrape = await (await request.get('/metrics')).text();
    const value = (series: string) => {
      const line = scrape.split('\n').find((l) => l.startsWith(series));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    expect(value('wisp_kickoffs_total{outcome="succeeded"}')).toBeGreaterThanOrEqual(2);
    expect(value('wisp_secret_reads_total{provider="aws_secrets_manager",outcome="success",code="none"}')).toBeGreaterThanOrEqual(2);
    expect(value('wisp_sts_requests_total{call="AssumeRoleWithWebIdentity",outcome="success",code="none"}')).toBeGreaterThanOrEqual(1);
    expect(value('wisp_http_requests_total{route="/api/v1/kickoffs",method="POST",status="200"}')).toBeGreaterThanOrEqual(2);
    expect(scrape).not.toContain(secretName);
  });
});
