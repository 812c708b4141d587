// Draws the app's logos (assets/logo.png 320×320, assets/logo-small.png 128×128) without any
// image library: a tiny anti-aliased rasteriser plus a PNG encoder over node:zlib. Run it after
// changing the design; the PNGs are committed. assets/logo.svg is the same drawing as vector.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BACKGROUND = [3, 54, 61];
const FOREGROUND = [255, 255, 255];

/** Coverage (0..1) of the logo's white mark at a point in unit space (0..1 × 0..1). */
function mark(x, y) {
  const dx = x - 0.5;
  const dy = y - 0.5;
  const r = Math.hypot(dx, dy);
  const angle = (Math.atan2(dy, dx) * 180) / Math.PI; // -180..180, 0 = east, clockwise (y down)
  // A circular arrow: ring from -140° to 150°, open at the top left, with a head at -140°.
  const ring = r > 0.22 && r < 0.3 && angle > -140 && angle < 170;
  // Arrowhead: a triangle pointing clockwise at the ring's start.
  const hx = 0.5 + 0.26 * Math.cos((-140 * Math.PI) / 180);
  const hy = 0.5 + 0.26 * Math.sin((-140 * Math.PI) / 180);
  const inHead = inTriangle(x, y, [hx - 0.12, hy + 0.02], [hx + 0.05, hy - 0.1], [hx + 0.07, hy + 0.1]);
  // The currency bar in the middle.
  const bar = Math.abs(dx) < 0.035 && Math.abs(dy) < 0.13;
  return ring || inHead || bar ? 1 : 0;
}

function inTriangle(px, py, a, b, c) {
  const sign = (p1, p2, p3) => (p1[0] - p3[0]) * (p2[1] - p3[1]) - (p2[0] - p3[0]) * (p1[1] - p3[1]);
  const p = [px, py];
  const d1 = sign(p, a, b);
  const d2 = sign(p, b, c);
  const d3 = sign(p, c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

/** Rounded-square background coverage. */
function background(x, y) {
  const radius = 0.18;
  const qx = Math.max(Math.abs(x - 0.5) - (0.5 - radius), 0);
  const qy = Math.max(Math.abs(y - 0.5) - (0.5 - radius), 0);
  return Math.hypot(qx, qy) <= radius ? 1 : 0;
}

function render(size) {
  const samples = 4; // 4×4 supersampling for smooth edges
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0 + RGBA
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          const b = background(x, y);
          bg += b;
          fg += b * mark(x, y);
        }
      }
      const n = samples * samples;
      const alpha = bg / n;
      const white = bg === 0 ? 0 : fg / bg;
      const o = 1 + px * 4;
      for (let ch = 0; ch < 3; ch++) {
        row[o + ch] = Math.round(BACKGROUND[ch] * (1 - white) + FOREGROUND[ch] * white);
      }
      row[o + 3] = Math.round(alpha * 255);
    }
    rows.push(row);
  }
  return encodePng(size, size, Buffer.concat(rows));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(width, height, scanlines) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(scanlines, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const assets = new URL('../assets/', import.meta.url);
writeFileSync(new URL('logo.png', assets), render(320));
writeFileSync(new URL('logo-small.png', assets), render(128));
console.log('wrote assets/logo.png (320×320) and assets/logo-small.png (128×128)');
