/**
 * Debian's Chromium driven by playwright-core (never a browser download): the dashboard's browser
 * tests and the dashboard CPU bench launch it the same way. `.ci/run` installs the package.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

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

/**
 * A new page at `url` that records console errors and accepts every dialog: a prompt (the control
 * token) is answered with `token`; `dialogs` lists their types in order.
 */
export async function openDashboard(
  browser: Browser,
  url: string,
  token = "",
): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.type());
    void (d.type() === "prompt" ? d.accept(token) : d.accept());
  });
  await page.goto(url);
  return { page, errors, dialogs };
}
