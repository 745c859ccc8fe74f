/**
 * Debian's Chromium (`apt-get install -y chromium`) driven by playwright-core, headless, for the
 * browser test and the browser bench: no sandbox (containers and CI run as root), no GPU, no
 * background networking or component updates, a fresh profile in a temporary folder that
 * `close()` removes.
 *
 * @example
 * const browser = await launchChromium();
 * const page = await browser.context.newPage();
 * await page.goto(url);
 * await browser.close();
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** Why the browser checks cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`;
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(options: { downloads?: string } = {}): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), "recurrent-chromium-"));
  // launchPersistentContext passes the profile as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    acceptDownloads: true,
    downloadsPath: options.downloads,
    viewport: { width: 1100, height: 1400 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
