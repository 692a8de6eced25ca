// The README's screenshot of a candidacy in the Temporal UI, payloads opened by the API's codec.
// Goes the operator's way: codec session with the ops token, then the UI's codec settings.
//   npm i playwright-core   (in a directory of your own; Chromium at /usr/bin/chromium)
//   node docs/ui_screenshot.mjs <ui url> <api url> <ops token> <candidacy id> <png>
import { chromium } from 'playwright-core';

const [ui, api, token, candidacyId, png] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1800, height: 1900 } });
const click = (text) => page.locator(`text=${text} >> visible=true`).first().click();

await page.goto(`${api}/codec/session`);
await page.fill('input[name=token]', token);
await Promise.all([page.waitForLoadState(), page.click('button')]);

await page.goto(`${ui}/namespaces/default/workflows`);
await page.locator('[data-testid^=data-encoder-status]').first().click();
await click('Use my browser setting');
await page.getByRole('dialog').getByRole('textbox').fill(`${api}/codec`);
await click('Include cross-origin credentials');
await click('Apply');

await page.goto(`${ui}/namespaces/default/workflows/${candidacyId}`);
for (const step of ['Event History', 'Compact', 'request_interview']) {
  await click(step);
  await page.waitForTimeout(3000);
}
await page.screenshot({ path: png });
await browser.close();
