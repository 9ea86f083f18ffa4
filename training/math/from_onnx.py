"""Rebuild PyTorch weights from the shipped ONNX model, so training can continue when its checkpoints are gone.

  /usr/bin/python3 training/math/from_onnx.py --model models/math --data training/math/data/r1 \
      --out training/math/checkpoints/seed.pt
  nohup nice -n 10 /usr/bin/python3 training/math/train.py --run m2 --init training/math/checkpoints/seed.pt ... &

The export folds each convolution's BatchNorm into the convolution and stores linear weights transposed under
generated names. A fresh model exported by the same code has the same initializers in the same order, so the
pairing fresh initializer -> PyTorch parameter (by value) names every shipped initializer. Folded BatchNorms are
unfolded to the statistics of the convolution outputs on training images, so that the layer computes the same
function in eval mode and nearly the same in training mode (batch statistics ≈ running statistics).
The rebuilt model is checked against the reference outputs of check.json (written at export time).
Needs Debian's python3-onnx (only to read the files).
"""
import argparse
import io
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
from export import export_onnx  # noqa: E402
from model import Im2Latex  # noqa: E402


def initializers(model_proto):
    return [(t.name, numpy_helper.to_array(t)) for t in model_proto.graph.initializer]


def export_fresh(m):
    """The same two exports as export.py, into memory."""
    bufs = [io.BytesIO(), io.BytesIO()]
    export_onnx(m, *bufs)
    return [onnx.load_from_string(b.getvalue()) for b in bufs]


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='models/math')
    p.add_argument('--data', default='training/math/data/r1', help='rendered training images for the BatchNorm statistics')
    p.add_argument('--out', default='training/math/checkpoints/seed.pt')
    p.add_argument('--stat-images', type=int, default=512)
    a = p.parse_args()
    torch.set_num_threads(2)
    meta = json.load(open(os.path.join(a.model, 'model.json')))
    cfg = meta['config']
    m = Im2Latex(**cfg).eval()

    # Distinct random values everywhere, so that every initializer of the fresh export matches one parameter.
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for t in m.state_dict().values():
            if t.dtype.is_floating_point:
                t.copy_(torch.randn(t.shape, generator=g) * 0.1 + (1.0 if t.dim() == 1 else 0.0))
    fresh = export_fresh(m)
    shipped = [onnx.load(os.path.join(a.model, f)) for f in ('encoder.onnx', 'decoder.onnx')]

    params = dict(m.named_parameters())
    convs = [(name, mod) for name, mod in m.stem.named_modules() if isinstance(mod, torch.nn.Conv2d)]
    bns = [mod for _, mod in m.stem.named_modules() if isinstance(mod, torch.nn.BatchNorm2d)]
    new = {k: v.clone() for k, v in m.state_dict().items()}
    folded = []  # (fused weight, fused bias) per convolution, in stem order
    for fp, sp in zip(fresh, shipped):
        fi, si = initializers(fp), initializers(sp)
        assert [n for n, _ in fi] == [n for n, _ in si], 'the export code changed since the model was shipped'
        conv_w = None
        for (name, fv), (_, sv) in zip(fi, si):
            key = name[2:] if name.startswith('m.') else None
            if key in params:
                new[key] = torch.from_numpy(sv.copy())
                continue
            if name.startswith('onnx::Conv'):
                if sv.ndim == 4:
                    conv_w = sv
                else:
                    folded.append((conv_w, sv))
                continue
            hits = [k for k, t in params.items() if t.dim() == 2 and t.shape[::-1] == fv.shape and np.allclose(t.detach().numpy().T, fv)]
            assert len(hits) == 1, (name, hits)
            new[hits[0]] = torch.from_numpy(sv.T.copy())
    assert len(folded) == len(convs) == len(bns), (len(folded), len(convs))
    # BatchNorm: first identity statistics with the folded bias (exact in eval mode), then re-centred on the
    # statistics of the convolution outputs so training-mode normalisation starts where eval mode is.
    with torch.no_grad():
        for (w, _), (cname, _) in zip(folded, convs):
            new[f'stem.{cname}.weight'] = torch.from_numpy(w.copy())
        m.load_state_dict(new)
        for (_, b), bn in zip(folded, bns):
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
            bn.weight.fill_(1.0)
            bn.bias.copy_(torch.from_numpy(b))
        sh = D.Shards([a.data])
        idx = [k for k, it in enumerate(sh.items) if it[7] == 'train'][:a.stat_images]
        outs = {i: [] for i in range(len(convs))}
        hooks = [mod.register_forward_hook(lambda _m, _i, o, i=i: outs[i].append(o.transpose(0, 1).reshape(o.shape[1], -1)))
                 for i, (_, mod) in enumerate(convs)]
        for k in idx:
            x = torch.from_numpy(D.preprocess(sh.image(k)))[None]
            m.stem(x)
        for h in hooks:
            h.remove()
        for i, bn in enumerate(bns):
            c = torch.cat(outs[i], 1)
            mu, var = c.mean(1), c.var(1, unbiased=False)
            shift = bn.bias.clone()
            bn.running_mean.copy_(mu)
            bn.running_var.copy_(var)
            bn.weight.copy_(torch.sqrt(var + bn.eps))
            bn.bias.copy_(shift + mu)

    # Check against the reference outputs recorded when the shipped model was exported.
    checks = json.load(open(os.path.join(a.model, 'check.json')))
    worst = 0.0
    with torch.no_grad():
        for c in checks:
            x = torch.tensor(c['image'], dtype=torch.float32).reshape(c['shape'])[None]
            ids = m.greedy(x)[0].tolist()
            logits0 = m.decode(torch.tensor([[D.BOS_ID]]), m.encode(x))[0, 0]
            worst = max(worst, float((logits0 - torch.tensor(c['logits0'])).abs().max()))
            n = len(c['greedy'])
            assert ids[:n] == c['greedy'], (ids[:n], c['greedy'])
    print(f'rebuilt weights match check.json: {len(checks)} greedy decodings identical, max |logit diff| {worst:.2e}')
    assert worst < 1e-3
    sd = m.state_dict()
    torch.save(dict(model=sd, ema={k: v.clone() for k, v in sd.items()}, step=meta['step'], vocab=meta['vocab'], cfg=cfg,
                    source=os.path.abspath(a.model)), a.out)
    print(f'wrote {a.out} (step {meta["step"]})')


if __name__ == '__main__':
    main()
