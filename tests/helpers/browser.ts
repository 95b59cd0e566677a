/**
 * Real headless Chromium for tests that look at rendered pages: Debian's `chromium` package
 * driven by Playwright through `executablePath` (never `npx playwright install`: no downloads here).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';

export const CHROMIUM = '/usr/bin/chromium';

export function hasChromium(): boolean {
  return fs.existsSync(CHROMIUM);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
}

let shots: string | undefined;

/**
 * Saves a full-page screenshot as a PNG in this test process's screenshot folder (a temp dir,
 * printed so it shows in the test output) and, when CREDLINK_SCREENSHOT_DIR is set, copies it
 * there too. Returns the path.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  shots ??= fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-screens-'));
  const file = path.join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const copyTo = process.env.CREDLINK_SCREENSHOT_DIR;
  if (copyTo) {
    fs.mkdirSync(copyTo, { recursive: true });
    fs.copyFileSync(file, path.join(copyTo, `${name}.png`));
  }
  console.log(`screenshot: ${file}${copyTo ? ` (copied to ${copyTo})` : ''}`);
  return file;
}
