"""Train the image -> LaTeX model on rendered shards (see README.md).

  nice -n 10 /usr/bin/python3 training/math/train.py --data training/math/data/r1 --run m1
  nice -n 10 /usr/bin/python3 training/math/train.py --run m1 --resume      # continue exactly
  ... --resume --decay-start 10300 --decay-steps 4500                      # anneal from step 10300 to the floor
  /usr/bin/python3 training/math/train.py --smoke                            # < 60 s CI check
"""
import argparse
import csv
import json
import math
import os
import random
import subprocess
import sys
import time

# GNU OpenMP threads spin while waiting by default; on a shared, oversubscribed CPU that made a 2-thread
# training step 5-8x slower than with passive waiting (measured: 1.0 vs 5.9-7.8 samples/s). Must be set
# before torch is imported.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
from model import ENCODER_PREFIXES, Im2Latex, count_params  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument('--data', nargs='*', default=[os.path.join(HERE, 'data', 'r1')])
    p.add_argument('--run', default='m1')
    p.add_argument('--resume', action='store_true')
    p.add_argument('--smoke', action='store_true')
    p.add_argument('--init', default='', help='start from the weights, step and vocabulary of this checkpoint (e.g. from_onnx.py output) '
                                             'with a fresh optimizer whose learning rate rises again over --rewarm steps')
    p.add_argument('--init-encoder', default='', help='start the encoder from this pretrain.py checkpoint (shape options must match); '
                   'the decoder starts from random weights at step 0')
    p.add_argument('--rewarm', type=int, default=200)
    p.add_argument('--overfit', type=int, default=0, help='train on the first N train samples without augmentation')
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--lr', type=float, default=6e-4)
    p.add_argument('--wd', type=float, default=0.05)
    p.add_argument('--warmup', type=int, default=600)
    p.add_argument('--total-steps', type=int, default=40000, help='length of the cosine schedule')
    p.add_argument('--max-steps', type=int, default=10 ** 9, help='stop after this step')
    p.add_argument('--decay-start', type=int, default=0,
                   help='from this step anneal the learning rate to its floor over --decay-steps (0 = plain cosine); '
                        'lets a resumed run finish its schedule early without a jump in the rate')
    p.add_argument('--decay-steps', type=int, default=4000)
    p.add_argument('--curriculum-steps', type=int, default=6000)
    p.add_argument('--min-maxlen', type=int, default=48)
    p.add_argument('--max-len', type=int, default=200)
    p.add_argument('--label-smoothing', type=float, default=0.1)
    p.add_argument('--d', type=int, default=192)
    p.add_argument('--enc-layers', type=int, default=3)
    p.add_argument('--dec-layers', type=int, default=3)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--ff', type=int, default=768)
    p.add_argument('--dropout', type=float, default=0.1)
    p.add_argument('--min-freq', type=int, default=5)
    p.add_argument('--ckpt-minutes', type=float, default=5.0)
    p.add_argument('--val-every', type=int, default=500)
    p.add_argument('--val-samples', type=int, default=160)
    p.add_argument('--log-every', type=int, default=10)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--workers', type=int, default=1, help='DataLoader worker processes (0 = main process)')
    p.add_argument('--seed', type=int, default=1234)
    p.add_argument('--ema', type=float, default=0.999, help='decay of the weight moving average validated, kept as best and exported (0 = off)')
    p.add_argument('--no-aug', action='store_true')
    p.add_argument('--bf16', action='store_true', help='forward pass under bfloat16 autocast (float32 weights and optimizer); '
                   'about 5x faster on CPUs with AVX512-BF16, may be switched on or off on resume')
    return p.parse_args()


# ----------------------------------------------------------------------------------------------

class Corpus:
    def __init__(self, shards, vocab, max_len):
        self.sh = shards
        self.vocab = vocab
        self.ids, self.widths, self.lengths, self.split = [], [], [], []
        n_unk = 0
        for it in shards.items:
            ids = vocab.encode(it[6])
            self.ids.append(ids)
            self.widths.append(D.model_width(it[3], it[4]))
            bad = D.UNK_ID in ids or len(ids) + 2 > max_len
            # extremely flat formulas would be squeezed below ~16 px of height: skip
            s = min((D.INPUT_H - 2 * D.PAD) / it[4], (D.MAX_W - 2 * D.PAD) / it[3])
            if it[4] * s < 14:
                bad = True
            n_unk += D.UNK_ID in ids
            self.lengths.append(len(ids) if not bad else 10 ** 6)
            self.split.append(it[7])
        self.n_unk = n_unk

    def indices(self, split):
        return [k for k, s in enumerate(self.split) if s == split and self.lengths[k] < 10 ** 6]


