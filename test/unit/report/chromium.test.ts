/**
 * The HTML report rendered by headless Chromium, checked on the pixels: the page is not blank, the
 * signature banner has the colour of the verdict (green verified, red tampered, amber not checked)
 * and the failed requirement's red badge is on the page. Skipped, with the reason, where Chromium
 * is not installed (Debian package `chromium`). AIC_SCREENSHOTS=<dir> keeps the PNGs for a look.
 */

import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { buildReport } from '../../../src/report/data.js';
import { BANNER_COLOURS, renderHtml } from '../../../src/report/html.js';
import { removeDir } from '../product/fixture.js';
import { CHROMIUM_PACKAGE, findChromium, screenshot } from './chromium.js';
import { reportFixture, type ReportFixture } from './fixture.js';
import { decodePng, distinctColours, dominantColour, hexColour, near, pixel, type Image } from './png.js';

const WIDTH = 1280;
const HEIGHT = 2000;
/** The banner spans the full width and is at least 112 px tall; sample well inside it. */
const BANNER = { x0: 0, y0: 0, x1: WIDTH, y1: 90 };

function countNear(img: Image, colour: [number, number, number], y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y += 1) for (let x = 0; x < img.width; x += 1) if (near(pixel(img, x, y), colour, 3)) n += 1;
  return n;
}

describe('report in headless Chromium', function () {
  this.timeout(120_000);
  const chromium = findChromium();
  let fx: ReportFixture | undefined;

  before(async function () {
    if (chromium === undefined) {
      console.log(
        `    (skipped: headless Chromium not found; install the Debian package "${CHROMIUM_PACKAGE}" or set $CHROMIUM)`,
      );
      this.skip();
    }
    fx = await reportFixture();
  });
  const fixture = (): ReportFixture => {
    if (fx === undefined) throw new Error('fixture not built');
    return fx;
  };
  after(async () => {
    if (fx !== undefined) await removeDir(fx.root);
  });

  async function render(name: string, source: string, key?: string): Promise<Image> {
    const data = await buildReport({ source, ...(key === undefined ? {} : { key }) });
    const html = path.join(fixture().root, `${name}.html`);
    const png = path.join(fixture().root, `${name}.png`);
    await writeFile(html, renderHtml(data));
    await screenshot(chromium ?? 'chromium', html, png, WIDTH, HEIGHT);
    const keep = process.env.AIC_SCREENSHOTS;
    if (keep !== undefined && keep !== '') {
      await mkdir(keep, { recursive: true });
      await copyFile(png, path.join(keep, `report-${name}.png`));
    }
    return decodePng(await readFile(png));
  }

  function expectPage(img: Image): void {
    expect([img.width, img.height]).to.deep.equal([WIDTH, HEIGHT]);
    // Not blank: the content below the banner has text, badges and boxes in many shades.
    expect(distinctColours(img, 0, 150, WIDTH, HEIGHT)).to.be.greaterThan(50);
    // The page background, with white sections on it.
    expect(
      near(dominantColour(img, 0, 150, WIDTH, HEIGHT), hexColour('#ffffff')) ||
        near(dominantColour(img, 0, 150, WIDTH, HEIGHT), hexColour('#f6f8fa')),
    ).to.equal(true);
    // Dark text is on the page.
    let dark = 0;
    for (let y = 150; y < 700; y += 1)
      for (let x = 0; x < WIDTH; x += 1) if (pixel(img, x, y).every((v) => v < 80)) dark += 1;
    expect(dark, 'dark text pixels under the banner').to.be.greaterThan(500);
  }

  it('signed bundle, right key: a green banner over a full page, with the red FAIL badge of the failed requirement', async () => {
    const img = await render('verified', fixture().tarball, fixture().pubFile);
    expectPage(img);
    const banner = dominantColour(img, BANNER.x0, BANNER.y0, BANNER.x1, BANNER.y1);
    expect(near(banner, hexColour(BANNER_COLOURS.verified)), `banner is rgb(${banner.join(',')})`).to.equal(true);
    expect(countNear(img, hexColour('#cf222e'), 150, HEIGHT), 'red FAIL badge pixels').to.be.greaterThan(100);
  });

  it('tampered bundle: a red banner', async () => {
    const img = await render('tampered', fixture().tampered, fixture().pubFile);
    expectPage(img);
    const banner = dominantColour(img, BANNER.x0, BANNER.y0, BANNER.x1, BANNER.y1);
    expect(near(banner, hexColour(BANNER_COLOURS.failed)), `banner is rgb(${banner.join(',')})`).to.equal(true);
  });

  it('no key: an amber "not checked" banner', async () => {
    const img = await render('unchecked', fixture().tarball);
    expectPage(img);
    const banner = dominantColour(img, BANNER.x0, BANNER.y0, BANNER.x1, BANNER.y1);
    expect(near(banner, hexColour(BANNER_COLOURS['not-checked'])), `banner is rgb(${banner.join(',')})`).to.equal(true);
  });
});
