"""Compares checkpoints on 640 held-out generated samples (val split of data/r1, samples 160-799: formulas never
trained on, and not the 160 that train.py validates on), to choose the weights to export. Never im2latex.

    /usr/bin/python3 training/math/heldout.py training/math/checkpoints/m4/last.pt:raw training/math/checkpoints/m4/last.pt:ema

Prints teacher-forced loss and token accuracy, greedy exact match and normalised edit distance per checkpoint
(≈ 1.5 min each on 2 cores).
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
specs = sys.argv[1:]
if not specs:
    raise SystemExit(__doc__)
sys.argv = [sys.argv[0], '--data', os.path.join(HERE, 'data', 'r1')]
import data as D  # noqa: E402
import train as T  # noqa: E402
from model import Im2Latex  # noqa: E402

torch.set_num_threads(2)
a = T.parse_args()
first = torch.load(specs[0].split(':')[0], map_location='cpu')
vocab = D.Vocab(first['vocab'])
corpus = T.Corpus(D.Shards(a.data), vocab, first['cfg']['max_len'] - 2)
held_out = corpus.indices('val')[160:800]
for spec in specs:
    path, weights = (spec.split(':') + ['ema'])[:2]
    ck = torch.load(path, map_location='cpu')
    cfg = ck['cfg']
    a.max_len = cfg['max_len'] - 2
    model = Im2Latex(len(vocab), d=cfg['d'], enc_layers=cfg['enc_layers'], dec_layers=cfg['dec_layers'], heads=cfg['heads'],
                     ff=cfg['ff'], max_len=cfg['max_len'], drop=0.0)
    model.load_state_dict(ck['ema'] if weights == 'ema' and ck.get('ema') is not None else ck['model'])
    with torch.no_grad():
        scores, _ = T.validate(model, corpus, held_out, a, vocab)
    print(spec, 'step', ck['step'], {k: round(v, 4) for k, v in scores.items()}, flush=True)
