import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The Swagger UI explorer in a real browser (Debian's chromium, driven by playwright-core):
 * authorize with the API key scheme, create an integration with "Try it out", see the 201.
 * The page may only talk to the loopback test server: every other request is aborted and the
 * test fails if one was attempted (the UI's assets are served by @nestjs/swagger, no CDN).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ARTIFACTS = join(__dirname, 'artifacts');
const STEP_TIMEOUT = 15_000;
const ROUTE = '/v1/integrations';

if (!hasChromium) {
  console.warn(
    `[swagger-ui browser test] SKIPPED: no chromium at ${CHROMIUM} ` +
      '(install it with `apt-get install -y --no-install-recommends chromium`, or set CHROMIUM_PATH).',
  );
}

function isLoopback(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
}

function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** The operation from its summary down to the live response (what a reviewer wants to see). */
async function liveScreenshot(page: Page, operation: Locator, live: Locator): Promise<void> {
  const top = await operation.boundingBox();
  const bottom = await live.boundingBox();
  if (!top || !bottom) return;
  const scroll = Number(await page.evaluate('window.scrollY'));
  const y = top.y + scroll;
  await page.screenshot({
    path: artifact('swagger-ui-live-response.png'),
    fullPage: true,
    clip: { x: top.x, y, width: top.width, height: bottom.y + scroll + bottom.height - y },
  });
}

describe('Swagger UI explorer (real chromium)', () => {
  let testApp: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const blocked: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!hasChromium) return;
    testApp = await startTestApp();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    context.setDefaultTimeout(STEP_TIMEOUT);
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (isLoopback(url) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
  }, 60_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await testApp?.close();
  });

  (hasChromium ? it : it.skip)(
    'authorizes with "ApiKey <key>", creates an integration with Try it out, and shows the 201',
    async () => {
      const org = await testApp.bootstrap('Swagger UI');
      const key = org.environments[0].apiKey;
      try {
        await page.goto(`${testApp.baseUrl}/api`, { waitUntil: 'load' });

        // Authorize: the API key scheme `secretKey` takes the whole header value. (The dialog's buttons
        // carry aria-labels such as "Apply credentials" / "Remove authorization", so match their text.)
        await page.locator('.scheme-container button.authorize').click();
        const dialog = page.locator('.dialog-ux .modal-ux');
        await dialog.waitFor({ state: 'visible' });
        const apiKeyAuth = dialog.locator('.auth-container').filter({ hasText: 'secretKey' });
        await apiKeyAuth.locator('input').fill(`ApiKey ${key}`);
        await apiKeyAuth.locator('button.modal-btn', { hasText: /^Authorize$/ }).click();
        await apiKeyAuth.locator('button.modal-btn', { hasText: /^Logout$/ }).waitFor({ state: 'visible' });
        await apiKeyAuth.locator('button.modal-btn', { hasText: /^Close$/ }).click();
        await dialog.waitFor({ state: 'detached' });

        // POST /v1/integrations → Try it out → body → Execute.
        const operation = page.locator('#operations-Integrations-IntegrationsController_createIntegration');
        await operation.locator('.opblock-summary').first().click();
        await operation.locator('button.try-out__btn').click();
        const body = operation.locator('textarea.body-param__text');
        await body.waitFor({ state: 'visible' });
        await body.fill(JSON.stringify({ providerId: 'sendgrid', channel: 'email' }, null, 2));
        const responsePromise = page.waitForResponse(
          (response) => response.url().startsWith(`${testApp.baseUrl}${ROUTE}`) && response.request().method() === 'POST',
        );
        await operation.locator('button.execute').click();
        const wire = await responsePromise;
        expect(wire.status()).toBe(201);
        expect(await wire.request().headerValue('authorization')).toBe(`ApiKey ${key}`);

        // The live response section of the UI shows the 201 and the created integration.
        const live = operation.locator('.live-responses-table .response');
        await live.first().waitFor({ state: 'visible' });
        await expect(live.locator('.response-col_status').first().innerText()).resolves.toMatch(/^\s*201\b/);
        const shownBody = await live.locator('.response-col_description .microlight, .response-col_description pre').first().innerText();
        const shown = JSON.parse(shownBody) as { data: { _id: string; providerId: string; channel: string } };
        expect(shown.data).toMatchObject({ providerId: 'sendgrid', channel: 'email' });
        await page.screenshot({ path: artifact('swagger-ui-after-201.png'), fullPage: true });
        await liveScreenshot(page, operation, live.first());

        // The integration really exists: list it with the same key, outside the browser.
        const listed = await fetch(`${testApp.baseUrl}${ROUTE}`, { headers: { Authorization: `ApiKey ${key}` } });
        expect(listed.status).toBe(200);
        const list = (await listed.json()) as { data: { _id: string; providerId: string; channel: string }[] };
        expect(list.data).toEqual(
          expect.arrayContaining([expect.objectContaining({ _id: shown.data._id, providerId: 'sendgrid', channel: 'email' })]),
        );

        expect(blocked).toEqual([]); // the explorer needs nothing beyond the test server
        expect(pageErrors).toEqual([]);
      } catch (error) {
        const file = artifact(`swagger-ui-failure-${Date.now()}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
        console.error(
          `[swagger-ui browser test] failed; screenshot: ${file}` +
            (blocked.length ? `; blocked non-loopback requests: ${blocked.join(', ')}` : ''),
        );
        throw error;
      }
    },
    90_000,
  );
});
