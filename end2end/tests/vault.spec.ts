import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { env, hydrated, signIn } from './helpers';

const owner = { email: env('WISP_E2E_VAULT_OWNER_EMAIL'), password: env('WISP_E2E_VAULT_OWNER_PASSWORD') };
const vaultOrg = env('WISP_E2E_VAULT_ORG_ID');
const baoAddr = env('BAO_ADDR');
const baoBin = env('WISP_E2E_BAO_BIN');
const wispBin = env('WISP_E2E_WISP_BIN');
const server = env('WISP_E2E_URL');
const tokenFile = join(mkdtempSync(join(tmpdir(), 'wisp-e2e-vault-token-')), 'token');
let automationUrl = '';

/** A shell of the Vault admin: `bao` on the PATH, the admin's token in BAO_TOKEN. */
function asVaultAdmin(script: string) {
  return execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
    encoding: 'utf8',
    env: {
      PATH: `${dirname(baoBin)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: tmpdir(),
      BAO_ADDR: baoAddr,
      BAO_TOKEN: env('BAO_TOKEN'),
    },
  });
}

function kvPut(path: string, fields: string) {
  asVaultAdmin(`bao kv put -mount=secret ${path} ${fields} >/dev/null`);
}

/** A worker's run: `wisp run --server … --token-file … -- printenv KEY`. */
function workerRun(key: string) {
  return spawnSync(wispBin, ['run', '--server', server, '--token-file', tokenFile, '--', 'printenv', key], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
}

async function openSettings(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
}

function row(page: Page, name: string) {
  return page.getByRole('row').filter({ hasText: name });
}

async function testConnection(page: Page, name: string) {
  await row(page, name).getByRole('button', { name: 'Test Connection' }).click();
  return page.getByRole('region', { name: 'Test Connection result' }).last();
}

async function addVaultConfig(page: Page, name: string, role: string, audience = '') {
  await page.getByRole('button', { name: 'Add Workload Identity Config' }).click();
  await page.getByLabel('Cloud Provider').selectOption({ label: 'HashiCorp Vault' });
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Vault Address').fill(baoAddr);
  await page.getByLabel('Vault Role').fill(role);
  if (audience) await page.getByLabel('Audience').fill(audience);
}

// The Vault story, in its own organization and against a real OpenBao the test command started:
// its admin runs the commands Wisp gives, then configs, a KV credential, a secret picked from
// Vault's folders, and kickoffs that read a rotated value fresh.
test.describe.serial('HashiCorp Vault (OpenBao) as a secret provider', () => {
  test('an admin adds a Vault config, runs the commands it gives against OpenBao, and the login passes', async ({ page }) => {
    await signIn(page, owner);
    await openSettings(page, 'Workload Identity');
    await addVaultConfig(page, 'vault-local', 'wisp-e2e');
    for (const hidden of ['AWS Role ARN', 'AWS Region', 'Session tags']) {
      await expect(page.getByLabel(hidden, { exact: true })).toHaveCount(0);
    }
    await expect(page.getByLabel('JWT Auth Mount')).toHaveValue('jwt');
    await expect(page.getByLabel('Set as default for HashiCorp Vault')).toBeChecked();

    const setup = page.getByRole('region', { name: 'Vault setup' });
    await setup.getByLabel('Policy path prefix').fill('e2e');
    await setup.getByLabel('Policy path prefix').press('Tab');
    const commands = setup.getByLabel('Vault commands', { exact: true });
    await expect(commands).toContainText('path "secret/data/e2e/*"');
    await expect(commands).toContainText(`organization:${vaultOrg}:automation:*`);
    await expect(commands).toContainText(`export BAO_ADDR=${baoAddr}`);
    await expect(setup.getByRole('button', { name: 'Copy vault commands' })).toBeVisible();
    // Run exactly what the page shows, as the Vault admin would paste it.
    asVaultAdmin((await commands.textContent())!);

    await page.getByRole('button', { name: 'Create' }).click();
    const config = row(page, 'vault-local');
    await expect(config).toContainText('HashiCorp Vault');
    await expect(config).toContainText('wisp-e2e');
    await expect(config).toContainText(baoAddr);
    await expect(config).toContainText('(default)');
    await expect(config.getByRole('button', { name: 'Set up in AWS' })).toHaveCount(0);

    const result = await testConnection(page, 'vault-local');
    await expect(result.getByRole('heading', { name: 'Connection works' })).toBeVisible();
    await expect(result.locator('[data-status="passed"]')).toHaveCount(3);
    await expect(result.locator('li.step').last()).toContainText('Logged in at auth/jwt with role wisp-e2e');
    await expect(result).toContainText('plain http');
  });

  test('Test Connection says why Vault refused: a role it does not have, an audience the role does not list', async ({ page }) => {
    await signIn(page, owner);
    await openSettings(page, 'Workload Identity');
    await addVaultConfig(page, 'vault-no-role', 'nope');
    await expect(page.getByLabel('Set as default for HashiCorp Vault')).not.toBeChecked();
    await page.getByRole('button', { name: 'Create' }).click();
    let result = await testConnection(page, 'vault-no-role');
    await expect(result.getByRole('heading', { name: 'Connection failed at JWT login' })).toBeVisible();
    await expect(result.locator('[data-status="failed"]')).toContainText('role_not_found');
    await expect(result.locator('[data-status="failed"]')).toContainText('Vault said:');
    await expect(result.locator('[data-status="failed"]')).toContainText('bao write auth/jwt/role/nope');

    await addVaultConfig(page, 'vault-other-audience', 'wisp-e2e', 'https://not-this-vault.example.com');
    await page.getByRole('button', { name: 'Create' }).click();
    result = await testConnection(page, 'vault-other-audience');
    await expect(result.locator('[data-status="failed"]')).toContainText('audience_mismatch');
    await expect(result.locator('[data-status="failed"]')).toContainText('https://not-this-vault.example.com');

    // Bad input is refused field by field, with what to write.
    await page.getByRole('button', { name: 'Add Workload Identity Config' }).click();
    await page.getByLabel('Cloud Provider').selectOption({ label: 'HashiCorp Vault' });
    await page.getByLabel('Name', { exact: true }).fill('vault-typo');
    await page.getByLabel('Vault Address').fill('vault.example.com/v1');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.locator('#wi-vault-address-error')).toContainText('lacks its scheme');
    await expect(page.locator('#wi-vault-role-error')).toContainText('Enter the JWT auth role');
  });

  test('a Vault KV v2 credential signs in through the default Vault config and lists its mount', async ({ page }) => {
    await signIn(page, owner);
    await openSettings(page, 'Secret Provider Credentials');
    await page.getByRole('button', { name: 'Add Credential' }).click();
    await page.getByLabel('Provider', { exact: true }).selectOption({ label: 'Vault KV v2' });
    await expect(page.getByLabel('Authentication Method').locator('option')).toHaveText(['Workload Identity']);
    await expect(page.getByLabel('Workload Identity Configuration').locator('option:checked')).toHaveText('vault-local (default)');
    await expect(page.getByLabel('Workload Identity Configuration').locator('option')).toHaveCount(3);
    await expect(page.getByLabel('KV Mount')).toHaveValue('secret');
    await expect(page.getByLabel('AWS Region')).toHaveCount(0);
    await page.getByLabel('Name', { exact: true }).fill('vault-kv');
    await page.getByRole('button', { name: 'Create' }).click();
    const credential = row(page, 'vault-kv');
    await expect(credential).toContainText('Vault KV v2');
    await expect(credential).toContainText('vault-local');
    await expect(credential).toContainText('secret/');
    await expect(credential).toContainText('(default)');

    const result = await testConnection(page, 'vault-kv');
    await expect(result.getByRole('heading', { name: 'Connection works' })).toBeVisible();
    await expect(result.locator('[data-status="passed"]')).toHaveCount(5);
    await expect(result.locator('li.step').last()).toContainText('LIST of the KV mount');
  });

  test('Secret Name lists Vault folders and goes down into the one picked', async ({ page }) => {
    kvPut('e2e/db', 'user=app password=pw-v1');
    kvPut('e2e/api/token', 'value=t0ken');
    await signIn(page, owner);
    await page.goto('/automations');
    await hydrated(page);
    await page.getByRole('button', { name: 'New Automation' }).click();
    await page.getByLabel('Name').fill('vault-nightly');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('heading', { name: 'vault-nightly', level: 1 })).toBeVisible();
    automationUrl = page.url();

    await page.getByRole('button', { name: 'Add Variable' }).click();
    await page.getByLabel('Key').fill('DB_PASSWORD');
    await page.getByLabel('Source').selectOption({ label: 'Secret' });
    await expect(page.getByLabel('Credential').locator('option:checked')).toContainText('vault-kv (default)');
    const field = page.getByRole('combobox', { name: 'Secret Name' });
    const listbox = page.getByRole('listbox', { name: 'Secret names' });
    const options = listbox.getByRole('option');
    await field.pressSequentially('e', { delay: 40 });
    await expect(options).toHaveText(['e2e/']);
    await field.press('ArrowDown');
    await field.press('Enter');
    await expect(field).toHaveValue('e2e/');
    // A folder picked lists what is in it, without another keystroke.
    await expect(options).toHaveText(['e2e/api/', 'e2e/db']);
    await field.pressSequentially('d', { delay: 40 });
    await expect(options).toHaveText(['e2e/db']);
    await field.press('ArrowDown');
    await field.press('Enter');
    await expect(field).toHaveValue('e2e/db');
    await expect(listbox).toBeHidden();
    await page.getByLabel('JSON Key').fill('password');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('tr[data-key="DB_PASSWORD"]')).toContainText('rotation-aware');
    await expect(page.locator('tr[data-key="DB_PASSWORD"]')).toContainText('e2e/db');
  });

  test('a worker kicks off with the Vault value, and a rotation reaches the next run', async ({ page }) => {
    await signIn(page, owner);
    await page.goto(automationUrl);
    await hydrated(page);
    await page.getByRole('button', { name: 'Deploy' }).click();
    const panel = page.getByRole('region', { name: 'Deployment 1 created' });
    const token = await panel.getByLabel('Deployment token', { exact: true }).inputValue();
    writeFileSync(tokenFile, token, { mode: 0o600 });
    await panel.getByRole('button', { name: 'Done' }).click();

    const first = workerRun('DB_PASSWORD');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe('pw-v1');
    kvPut('e2e/db', 'user=app password=pw-v2');
    const second = workerRun('DB_PASSWORD');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout.trim()).toBe('pw-v2');

    await page.reload();
    await hydrated(page);
    const kickoffs = page.locator('table.kickoffs tbody tr');
    await expect(kickoffs).toHaveCount(2);
    const print = (i: number) => kickoffs.nth(i).locator('li[data-key="DB_PASSWORD"] code.fingerprint');
    await expect(print(0)).toHaveText(/^[0-9a-f]{12}$/);
    expect(await print(0).textContent()).not.toBe(await print(1).textContent());
    await expect(page.locator('body')).not.toContainText('pw-v');

    // A secret that is gone fails the run, naming the variable, and runs nothing.
    asVaultAdmin('bao kv metadata delete -mount=secret e2e/db >/dev/null');
    const refused = workerRun('DB_PASSWORD');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('DB_PASSWORD');
    expect(refused.stderr).toContain('secret_not_found');
    expect(refused.stdout).toBe('');
  });
});
