"""Golden preprocessing cases for the daemon's TypeScript port (test/unit/mathPreprocess.test.ts).

  /usr/bin/python3 training/math/make_golden.py   # writes test/golden/math-preprocess.json
Each case: a small RGB image (as a flat list) and data.preprocess's output tensor, computed here by the
training code itself so the two sides cannot drift apart unnoticed.
"""
import base64
import json
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def case(w, h, seed, strokes):
    rng = np.random.default_rng(seed)
    img = Image.new('RGB', (w, h), (238, 236, 230))
    d = ImageDraw.Draw(img)
    for _ in range(strokes):
        x0, y0 = int(rng.integers(2, w - 10)), int(rng.integers(2, h - 6))
        d.line([x0, y0, x0 + int(rng.integers(3, 30)), y0 + int(rng.integers(-4, 5))], fill=(20, 30, 40), width=int(rng.integers(1, 3)))
    arr = np.asarray(img, dtype=np.uint8)
    out = D.preprocess(img)
    # The tensor holds 8-bit levels / 255, so both arrays travel as base64 bytes.
    levels = np.round(out.reshape(-1) * 255.0).astype(np.uint8)
    assert np.allclose(levels / 255.0, out.reshape(-1), atol=1e-6)
    return {'width': w, 'height': h, 'rgb': base64.b64encode(arr.tobytes()).decode(), 'tensor_width': int(out.shape[2]),
            'tensor': base64.b64encode(levels.tobytes()).decode()}


cases = [case(120, 40, 1, 12), case(180, 50, 2, 20), case(30, 120, 3, 6), case(90, 25, 4, 5)]
path = os.path.join(HERE, '..', '..', 'test', 'golden', 'math-preprocess.json')
with open(path, 'w') as f:
    json.dump({'spec': {'height': D.INPUT_H, 'max_width': D.MAX_W, 'width_multiple': D.W_MULT, 'pad': D.PAD}, 'cases': cases}, f)
print('wrote', path, os.path.getsize(path), 'bytes')
