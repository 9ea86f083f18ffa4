// Reference JavaScript port of training/math/data.py `preprocess` — what the daemon must do to a crop
// before encoder.onnx. Pure functions, no dependencies. Verified against the Python code with
//   /usr/bin/python3 training/math/check_preprocess.py && node training/math/preprocess.mjs --check /tmp/pp-check
// Input is 8-bit grayscale as PIL's convert('L') makes it (use rgbaToGray for RGB/RGBA pixels).

export const DEFAULTS = { height: 64, maxWidth: 800, widthMultiple: 32, pad: 4 };

/** PIL convert('L'): L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16 (alpha ignored). */
export function rgbaToGray(pixels, width, height, channels = 4) {
  const out = new Uint8Array(width * height);
  for (let p = 0, q = 0; p < out.length; p++, q += channels) {
    out[p] = (pixels[q] * 19595 + pixels[q + 1] * 38470 + pixels[q + 2] * 7471 + 0x8000) >>> 16;
  }
  return out;
}

const f32 = Math.fround;

/** numpy.percentile(…, q) with linear interpolation over float32 values. */
function percentile(sorted, q) {
  const idx = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(idx);
  const hi = Math.min(sorted.length - 1, lo + 1);
  const frac = idx - lo;
  return f32(sorted[lo] + f32(f32(sorted[hi] - sorted[lo]) * frac));
}

function median(sorted) {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : f32(f32(sorted[n / 2 - 1] + sorted[n / 2]) / 2);
}

/** PIL Image.resize(…, BILINEAR) for 8-bit single-channel images (Pillow's Resample.c, fixed point). */
export function resizeBilinearU8(src, sw, sh, dw, dh) {
  const PREC = 22;
  const coeffs = (inSize, outSize) => {
    const scale = inSize / outSize;
    const filterscale = Math.max(1, scale);
    const support = 1.0 * filterscale;
    const ksize = Math.ceil(support) * 2 + 1;
    const bounds = new Int32Array(outSize * 2);
    const kk = new Float64Array(outSize * ksize);
    for (let xx = 0; xx < outSize; xx++) {
      const center = (xx + 0.5) * scale;
      const ss = 1.0 / filterscale;
      let xmin = Math.trunc(center - support + 0.5);
      if (xmin < 0) xmin = 0;
      let xmax = Math.trunc(center + support + 0.5);
      if (xmax > inSize) xmax = inSize;
      xmax -= xmin;
      let ww = 0;
      for (let x = 0; x < xmax; x++) {
        let t = Math.abs((x + xmin - center + 0.5) * ss);
        const w = t < 1 ? 1 - t : 0;
        kk[xx * ksize + x] = w;
        ww += w;
      }
      for (let x = 0; x < xmax; x++) if (ww !== 0) kk[xx * ksize + x] /= ww;
      bounds[xx * 2] = xmin;
      bounds[xx * 2 + 1] = xmax;
    }
    const ik = new Float64Array(kk.length);
    for (let i = 0; i < kk.length; i++) ik[i] = kk[i] < 0 ? Math.trunc(-0.5 + kk[i] * (1 << PREC)) : Math.trunc(0.5 + kk[i] * (1 << PREC));
    return { bounds, k: ik, ksize };
  };
  const clip8 = (v) => (v >= 2 ** (PREC + 8) ? 255 : v <= 0 ? 0 : Math.floor(v / 2 ** PREC));
  const needH = dw !== sw;
  const needV = dh !== sh;
  const cv = coeffs(sh, dh);
  let img = src;
  let w = sw;
  let h = sh;
  if (needH) {
    const ch = coeffs(sw, dw);
    const yFirst = cv.bounds[0];
    const yLast = cv.bounds[dh * 2 - 2] + cv.bounds[dh * 2 - 1];
    if (needV) for (let i = 0; i < dh; i++) cv.bounds[i * 2] -= yFirst;
    const rows = needV ? yLast - yFirst : sh;
    const off = needV ? yFirst : 0;
    const tmp = new Uint8Array(dw * rows);
    for (let y = 0; y < rows; y++) {
      const srow = (y + off) * sw;
      for (let xx = 0; xx < dw; xx++) {
        const xmin = ch.bounds[xx * 2];
        const xmax = ch.bounds[xx * 2 + 1];
        let ss = 1 << (PREC - 1);
        for (let x = 0; x < xmax; x++) ss += src[srow + x + xmin] * ch.k[xx * ch.ksize + x];
        tmp[y * dw + xx] = clip8(ss);
      }
    }
    img = tmp;
    w = dw;
    h = rows;
  }
  if (needV) {
    const out = new Uint8Array(dw * dh);
    for (let yy = 0; yy < dh; yy++) {
      const ymin = cv.bounds[yy * 2];
      const ymax = cv.bounds[yy * 2 + 1];
      for (let xx = 0; xx < w; xx++) {
        let ss = 1 << (PREC - 1);
        for (let y = 0; y < ymax; y++) ss += img[(y + ymin) * w + xx] * cv.k[yy * cv.ksize + y];
        out[yy * w + xx] = clip8(ss);
      }
    }
    return out;
  }
  return img;
}

