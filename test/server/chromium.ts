/**
 * Debian's Chromium driven by playwright-core (never a browser download): the dashboard's browser
 * tests and the dashboard CPU bench launch it the same way. `.ci/run` installs the package.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** false when Chromium is installed, else the reason a browser test is skipped */
export const chromiumMissing: false | string = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} not installed (apt-get install chromium)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}
