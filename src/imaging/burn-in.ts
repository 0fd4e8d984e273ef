import pixelFonts from 'js-pixel-fonts';

/**
 * Drawing into an 8-bit grayscale image (row by row, i fastest):
 * the outline of a mask, and lines of text in the 7-pixel Seven Plus font of js-pixel-fonts. Pure
 * but for the image they draw into.
 */

export const WHITE = 255;
const BLACK = 0;

/**
 * Outlines a mask so it shows on dark and bright tissue alike: the unset pixels touching it white,
 * its own pixels touching an unset pixel or the image edge black (4-neighbourhood).
 */
export function burnOutline(image: Uint8Array, mask: Uint8Array, columns: number, rows: number): void {
  const set = (i: number, j: number) => i >= 0 && j >= 0 && i < columns && j < rows && mask[i + columns * j] === 1;
  const touchesSet = (i: number, j: number) => set(i - 1, j) || set(i + 1, j) || set(i, j - 1) || set(i, j + 1);
  const inside = (i: number, j: number) => set(i - 1, j) && set(i + 1, j) && set(i, j - 1) && set(i, j + 1);
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < columns; i++) {
      if (set(i, j)) {
        if (!inside(i, j)) image[i + columns * j] = BLACK;
      } else if (touchesSet(i, j)) image[i + columns * j] = WHITE;
    }
  }
}

/** Characters the font has; others are drawn as '?'. */
const printable = (line: string) => [...line].map((c) => (c in pixelFonts.fonts.sevenPlus.glyphs && c !== '' ? c : '?')).join('');

type Glyphs = ReturnType<typeof pixelFonts.renderPixels>;
const render = (text: string): Glyphs => pixelFonts.renderPixels(text, pixelFonts.fonts.sevenPlus);
const widthOf = (glyphs: Glyphs) => Math.max(0, ...glyphs.map((r) => r.length));

/** A line rendered, wrapped at spaces so each part is at most `width` font pixels wide (a longer word stays whole). */
function wrapped(line: string, width: number): Glyphs[] {
  const out: string[] = [];
  for (const word of line.split(' ')) {
    const last = out[out.length - 1];
    if (last !== undefined && widthOf(render(`${last} ${word}`)) <= width) out[out.length - 1] = `${last} ${word}`;
    else out.push(word);
  }
  return out.map(render);
}

/**
 * Writes `lines` white on black from the top left corner, each glyph pixel `scale` x `scale`
 * image pixels, a blank font row above and below each line, wrapped at spaces to the width; a
 * word wider than the image, or text below its bottom, is cut.
 */
export function burnText(image: Uint8Array, columns: number, rows: number, lines: string[], scale: number): void {
  const font = pixelFonts.fonts.sevenPlus;
  let top = 0;
  for (const glyphs of lines.flatMap((line) => wrapped(printable(line), Math.floor(columns / scale) - 2))) {
    const width = Math.min(columns, (widthOf(glyphs) + 2) * scale);
    const height = (Math.max(font.lineHeight, glyphs.length) + 2) * scale;
    for (let y = top; y < Math.min(rows, top + height); y++) image.fill(BLACK, y * columns, y * columns + width);
    glyphs.forEach((row, gy) => {
      row.forEach((on, gx) => {
        if (!on) return;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const x = (gx + 1) * scale + dx;
            const y = top + (gy + 1) * scale + dy;
            if (x < columns && y < rows) image[x + columns * y] = WHITE;
          }
        }
      });
    });
    top += height;
  }
}