/**
 * gray: Uint8Array (width*height), 0 = black, 255 = white.
 * Returns { data: Float32Array(height*W) (ink ~1, paper 0), width: W, height, inkBox }.
 */
export function preprocessGray(gray, width, height, cfg = DEFAULTS) {
  const { height: H, maxWidth: MAXW, widthMultiple: WM, pad: PAD } = cfg;
  const n = width * height;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = f32(gray[i] / 255);
  const sorted = Float32Array.from(a).sort();
  const lo = percentile(sorted, 1);
  const bg = median(sorted);
  let x0 = 0, y0 = 0, x1 = width, y1 = height;
  let inkBox = null;
  if (bg - lo >= 0.15) {
    const thr = f32(lo + 0.5 * (bg - lo));
    let rmin = -1, rmax = -1, cmin = width, cmax = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (a[y * width + x] < thr) {
          if (rmin < 0) rmin = y;
          rmax = y;
          if (x < cmin) cmin = x;
          if (x > cmax) cmax = x;
        }
      }
    }
    if (rmin >= 0) {
      y0 = rmin; y1 = rmax + 1; x0 = cmin; x1 = cmax + 1;
      inkBox = [y0, y1, x0, x1];
    }
  }
  const w = x1 - x0;
  const h = y1 - y0;
  const den = f32(Math.max(bg - lo, 1e-3));
  const u8 = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = f32(f32(a[(y + y0) * width + x + x0] - lo) / den);
      v = v < 0 ? 0 : v > 1 ? 1 : v;
      const xv = f32(1 - v);
      u8[y * w + x] = Math.trunc(f32(f32(xv * 255) + 0.5));
    }
  }
  const s = Math.min((H - 2 * PAD) / h, (MAXW - 2 * PAD) / w);
  const nw = Math.max(1, pyRound(w * s));
  const nh = Math.max(1, pyRound(h * s));
  const r = resizeBilinearU8(u8, w, h, nw, nh);
  const W = Math.min(MAXW, Math.ceil((nw + 2 * PAD) / WM) * WM);
  const data = new Float32Array(H * W);
  const oy = Math.floor((H - nh) / 2);
  for (let y = 0; y < nh; y++) for (let x = 0; x < nw && PAD + x < W; x++) data[(oy + y) * W + PAD + x] = f32(r[y * nw + x] / 255);
  return { data, width: W, height: H, inkBox };
}

/** Python's round(): half to even. */
function pyRound(v) {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

// --check <dir>: compare with the Python outputs written by check_preprocess.py
if (process.argv[2] === '--check') {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = process.argv[3] ?? '/tmp/pp-check';
  const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
  let worst = 0;
  let bad = 0;
  for (const c of cases) {
    const gray = new Uint8Array(readFileSync(join(dir, c.raw)));
    const r = preprocessGray(gray, c.w, c.h);
    const ref = new Float32Array(readFileSync(join(dir, c.out)).buffer.slice(0));
    let diff = 0;
    let nd = 0;
    if (r.width !== c.W) diff = Infinity;
    else for (let i = 0; i < ref.length; i++) { const d = Math.abs(ref[i] - r.data[i]); if (d > 0) nd++; diff = Math.max(diff, d); }
    worst = Math.max(worst, diff);
    if (diff > 1.5 / 255) bad++;
    console.log(`${c.raw}: ${c.w}x${c.h} -> W=${r.width} (py ${c.W}) max|diff|=${diff.toFixed(5)} (${nd} px differ) box js=${JSON.stringify(r.inkBox)} py=${JSON.stringify(c.box)}`);
  }
  console.log(bad ? `${bad} cases differ by more than 1.5/255` : `all ${cases.length} cases match (max |diff| ${worst.toFixed(5)})`);
  process.exit(bad ? 1 : 0);
}
