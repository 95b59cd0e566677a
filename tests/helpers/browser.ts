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
 * removed when the process exits) and, when CREDLINK_SCREENSHOT_DIR is set, copies it there to
 * keep. Returns the path.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  if (shots === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-screens-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    shots = dir;
  }
  const file = path.join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const copyTo = process.env.CREDLINK_SCREENSHOT_DIR;
  if (copyTo) {
    fs.mkdirSync(copyTo, { recursive: true });
    fs.copyFileSync(file, path.join(copyTo, `${name}.png`));
  }
  console.log(`screenshot: ${file}${copyTo ? ` (copied to ${copyTo})` : ' (removed at exit: set CREDLINK_SCREENSHOT_DIR to keep it)'}`);
  return file;
}
