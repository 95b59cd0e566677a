/**
 * Real headless Chromium for tests that look at rendered pages: Debian's `chromium` package
 * driven by Playwright through `executablePath` (never `npx playwright install`: no downloads here).
 */
import fs from 'node:fs';
import { chromium, type Browser } from '@playwright/test';

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