def make_sample(corpus, k, seed, step, aug):
    img = corpus.sh.image(k)
    if aug:
        img = D.augment(img, D.sample_rng(seed, k, step), corpus.sh.items[k][5])
    return D.preprocess(img), corpus.ids[k]


def collate(samples):
    W = max(x.shape[2] for x, _ in samples)
    imgs = torch.zeros(len(samples), 1, D.INPUT_H, W)
    T = max(len(ids) for _, ids in samples) + 2
    tok = torch.full((len(samples), T), D.PAD_ID, dtype=torch.long)
    for i, (x, ids) in enumerate(samples):
        imgs[i, :, :, :x.shape[2]] = torch.from_numpy(x)
        seq = [D.BOS_ID] + ids + [D.EOS_ID]
        tok[i, :len(seq)] = torch.tensor(seq)
    return imgs, tok


class BatchStream(torch.utils.data.IterableDataset):
    """Runs the deterministic batch schedule (in a worker process) from a saved state."""

    def __init__(self, corpus, schedule, start_step, seed, aug):
        self.corpus, self.schedule, self.start_step, self.seed, self.aug = corpus, schedule, start_step, seed, aug

    def __iter__(self):
        torch.set_num_threads(1)
        step = self.start_step
        while True:
            idx = self.schedule.next(step)
            state = self.schedule.state_dict()
            imgs, tok = collate([make_sample(self.corpus, k, self.seed, step, self.aug) for k in idx])
            yield imgs, tok, json.dumps(state), step
            step += 1


def cosine_lr(step, a):
    if step < a.warmup:
        return a.lr * (step + 1) / a.warmup
    t = min(1.0, (step - a.warmup) / max(1, a.total_steps - a.warmup))
    return a.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * t)))


def lr_at(step, a):
    # a fresh optimizer (--init) knows nothing of the gradients' scale yet: ramp up again
    init_step = getattr(a, 'init_step', 0)
    rewarm = min(1.0, (step - init_step + 1) / max(1, a.rewarm)) if init_step else 1.0
    start = getattr(a, 'decay_start', 0)
    if not start or step < start:
        return rewarm * cosine_lr(step, a)
    t = min(1.0, (step - start) / max(1, a.decay_steps))
    floor = 0.02 * a.lr
    return rewarm * (floor + (cosine_lr(start, a) - floor) * 0.5 * (1 + math.cos(math.pi * t)))


def edit_distance(a, b):
    n, m = len(a), len(b)
    if n == 0 and m == 0:
        return 0.0
    prev = list(range(m + 1))
    for i in range(1, n + 1):
        cur = [i] + [0] * m
        for j in range(1, m + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
        prev = cur
    return prev[m] / max(n, m)


@torch.no_grad()
def validate(model, corpus, val_idx, a, vocab):
    """Teacher-forced loss/accuracy + greedy exact match and normalised edit distance on a fixed,
    augmented (fixed seed) subset of the held-out formulas."""
    model.eval()
    tot_loss, tot_tok, tot_ok = 0.0, 0, 0
    exact, ned, n = 0, 0.0, 0
    examples = []
    order = sorted(val_idx, key=lambda k: corpus.widths[k])
    for i in range(0, len(order), 32):
        ks = order[i:i + 32]
        imgs, tok = collate([make_sample(corpus, k, a.seed + 999, 0, not a.no_aug) for k in ks])
        logits = model(imgs, tok[:, :-1])
        tgt = tok[:, 1:]
        mask = tgt != D.PAD_ID
        tot_loss += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=D.PAD_ID, reduction='sum').item()
        tot_ok += ((logits.argmax(-1) == tgt) & mask).sum().item()
        tot_tok += mask.sum().item()
        pred = model.greedy(imgs, max_len=min(a.max_len - 1, tok.shape[1] + 20))
        for j, k in enumerate(ks):
            hyp = vocab.decode(pred[j].tolist())
            ref = vocab.decode(corpus.ids[k])
            exact += hyp == ref
            ned += edit_distance(ref, hyp)
            n += 1
            if len(examples) < 3 and i % 96 == 0:
                examples.append((' '.join(ref), ' '.join(hyp)))
    model.train()
    return dict(val_loss=tot_loss / max(1, tot_tok), val_tok_acc=tot_ok / max(1, tot_tok), val_exact=exact / max(1, n), val_ned=ned / max(1, n)), examples


