/**
 * Headless Chromium for screenshot tests: Debian's `chromium` package (or $CHROMIUM), run with no
 * network side traffic, a throwaway profile, and a fixed window so pixel positions are stable.
 */

import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The Debian package `.ci/run` installs. */
export const CHROMIUM_PACKAGE = 'chromium';

export function findChromium(): string | undefined {
  const candidates = [
    process.env.CHROMIUM,
    ...['chromium', 'chromium-browser', 'google-chrome'].flatMap((name) =>
      (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, name)),
    ),
  ];
  return candidates.find((file) => {
    if (file === undefined || file === '') return false;
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export async function screenshot(
  chromium: string,
  htmlFile: string,
  pngFile: string,
  width = 1280,
  height = 2000,
): Promise<void> {
  const profile = await mkdtemp(path.join(tmpdir(), 'aic-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    `--screenshot=${pngFile}`,
    `--window-size=${String(width)},${String(height)}`,
    pathToFileURL(htmlFile).href,
  ];
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(chromium, args, { timeout: 60_000 }, (err, _stdout, stderr) => {
        if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr}`));
        else resolve();
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
