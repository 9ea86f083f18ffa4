"""Write test cases for preprocess.mjs: raw 8-bit grayscale inputs (clean and augmented renders, and
a few synthetic edge cases) and the float32 outputs of data.preprocess.

  /usr/bin/python3 training/math/check_preprocess.py [--data training/math/data/r1] [--out /tmp/pp-check]
  node training/math/preprocess.mjs --check /tmp/pp-check
"""
import argparse
import json
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'r1'))
    p.add_argument('--out', default='/tmp/pp-check')
    p.add_argument('-n', type=int, default=16)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    imgs = []
    if os.path.isdir(a.data):
        sh = D.Shards([a.data])
        for j, k in enumerate(range(0, min(len(sh), 997 * a.n), 997)):
            img = sh.image(k)
            if j % 2:
                img = D.augment(img, D.sample_rng(3, k, 0), sh.items[k][5])
            imgs.append(img)
    rng = np.random.default_rng(0)
    imgs.append(Image.fromarray(np.full((20, 30), 250, np.uint8)))                       # blank: no ink box
    imgs.append(Image.fromarray((rng.random((40, 2000)) * 255).astype(np.uint8)))        # very wide noise
    imgs.append(Image.fromarray(np.where(rng.random((300, 50)) < 0.1, 0, 255).astype(np.uint8)))  # tall
    cases = []
    for i, img in enumerate(imgs):
        g = img.convert('L')
        arr = np.asarray(g, dtype=np.uint8)
        out = D.preprocess(g)
        box = D.ink_box(np.asarray(g, dtype=np.float32) / 255.0)[2]
        raw, o = f'case{i:02d}.gray', f'case{i:02d}.f32'
        arr.tofile(os.path.join(a.out, raw))
        out.astype(np.float32).tofile(os.path.join(a.out, o))
        cases.append({'raw': raw, 'out': o, 'w': g.size[0], 'h': g.size[1], 'W': int(out.shape[2]), 'box': list(box) if box else None})
    with open(os.path.join(a.out, 'cases.json'), 'w') as f:
        json.dump(cases, f)
    print(f'{len(cases)} cases in {a.out}')


if __name__ == '__main__':
    main()
