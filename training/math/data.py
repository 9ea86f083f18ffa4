"""Data side of the math model: shards, vocabulary, augmentation, preprocessing, batching.

PREPROCESSING (`preprocess`) is the contract with the Node inference code (server/src/engines/math):
the daemon must do exactly the same on a crop. It is described in README.md and model.json.
"""
import io
import json
import math
import os
import random
import zlib
from glob import glob

import numpy as np
from PIL import Image, ImageFilter

# ----------------------------------------------------------------------------------------------
# Model input contract
INPUT_H = 64          # model input height (pixels)
MAX_W = 800           # maximum model input width (pixels)
W_MULT = 32           # input width is padded to a multiple of this
PAD = 4               # margin (pixels, at model scale) around the ink box
PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3
SPECIALS = ['<pad>', '<s>', '</s>', '<unk>']


def ink_box(a):
    """a: float32 HxW in [0,1], 1 = white. Returns (lo, bg, box) where box = (y0, y1, x0, x1) or None."""
    lo = float(np.percentile(a, 1))
    bg = float(np.median(a))
    if bg - lo < 0.15:
        return lo, bg, None
    thr = lo + 0.5 * (bg - lo)
    mask = a < thr
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return lo, bg, None
    return lo, bg, (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)


def preprocess(img):
    """PIL image (any mode) -> float32 array 1 x INPUT_H x W (W multiple of W_MULT, <= MAX_W).

    1. grayscale, scale to [0,1] (1 = white);
    2. lo = 1st percentile, bg = median; if bg - lo < 0.15 the whole image is used, else crop to the
       bounding box of pixels darker than lo + 0.5 (bg - lo);
    3. contrast stretch: v = clip((a - lo) / (bg - lo), 0, 1), then invert: x = 1 - v (ink ~1, paper 0);
    4. resize (bilinear, PIL) the crop by s = min((INPUT_H - 2 PAD) / h, (MAX_W - 2 PAD) / w), size
       max(1, round(w s)) x max(1, round(h s));
    5. paste at (PAD, (INPUT_H - h') // 2) into zeros of INPUT_H x ceil((w' + 2 PAD) / W_MULT) W_MULT.
    """
    g = img.convert('L')
    a = np.asarray(g, dtype=np.float32) / 255.0
    lo, bg, box = ink_box(a)
    if box is not None:
        y0, y1, x0, x1 = box
        a = a[y0:y1, x0:x1]
    den = max(bg - lo, 1e-3)
    v = np.clip((a - lo) / den, 0.0, 1.0)
    x = 1.0 - v
    h, w = x.shape
    s = min((INPUT_H - 2 * PAD) / h, (MAX_W - 2 * PAD) / w)
    nw, nh = max(1, int(round(w * s))), max(1, int(round(h * s)))
    im = Image.fromarray((x * 255.0 + 0.5).astype(np.uint8), 'L').resize((nw, nh), Image.BILINEAR)
    W = int(math.ceil((nw + 2 * PAD) / W_MULT) * W_MULT)
    W = min(W, MAX_W)
    out = np.zeros((1, INPUT_H, W), dtype=np.float32)
    y = (INPUT_H - nh) // 2
    out[0, y:y + nh, PAD:PAD + nw] = np.asarray(im, dtype=np.float32) / 255.0
    return out


def model_width(w, h):
    """Input width the preprocessing gives for an ink box of w x h (for batching by width)."""
    s = min((INPUT_H - 2 * PAD) / h, (MAX_W - 2 * PAD) / w)
    nw = max(1, int(round(w * s)))
    return min(MAX_W, int(math.ceil((nw + 2 * PAD) / W_MULT) * W_MULT))


# ----------------------------------------------------------------------------------------------
# Augmentation: realistic scan / photo degradations, deterministic given an rng

def _smooth_noise(rng, h, w, cells):
    """Low-frequency noise field in [-1,1] of size h x w."""
    gh, gw = max(2, cells), max(2, int(cells * w / max(h, 1)) + 1)
    g = rng.uniform(-1, 1, size=(gh, gw)).astype(np.float32)
    im = Image.fromarray(((g + 1) * 127.5).astype(np.uint8), 'L').resize((w, h), Image.BICUBIC)
    return np.asarray(im, dtype=np.float32) / 127.5 - 1.0


