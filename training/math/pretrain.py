"""Masked self-supervised pre-training of the encoder (after Kišš & Hradiš 2025): hide a share of the 16 x 8 px
input cells (one cell per encoder position), let the conv stem + transformer encoder predict every cell's
pixels from its output at that position; the loss covers hidden cells and, with a smaller weight, visible
ones, and the hidden share rises during the run. Labels are never read, so any rendered image can serve.

  nice -n 10 /usr/bin/python3 training/math/pretrain.py --data training/math/data/r1 --run p1 --steps 1000
  /usr/bin/python3 training/math/train.py --data training/math/data/r1 --run m-p1 --init-encoder training/math/checkpoints/p1/last.pt

The encoder's shape options (--d --enc-layers --heads --ff --dropout) must match those given to train.py.
"""
import json
import os
import sys
import time

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data as D  # noqa: E402
import train as T  # noqa: E402
from model import ENCODER_PREFIXES, Im2Latex  # noqa: E402

CELL_H, CELL_W = 16, 8  # input pixels behind one encoder position (the stem divides H by 16, W by 8)


def extra_args(argv):
    import argparse
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument('--steps', type=int, default=1000)
    p.add_argument('--mask-from', type=float, default=0.3, help='hidden share of the cells at step 0')
    p.add_argument('--mask-to', type=float, default=0.7, help='hidden share at the last step (raised linearly)')
    p.add_argument('--visible-weight', type=float, default=0.5, help='weight of the loss on visible cells')
    return p.parse_known_args(argv)


def cell_mask(widths, rows, cols, share, gen):
    """B x rows x cols booleans: `share` of each sample's cells (within its own width) hidden."""
    B = len(widths)
    hidden = torch.zeros(B, rows, cols, dtype=torch.bool)
    for i, w in enumerate(widths):
        n_cols = max(1, w // CELL_W)
        n = rows * n_cols
        pick = torch.randperm(n, generator=gen)[:int(round(share * n))]
        flat = torch.zeros(n, dtype=torch.bool)
        flat[pick] = True
        hidden[i, :, :n_cols] = flat.view(rows, n_cols)
    return hidden


def cells(img):
    """B,1,H,W -> B,rows,cols,CELL_H*CELL_W pixel vectors."""
    B, _, H, W = img.shape
    x = img.view(B, H // CELL_H, CELL_H, W // CELL_W, CELL_W)
    return x.permute(0, 1, 3, 2, 4).reshape(B, H // CELL_H, W // CELL_W, CELL_H * CELL_W)


def main():
    extra, rest = extra_args(sys.argv[1:])
    sys.argv = [sys.argv[0]] + rest
    a = T.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    ck_dir = os.path.join(HERE, 'checkpoints', a.run)
    os.makedirs(ck_dir, exist_ok=True)
    last = os.path.join(ck_dir, 'last.pt')

    shards = D.Shards(a.data)
    vocab = D.Vocab(['<pad>', '<s>', '</s>', '<unk>'])  # tokens are not used; Corpus needs a vocabulary
    corpus = T.Corpus(shards, vocab, 10 ** 6)
    corpus.lengths = [1] * len(corpus.lengths)  # every image is usable, whatever its formula
    train_idx = corpus.indices('train')
    torch.manual_seed(a.seed)
    model = Im2Latex(len(vocab), d=a.d, enc_layers=a.enc_layers, dec_layers=1, heads=a.heads, ff=a.ff, drop=a.dropout)
    encoder = nn.ModuleList([model.stem, model.enc_in, model.enc, model.enc_out])
    head = nn.Linear(a.d, CELL_H * CELL_W)
    fill = nn.Parameter(torch.tensor(0.5))  # what a hidden cell's pixels are replaced with (learned)
    params = list(encoder.parameters()) + list(head.parameters()) + [fill]
    opt = torch.optim.AdamW(params, lr=a.lr, betas=(0.9, 0.98), weight_decay=a.wd)
    schedule = D.BatchSchedule(corpus.widths, corpus.lengths, train_idx, a.batch, a.seed, lambda s: 10 ** 6)
    step = 0
    if a.resume and os.path.exists(last):
        ck = torch.load(last, map_location='cpu')
        model.load_state_dict(ck['model'], strict=False)
        head.load_state_dict(ck['head'])
        fill.data.copy_(ck['fill'])
        opt.load_state_dict(ck['opt'])
        schedule.load_state_dict(ck['schedule'])
        step = ck['step']
        print(f'resuming {a.run} at step {step}', flush=True)
    gen = torch.Generator().manual_seed(a.seed + step)
    stream = T.BatchStream(corpus, schedule, step, a.seed, not a.no_aug)
    loader = torch.utils.data.DataLoader(stream, batch_size=None, num_workers=a.workers, prefetch_factor=4 if a.workers else 2)
    a.total_steps = extra.steps

    def save():
        enc_state = {k: v for k, v in model.state_dict().items() if k.startswith(ENCODER_PREFIXES)}
        T.atomic_save(dict(model=enc_state, head=head.state_dict(), fill=fill.detach(), opt=opt.state_dict(), schedule=sched_state,
                           step=step, cfg=dict(d=a.d, enc_layers=a.enc_layers, heads=a.heads, ff=a.ff, drop=a.dropout),
                           args=dict(vars(a), **vars(extra))), last)

    encoder.train()
    sched_state = schedule.state_dict()
    t0, t_ck, acc_h, acc_v, n = time.time(), time.time(), 0.0, 0.0, 0
    for imgs, _tok, state_json, _bstep in loader:
        share = extra.mask_from + (extra.mask_to - extra.mask_from) * min(1.0, step / max(1, extra.steps - 1))
        for g in opt.param_groups:
            g['lr'] = T.cosine_lr(step, a)
        B, _, H, W = imgs.shape
        rows, cols = H // CELL_H, W // CELL_W
        content_w = [int((imgs[i, 0].abs().sum(0) > 0).nonzero().max()) + 1 if imgs[i].any() else CELL_W for i in range(B)]
        hidden = cell_mask(content_w, rows, cols, share, gen)
        target = cells(imgs)
        pix_hidden = hidden[:, :, None, :, None].expand(B, rows, CELL_H, cols, CELL_W).reshape(B, 1, H, W)
        masked = torch.where(pix_hidden, fill.expand_as(imgs), imgs)
        pred = head(model.encode(masked)).view(B, rows, cols, -1)
        inside = torch.zeros(B, rows, cols, dtype=torch.bool)
        for i, w in enumerate(content_w):
            inside[i, :, :max(1, -(-w // CELL_W))] = True
        err = ((pred - target) ** 2).mean(-1)
        loss_h = err[hidden].mean()
        visible = inside & ~hidden
        loss_v = err[visible].mean() if visible.any() else err.sum() * 0
        loss = loss_h + extra.visible_weight * loss_v
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        sched_state = json.loads(state_json)
        acc_h += loss_h.item()
        acc_v += loss_v.item()
        n += 1
        if step % a.log_every == 0:
            print(f'step={step} share={share:.2f} lr={T.cosine_lr(step, a):.2e} hidden_mse={acc_h / n:.4f} visible_mse={acc_v / n:.4f} '
                  f'{n * a.batch / (time.time() - t0):.1f} samples/s', flush=True)
            t0, acc_h, acc_v, n = time.time(), 0.0, 0.0, 0
        if time.time() - t_ck > a.ckpt_minutes * 60:
            save()
            t_ck = time.time()
        if step >= extra.steps:
            break
    save()
    print(f'done step={step}', flush=True)


if __name__ == '__main__':
    main()
