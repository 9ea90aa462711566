import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunLog, StepLog } from '../../src/stores/run-log/types';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The Debian `chromium` package's binary: the only browser these tests use (no download). */
export const CHROMIUM = process.env.RUNNABLE_TEST_CHROMIUM ?? '/usr/bin/chromium';

export class ChromiumMissingError extends Error {}

/** Fails loudly when the browser is missing: a browser test must never pass without a browser. */
export function assertChromium(binary = CHROMIUM): void {
  if (!fs.existsSync(binary)) {
    throw new ChromiumMissingError(
      `Chromium not found at ${binary}. The report's browser tests need the Debian package 'chromium': ` +
        `apt-get update && apt-get install -y chromium   (or point RUNNABLE_TEST_CHROMIUM at a Chromium binary).`,
    );
  }
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile (a new --user-data-dir, passed by launchPersistentContext), no network services, no first-run or sync noise. */
export async function launchBrowser(viewport = { width: 1400, height: 900 }): Promise<Browser> {
  assertChromium();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface OpenedPage {
  page: Page;
  /** Console errors and warnings, uncaught exceptions, failed requests. */
  problems: string[];
  /** Every URL the page asked for (the report must ask for nothing but itself). */
  requests: string[];
}

/** Opens a local HTML file and records what went wrong while it loads and runs. */
export function openFile(browser: Browser, file: string): Promise<OpenedPage> {
  return openUrl(browser, `file://${path.resolve(file)}`);
}

/** Opens a page (served over HTTP, or a file:// URL) and records what went wrong while it loads and runs. */
export async function openUrl(browser: Browser, url: string): Promise<OpenedPage> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, requests };
}

/** Bars a report or run page must draw: one per attempt of every step (failed ones counted), one per branch and composite. */
export function expectedBars(log: RunLog): { total: number; failed: number } {
  let total = 0;
  let failed = 0;
  const visit = (steps: Record<string, StepLog>, inBranch: boolean) => {
    for (const s of Object.values(steps)) {
      if (inBranch && (s.step_type === 'success' || s.step_type === 'fail')) continue;
      if (Object.keys(s.branches).length || ['map', 'parallel', 'conditional', 'loop'].includes(s.step_type)) {
        total += 1;
        for (const b of Object.values(s.branches)) {
          total += 1;
          visit(b.steps, true);
        }
      } else {
        total += s.attempts.length;
        failed += s.attempts.filter((a) => a.status === 'FAIL').length;
      }
    }
  };
  visit(log.steps, false);
  return { total, failed };
}