def augment(img, rng, em_px):
    """img: clean PIL 'L' render (white paper, black ink). rng: np.random.Generator. Returns PIL 'L'."""
    r = rng.random
    # stroke weight (before anything else, on the clean binary-ish render)
    u = r()
    if u < 0.12 and em_px > 18:
        img = img.filter(ImageFilter.MinFilter(3))   # bold
    elif u < 0.22 and em_px > 22:
        # thin: blend towards an eroded copy (a full 3x3 erosion would erase 2-px strokes)
        img = Image.blend(img, img.filter(ImageFilter.MaxFilter(3)), float(rng.uniform(0.3, 0.7)))
    # loose crop: margins of paper around the formula
    w, h = img.size
    if r() < 0.6:
        m = [int(r() * em_px * 1.2) for _ in range(4)]
        canvas = Image.new('L', (w + m[0] + m[2], h + m[1] + m[3]), 255)
        canvas.paste(img, (m[0], m[1]))
        img = canvas
    elif r() < 0.5:
        # tight crop: cut up to 1 px of the outermost ink on some sides
        a = np.asarray(img)
        box = ink_box(a.astype(np.float32) / 255.0)[2]
        if box is not None:
            y0, y1, x0, x1 = box
            cut = [int(r() < 0.3) for _ in range(4)]
            y0 += cut[0]; y1 -= cut[1]; x0 += cut[2]; x1 -= cut[3]
            if y1 - y0 > 4 and x1 - x0 > 4:
                img = img.crop((x0, y0, x1, y1))
    # geometry: slight rotation / perspective
    if r() < 0.3:
        ang = rng.uniform(-1.5, 1.5)
        img = img.rotate(ang, resample=Image.BICUBIC, expand=True, fillcolor=255)
    if r() < 0.2:
        w, h = img.size
        d = 0.02
        src = [(rng.uniform(-d, d) * w, rng.uniform(-d, d) * h), (w + rng.uniform(-d, d) * w, rng.uniform(-d, d) * h),
               (w + rng.uniform(-d, d) * w, h + rng.uniform(-d, d) * h), (rng.uniform(-d, d) * w, h + rng.uniform(-d, d) * h)]
        img = _perspective(img, src)
    # low resolution: downscale / upscale
    if r() < 0.25:
        f = rng.uniform(max(0.45, min(0.85, 11.0 / em_px)), 0.85)
        w, h = img.size
        small = img.resize((max(1, int(w * f)), max(1, int(h * f))), Image.BILINEAR if r() < 0.5 else Image.BOX)
        img = small.resize((w, h), Image.BILINEAR) if r() < 0.5 else small
    a = np.asarray(img, dtype=np.float32) / 255.0
    h, w = a.shape
    ink = 1.0 - a
    # paper and ink tone
    paper = rng.uniform(0.82, 1.0) if r() < 0.5 else 1.0
    ink_level = rng.uniform(0.0, 0.35) if r() < 0.5 else 0.0
    a = paper - ink * (paper - ink_level)
    # uneven lighting
    if r() < 0.3:
        gy = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
        gx = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
        th = rng.uniform(0, 2 * np.pi)
        a = a * (1.0 - rng.uniform(0.05, 0.3) * (0.5 + 0.5 * (np.cos(th) * gx + np.sin(th) * gy)))
    # background texture
    if r() < 0.25:
        a = a + rng.uniform(0.02, 0.08) * _smooth_noise(rng, h, w, int(rng.integers(3, 12))) * (1.0 - ink)
    # blur
    if r() < 0.3:
        im = Image.fromarray(np.clip(a * 255, 0, 255).astype(np.uint8), 'L')
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0) * max(1.0, em_px / 30)))
        a = np.asarray(im, dtype=np.float32) / 255.0
    # noise
    if r() < 0.35:
        a = a + rng.normal(0, rng.uniform(0.01, 0.07), size=a.shape).astype(np.float32)
    if r() < 0.05:
        # salt & pepper specks
        sp = rng.random(a.shape) < rng.uniform(0.0005, 0.003)
        a = np.where(sp, rng.uniform(0, 0.5), a)
    img = Image.fromarray(np.clip(a * 255 + 0.5, 0, 255).astype(np.uint8), 'L')
    if r() < 0.3:
        buf = io.BytesIO()
        img.save(buf, format='JPEG', quality=int(rng.integers(25, 85)))
        buf.seek(0)
        img = Image.open(buf).convert('L')
    return img