def atomic_save(obj, path):
    tmp = path + '.tmp'
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    if a.smoke:
        smoke_dir = os.path.join(HERE, 'data', 'smoke')
        if not os.path.exists(os.path.join(smoke_dir, 'shard-00000.jsonl')):
            subprocess.check_call(['npx', 'tsx', os.path.join(HERE, 'render.ts'), '--out', smoke_dir, '--samples', '300', '--workers', '1'], cwd=ROOT)
        a.data, a.run = [smoke_dir], 'smoke'
        a.batch, a.warmup, a.max_steps, a.total_steps = 8, 5, 30, 30
        a.val_every, a.val_samples, a.log_every, a.ckpt_minutes = 30, 16, 10, 0.2
        a.d, a.enc_layers, a.dec_layers, a.ff, a.min_freq, a.workers = 64, 1, 1, 128, 1, 0
        a.curriculum_steps, a.min_maxlen = 10, 200
        a.resume = False
    run_dir = os.path.join(HERE, 'runs', a.run)
    ck_dir = os.path.join(HERE, 'checkpoints', a.run)
    os.makedirs(run_dir, exist_ok=True)
    os.makedirs(ck_dir, exist_ok=True)
    last = os.path.join(ck_dir, 'last.pt')

    ck = None
    if a.resume:
        ck = torch.load(last, map_location='cpu')
        saved = ck['args']
        keep = {k: getattr(a, k) for k in ('resume', 'max_steps', 'ckpt_minutes', 'threads', 'workers', 'log_every', 'data', 'bf16')}
        # the schedule's end may be moved on resume; the model's shape may not
        if any(x.startswith('--decay-') for x in sys.argv):
            keep.update(decay_start=a.decay_start, decay_steps=a.decay_steps)
        for k, v in saved.items():
            setattr(a, k, v)
        for k, v in keep.items():
            setattr(a, k, v)
        # --data given explicitly on resume may add new render folders
        print(f'resuming {a.run} at step {ck["step"]}', flush=True)

    init = None
    if a.init and ck is None:
        init = torch.load(a.init, map_location='cpu')
        for k in ('d', 'enc_layers', 'dec_layers', 'heads', 'ff'):
            setattr(a, k, init['cfg'][k])
        a.max_len, a.dropout, a.init_step = init['cfg']['max_len'] - 2, init['cfg']['drop'], init['step']
        print(f'starting from {a.init} at step {init["step"]}', flush=True)

    shards = D.Shards(a.data)
    if not len(shards):
        raise SystemExit(f'no shards in {a.data}: run render.ts first')
    if ck is not None or init is not None:
        vocab = D.Vocab((ck or init)['vocab'])
    else:
        # vocabulary from the train-split formulas of the whole corpus (not only the rendered ones)
        fj = os.path.join(a.data[0], 'formulas.jsonl')
        if os.path.exists(fj):
            with open(fj) as f:
                toks = [j['tokens'] for j in map(json.loads, f) if j['split'] == 'train']
        else:
            toks = [it[6] for it in shards.items if it[7] == 'train']
        vocab = D.Vocab(D.build_vocab(toks, a.min_freq))
        with open(os.path.join(ck_dir, 'vocab.json'), 'w') as f:
            json.dump(vocab.itos, f, ensure_ascii=False, indent=0)
    corpus = Corpus(shards, vocab, a.max_len)
    train_idx = corpus.indices('train')
    val_idx = corpus.indices('val')
    if a.overfit:
        train_idx = train_idx[:a.overfit]
        val_idx = train_idx[:min(len(train_idx), a.val_samples)]
        a.no_aug = True
    else:
        val_idx = val_idx[:a.val_samples] if len(val_idx) >= 8 else train_idx[:a.val_samples]
    print(f'{len(shards)} samples, {len(train_idx)} train, {len(val_idx)} val (used), vocab {len(vocab)}, '
          f'{corpus.n_unk} with <unk> skipped', flush=True)

    torch.manual_seed(a.seed)
    model = Im2Latex(len(vocab), d=a.d, enc_layers=a.enc_layers, dec_layers=a.dec_layers, heads=a.heads, ff=a.ff,
                     max_len=a.max_len + 2, drop=a.dropout)
    print(f'model {count_params(model) / 1e6:.2f} M params', flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and 'emb' not in n and 'pos' not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and 'emb' not in n and 'pos' not in n)]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': a.wd}, {'params': no_decay, 'weight_decay': 0.0}], lr=a.lr, betas=(0.9, 0.98))

    def maxlen_fn(step):
        if a.overfit:
            return a.max_len
        f = min(1.0, step / max(1, a.curriculum_steps))
        return int(a.min_maxlen + f * (a.max_len - a.min_maxlen))

    schedule = D.BatchSchedule(corpus.widths, corpus.lengths, train_idx, a.batch, a.seed, maxlen_fn)
    step, best = 0, None
    if ck is not None:
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        schedule.load_state_dict(ck['schedule'])
        step, best = ck['step'], ck.get('best')
    elif init is not None:
        model.load_state_dict(init['model'])
        step = init['step']
    elif a.init_encoder:
        pre = torch.load(a.init_encoder, map_location='cpu')
        missing = [k for k in model.state_dict() if k.startswith(ENCODER_PREFIXES) and k not in pre['model']]
        if missing or any(pre['cfg'][k] != getattr(a, k) for k in ('d', 'enc_layers', 'heads', 'ff')):
            raise SystemExit(f'{a.init_encoder} does not fit this model: {pre["cfg"]}')
        model.load_state_dict(pre['model'], strict=False)
        print(f'encoder from {a.init_encoder} (pre-trained {pre["step"]} steps)', flush=True)
    # The moving average of the weights scores like an annealed model while the learning rate is still high, so a
    # run that has to stop early still ships good weights. A run resumed from before it existed starts it from now.
    ema = None
    if a.ema:
        ema = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if ck is not None and ck.get('ema') is not None:
            ema = ck['ema']
            if ck.get('best_source') != 'ema':
                best = None  # a best raw score is not comparable with the average's
        elif init is not None and init.get('ema') is not None:
            ema = {k: v.clone() for k, v in init['ema'].items()}

    stream = BatchStream(corpus, schedule, step, a.seed, not a.no_aug)
    loader = torch.utils.data.DataLoader(stream, batch_size=None, num_workers=a.workers, prefetch_factor=4 if a.workers else 2,
                                         persistent_workers=False)
    log_path = os.path.join(run_dir, 'log.csv')
    fields = ['time', 'step', 'epoch', 'lr', 'loss', 'tok_acc', 'samples_per_s', 'maxlen', 'width', 'data_wait', 'val_loss', 'val_tok_acc', 'val_exact', 'val_ned']
    new_log = not os.path.exists(log_path)
    logf = open(log_path, 'a', newline='')
    logw = csv.DictWriter(logf, fieldnames=fields)
    if new_log:
        logw.writeheader()

    def save(tag=None):
        obj = dict(model=model.state_dict(), opt=opt.state_dict(), schedule=sched_state, step=step, best=best, vocab=vocab.itos,
                   cfg=model.cfg, args=vars(a), torch_rng=torch.get_rng_state(), np_rng=np.random.get_state(), py_rng=random.getstate(),
                   input=dict(height=D.INPUT_H, max_width=D.MAX_W, width_multiple=D.W_MULT, pad=D.PAD))
        if ema is not None:
            obj.update(ema=ema, best_source='ema')
        atomic_save(obj, last)
        if tag:
            atomic_save(obj, os.path.join(ck_dir, f'{tag}.pt'))

    model.train()
    sched_state = schedule.state_dict()
    t_ck = time.time()
    t_log, n_log = time.time(), 0
    acc_loss, acc_ok, acc_tok, acc_w = 0.0, 0, 0, 0
    t_start = time.time()
    batches = iter(loader)  # creating the iterator draws a base seed from the torch RNG: restore RNGs after it
    if ck is not None:
        torch.set_rng_state(ck['torch_rng'])
        np.random.set_state(ck['np_rng'])
        random.setstate(ck['py_rng'])
    t_wait, t_data = 0.0, time.time()
    for imgs, tok, state_json, bstep in batches:
        t_wait += time.time() - t_data
        assert bstep == step, (bstep, step)
        for g in opt.param_groups:
            g['lr'] = lr_at(step, a)
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=a.bf16):
            logits = model(imgs, tok[:, :-1])
        tgt = tok[:, 1:]
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=D.PAD_ID, label_smoothing=a.label_smoothing)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if ema is not None:
            with torch.no_grad():
                for k, v in model.state_dict().items():
                    if v.dtype.is_floating_point:
                        ema[k].mul_(a.ema).add_(v, alpha=1 - a.ema)
                    else:
                        ema[k].copy_(v)
        sched_state = json.loads(state_json)
        with torch.no_grad():
            mask = tgt != D.PAD_ID
            acc_ok += ((logits.argmax(-1) == tgt) & mask).sum().item()
            acc_tok += mask.sum().item()
        acc_loss += loss.item()
        acc_w += imgs.shape[3]
        n_log += 1
        row = None
        if step % a.log_every == 0:
            dt = time.time() - t_log
            row = dict(time=time.strftime('%Y-%m-%dT%H:%M:%S'), step=step, epoch=sched_state['epoch'], lr=f'{lr_at(step, a):.2e}',
                       loss=f'{acc_loss / n_log:.4f}', tok_acc=f'{acc_ok / max(1, acc_tok):.4f}', samples_per_s=f'{n_log * a.batch / dt:.1f}',
                       maxlen=maxlen_fn(step), width=int(acc_w / n_log), data_wait=f'{t_wait / dt:.2f}')
            t_wait = 0.0
            print(' '.join(f'{k}={v}' for k, v in row.items()), flush=True)
            t_log, n_log, acc_loss, acc_ok, acc_tok, acc_w = time.time(), 0, 0.0, 0, 0, 0
        if step % a.val_every == 0 or step >= a.max_steps:
            tv = time.time()
            metrics, ex = validate(model, corpus, val_idx, a, vocab)
            print(f'VAL step={step} ' + ' '.join(f'{k}={v:.4f}' for k, v in metrics.items()) + f' ({time.time() - tv:.0f}s)', flush=True)
            for r_, h_ in ex:
                print(f'  ref: {r_}\n  hyp: {h_}', flush=True)
            row = row or dict(time=time.strftime('%Y-%m-%dT%H:%M:%S'), step=step, epoch=sched_state['epoch'])
            row.update({k: f'{v:.4f}' for k, v in metrics.items()})
            score = metrics['val_ned']
            if ema is not None:
                raw = model.state_dict()
                raw = {k: v.clone() for k, v in raw.items()}
                model.load_state_dict(ema)
                ema_metrics, _ = validate(model, corpus, val_idx, a, vocab)
                model.load_state_dict(raw)
                print(f'VAL-EMA step={step} ' + ' '.join(f'{k}={v:.4f}' for k, v in ema_metrics.items()), flush=True)
                score = ema_metrics['val_ned']
            is_best = best is None or score < best
            if is_best:
                best = score
            save('best' if is_best else None)
            t_ck = time.time()
            t_log, n_log, acc_loss, acc_ok, acc_tok, acc_w = time.time(), 0, 0.0, 0, 0, 0
        if row:
            logw.writerow(row)
            logf.flush()
        if time.time() - t_ck > a.ckpt_minutes * 60:
            save()
            t_ck = time.time()
            print(f'checkpoint step={step}', flush=True)
        if step >= a.max_steps:
            break
        t_data = time.time()
    save()
    print(f'done step={step} in {time.time() - t_start:.0f}s', flush=True)


if __name__ == '__main__':
    main()
