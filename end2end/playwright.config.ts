import { defineConfig } from '@playwright/test';

// The test command (scripts/test.sh) starts wisp and seeds it, then passes its address here.
const baseURL = process.env.WISP_E2E_URL;
if (!baseURL) throw new Error('WISP_E2E_URL is not set: run the browser tests through scripts/test.sh');

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  // Credentials build on the Workload Identity configs and use the same local AWS (whose faults
  // are global): they run once the rest has finished, and automations after them.
  projects: [
    { name: 'main', testIgnore: /secret-providers|automations|deployments|audit-log|iam-assistant|accessibility|navigation|run-roles|vault/ },
    // Vault in an organization and an OpenBao of its own: beside everything else.
    { name: 'vault', testMatch: /vault/ },
    { name: 'credentials', testMatch: /secret-providers/, dependencies: ['main'] },
    // Automations read secrets through the credentials those tests leave.
    { name: 'automations', testMatch: /automations/, dependencies: ['credentials'] },
    // Deploys read those secrets, and rotate one of their own.
    { name: 'deployments', testMatch: /deployments/, dependencies: ['automations'] },
    // The log of everything the stories above changed.
    { name: 'audit-log', testMatch: /audit-log/, dependencies: ['deployments'] },
    // IAM in the local AWS, once the stories that read its secrets are done.
    { name: 'iam-assistant', testMatch: /iam-assistant/, dependencies: ['deployments'] },
    // AWS roles for runs: a config and an automation of their own, after the log was read.
    { name: 'run-roles', testMatch: /run-roles/, dependencies: ['audit-log', 'iam-assistant'] },
    // Every page checked by axe-core last, when the stories above have filled them.
    { name: 'accessibility', testMatch: /accessibility/, dependencies: ['run-roles'] },
    // Every page loaded directly, reached in the app and reloaded, once they all have content.
    { name: 'navigation', testMatch: /navigation/, dependencies: ['run-roles'] },
  ],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
});