def _perspective(img, src):
    w, h = img.size
    dst = [(0, 0), (w, 0), (w, h), (0, h)]
    # solve for the 8 coefficients mapping dst -> src (PIL wants output->input)
    A, B = [], []
    for (x, y), (X, Y) in zip(dst, src):
        A.append([x, y, 1, 0, 0, 0, -X * x, -X * y]); B.append(X)
        A.append([0, 0, 0, x, y, 1, -Y * x, -Y * y]); B.append(Y)
    coef = np.linalg.solve(np.array(A, dtype=np.float64), np.array(B, dtype=np.float64))
    return img.transform((w, h), Image.PERSPECTIVE, tuple(coef), Image.BICUBIC, fillcolor=255)


# ----------------------------------------------------------------------------------------------
# Shards and vocabulary

class Shards:
    """All rendered samples of one or more render output folders."""

    def __init__(self, dirs):
        self.items = []   # (bin_path, off, len, w, h, emPx, tokens(str), split, fid)
        for d in dirs:
            for idx in sorted(glob(os.path.join(d, 'shard-*.jsonl'))):
                binp = idx[:-len('.jsonl')] + '.bin'
                with open(idx) as f:
                    for line in f:
                        if not line.strip():
                            continue
                        j = json.loads(line)
                        self.items.append((binp, j['off'], j['len'], j['w'], j['h'], j['emPx'], j['tokens'], j['split'], j['fid']))
        self._fh = {}

    def __len__(self):
        return len(self.items)

    def image(self, k):
        binp, off, ln = self.items[k][:3]
        fh = self._fh.get(binp)
        if fh is None:
            fh = self._fh[binp] = open(binp, 'rb')
        fh.seek(off)
        return Image.open(io.BytesIO(fh.read(ln))).convert('L')


def build_vocab(token_strings, min_freq=5):
    from collections import Counter
    c = Counter()
    for s in token_strings:
        c.update(s.split(' '))
    toks = sorted([t for t, n in c.items() if n >= min_freq and t], key=lambda t: (-c[t], t))
    return SPECIALS + toks


class Vocab:
    def __init__(self, itos):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def encode(self, s):
        return [self.stoi.get(t, UNK_ID) for t in s.split(' ') if t]

    def decode(self, ids):
        out = []
        for i in ids:
            if i == EOS_ID:
                break
            if i in (PAD_ID, BOS_ID):
                continue
            out.append(self.itos[i])
        return out

    def __len__(self):
        return len(self.itos)


# ----------------------------------------------------------------------------------------------
# Deterministic, resumable batch schedule

class BatchSchedule:
    """Yields (indices, state_after). Deterministic in (seed, state); width-bucketed pools.

    state = {'epoch', 'pos', 'pool': [batches not yet consumed]}; the curriculum's max target
    length is a function `maxlen_fn(step)` evaluated when a pool is built.
    """

    def __init__(self, widths, lengths, indices, batch_size, seed, maxlen_fn, pool_batches=40):
        self.widths, self.lengths = widths, lengths
        self.indices = np.asarray(indices)
        self.B, self.seed, self.maxlen_fn, self.pool_batches = batch_size, seed, maxlen_fn, pool_batches
        self.state = {'epoch': 0, 'pos': 0, 'pool': []}

    def _perm(self, epoch):
        return np.random.default_rng([self.seed, epoch]).permutation(self.indices)

    def next(self, step):
        st = self.state
        while not st['pool']:
            perm = self._perm(st['epoch'])
            maxlen = self.maxlen_fn(step)
            take = []
            p = st['pos']
            while p < len(perm) and len(take) < self.B * self.pool_batches:
                k = int(perm[p]); p += 1
                if self.lengths[k] <= maxlen:
                    take.append(k)
            if p >= len(perm):
                st['epoch'] += 1
                p = 0
            st['pos'] = p
            if len(take) < self.B:
                continue
            take.sort(key=lambda k: (self.widths[k], self.lengths[k]))
            batches = [take[i:i + self.B] for i in range(0, len(take) - self.B + 1, self.B)]
            order = np.random.default_rng([self.seed, st['epoch'], p]).permutation(len(batches))
            st['pool'] = [batches[i] for i in order]
        b = st['pool'].pop(0)
        return b

    def state_dict(self):
        return json.loads(json.dumps(self.state))

    def load_state_dict(self, s):
        self.state = json.loads(json.dumps(s))


def sample_rng(seed, index, epoch):
    return np.random.default_rng([seed, index, epoch])
