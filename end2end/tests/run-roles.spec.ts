import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { admin, demoOrgId, env, hydrated, signIn, viewer } from './helpers';

const wispBin = env('WISP_E2E_WISP_BIN');
const python = env('WISP_E2E_PYTHON');
const server = env('WISP_E2E_URL');
const role = 'arn:aws:iam::123456789012:role/e2e-runs';
let automationUrl = '';

function configRow(page: Page, name: string) {
  return page.getByRole('row').filter({ hasText: name });
}

/** What a run sees, as a Python child of `wisp run` reports it: AWS variables and its token's claims. */
function runSees(token: string) {
  const folder = mkdtempSync(join(tmpdir(), 'wisp-e2e-run-role-'));
  const tokenFile = join(folder, 'token');
  writeFileSync(tokenFile, token);
  const script = `
import base64, json, os
part = open(os.environ["AWS_WEB_IDENTITY_TOKEN_FILE"]).read().split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
keys = ["AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION", "WISP_ID_TOKEN_REQUEST_URL"]
print(json.dumps({"env": {k: os.environ.get(k) for k in keys}, "claims": claims}))
`;
  const run = spawnSync(wispBin, ['run', '--server', server, '--token-file', tokenFile, '--', python, '-c', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

// After the other stories: the demo organization has its configs and credentials.
test.describe.serial('An automation\'s runs get AWS credentials of their own', () => {
  test('an admin adds a config with session tags and gives an automation its role for runs', async ({ page }) => {
    await signIn(page, admin);
    await page.goto('/settings/workload-identity');
    await hydrated(page);
    await page.getByRole('button', { name: 'Add Workload Identity Config' }).click();
    await page.getByLabel('Name').fill('runs-tagged');
    await page.getByLabel('AWS Role ARN').fill(role);
    await page.getByLabel('Set as default for AWS').uncheck();
    await page.getByLabel('Session tags').check();
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(configRow(page, 'runs-tagged')).toContainText(role);

    await page.goto('/automations');
    await hydrated(page);
    await page.getByRole('button', { name: 'New Automation' }).click();
    await page.getByLabel('Name').fill('run-role-demo');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('heading', { name: 'run-role-demo', level: 1 })).toBeVisible();
    automationUrl = page.url();
    const field = page.getByLabel('AWS role for runs');
    await expect(field).toHaveValue('');
    const option = field.locator('option', { hasText: 'runs-tagged' });
    await field.selectOption(await option.getAttribute('value') ?? '');
    await expect(page.getByRole('status').filter({ hasText: 'The next Deploy gives runs this role' })).toBeVisible();

    await page.reload();
    await hydrated(page);
    await expect(page.getByLabel('AWS role for runs')).toHaveValue(await option.getAttribute('value') ?? 'none');
  });

  test('a run of its deployment gets the role, a token for this automation with session tags, and the ID-token address', async ({ page }) => {
    await signIn(page, admin);
    await page.goto(automationUrl);
    await hydrated(page);
    await page.getByRole('button', { name: 'Deploy' }).click();
    const panel = page.getByRole('region', { name: 'Deployment 1 created' });
    const token = await panel.getByLabel('Deployment token', { exact: true }).inputValue();
    const automation = automationUrl.split('/').pop();

    const seen = runSees(token);
    expect(seen.env.AWS_ROLE_ARN).toBe(role);
    expect(seen.env.AWS_ROLE_SESSION_NAME).toMatch(/^wisp-run-role-demo-[0-9a-f]{8}$/);
    expect([seen.env.AWS_REGION, seen.env.AWS_DEFAULT_REGION]).toEqual(['us-east-1', 'us-east-1']);
    expect(seen.env.WISP_ID_TOKEN_REQUEST_URL).toBe(`${server}/api/v1/id-tokens`);
    expect(seen.claims.sub).toBe(`organization:${demoOrgId}:automation:${automation}`);
    expect(seen.claims.aud).toBe('sts.amazonaws.com');
    expect(seen.claims['https://aws.amazon.com/tags']).toEqual({
      principal_tags: { 'wisp-automation': [automation], 'wisp-org': [demoOrgId] },
      transitive_tag_keys: [],
    });
  });

  test('the Trust policy panel gives the policy for that automation\'s runs, with sts:TagSession', async ({ page }) => {
    await signIn(page, admin);
    await page.goto('/settings/workload-identity');
    await hydrated(page);
    await configRow(page, 'runs-tagged').getByRole('button', { name: 'Trust policy' }).click();
    const trustFor = page.getByLabel('Trust policy for');
    await trustFor.selectOption({ label: 'Runs of run-role-demo (its AWS role for runs)' });
    const automation = automationUrl.split('/').pop();
    const policy = page.getByLabel('Trust policy', { exact: true });
    await expect(policy).toContainText(`organization:${demoOrgId}:automation:${automation}`);
    await expect(policy).toContainText('sts:TagSession');
    await trustFor.selectOption({ label: 'This organization: reading secrets at kickoff' });
    await expect(policy).not.toContainText(':automation:');
  });

  test('a viewer sees the role but cannot change it', async ({ page }) => {
    await signIn(page, viewer);
    await page.goto(automationUrl);
    await hydrated(page);
    await expect(page.getByLabel('AWS role for runs')).toBeDisabled();
    await expect(page.getByLabel('AWS role for runs').locator('option:checked')).toContainText('runs-tagged');
  });
});
