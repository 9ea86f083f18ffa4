"""Compact image -> LaTeX model: conv stem + transformer encoder (2D sinusoidal positions),
autoregressive transformer decoder (pre-norm). Hand-written attention (no nn.MultiheadAttention)
so that the ONNX export with an explicit key/value cache is simple and exact."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c1 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.b1 = nn.BatchNorm2d(c)
        self.c2 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        return F.relu(x + self.b2(self.c2(y)))


def pos2d(d, h, w):
    """2D sinusoidal encoding (d/2 channels for rows, d/2 for columns) -> (h*w, d)."""
    half = d // 2
    div = torch.exp(torch.arange(0, half, 2, dtype=torch.float32) * (-math.log(10000.0) / half))
    ys = torch.arange(h, dtype=torch.float32)[:, None] * div[None, :]
    xs = torch.arange(w, dtype=torch.float32)[:, None] * div[None, :]
    pe_y = torch.cat([torch.sin(ys), torch.cos(ys)], dim=1)  # h x half
    pe_x = torch.cat([torch.sin(xs), torch.cos(xs)], dim=1)  # w x half
    pe = torch.cat([pe_y[:, None, :].expand(h, w, half), pe_x[None, :, :].expand(h, w, half)], dim=2)
    return pe.reshape(h * w, d)


class LayerNorm(nn.LayerNorm):
    # CPU autocast (torch 1.13) leaves layer_norm without a cast rule: normalise bf16 activations in float32
    def forward(self, x):
        return super().forward(x.to(self.weight.dtype) if x.dtype != self.weight.dtype else x)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.h, self.dh = heads, d // heads
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)

    def split(self, x):  # B,T,d -> B,h,T,dh
        B, T, _ = x.shape
        return x.view(B, T, self.h, self.dh).transpose(1, 2)

    def attend(self, q, k, v, mask=None):
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.dh))
        if mask is not None:
            att = att + mask
        att = torch.softmax(att, dim=-1)
        y = torch.matmul(att, v)  # B,h,T,dh
        B, h, T, dh = y.shape
        return self.o(y.transpose(1, 2).reshape(B, T, h * dh))

    def forward(self, x, kv=None, mask=None):
        kv = x if kv is None else kv
        return self.attend(self.split(self.q(x)), self.split(self.k(kv)), self.split(self.v(kv)), mask)


class FF(nn.Module):
    def __init__(self, d, ff, drop):
        super().__init__()
        self.l1, self.l2, self.drop = nn.Linear(d, ff), nn.Linear(ff, d), nn.Dropout(drop)

    def forward(self, x):
        return self.l2(self.drop(F.gelu(self.l1(x))))


class EncLayer(nn.Module):
    def __init__(self, d, heads, ff, drop):
        super().__init__()
        self.n1, self.att, self.n2, self.ff = LayerNorm(d), Attention(d, heads), LayerNorm(d), FF(d, ff, drop)
        self.drop = nn.Dropout(drop)

    def forward(self, x):
        x = x + self.drop(self.att(self.n1(x)))
        return x + self.drop(self.ff(self.n2(x)))


class DecLayer(nn.Module):
    def __init__(self, d, heads, ff, drop):
        super().__init__()
        self.n1, self.sa = LayerNorm(d), Attention(d, heads)
        self.n2, self.ca = LayerNorm(d), Attention(d, heads)
        self.n3, self.ff = LayerNorm(d), FF(d, ff, drop)
        self.drop = nn.Dropout(drop)

    def forward(self, x, mem, causal):
        x = x + self.drop(self.sa(self.n1(x), mask=causal))
        x = x + self.drop(self.ca(self.n2(x), kv=mem))
        return x + self.drop(self.ff(self.n3(x)))


# State-dict prefixes of the encoder (conv stem + transformer): what masked pre-training trains and hands on.
ENCODER_PREFIXES = ('stem.', 'enc_in.', 'enc.', 'enc_out.')


class Im2Latex(nn.Module):
    def __init__(self, vocab_size, d=256, enc_layers=4, dec_layers=3, heads=4, ff=1024, max_len=256, drop=0.1):
        super().__init__()
        self.cfg = dict(vocab_size=vocab_size, d=d, enc_layers=enc_layers, dec_layers=dec_layers, heads=heads, ff=ff, max_len=max_len, drop=drop)
        # stem: H/16 x W/8
        self.stem = nn.Sequential(
            conv_bn(1, 32, 2),            # H/2
            conv_bn(32, 64, 2),           # H/4
            conv_bn(64, 128, 2),          # H/8, W/8
            ResBlock(128),
            conv_bn(128, d, (2, 1)),      # H/16, W/8
        )
        self.enc_in = LayerNorm(d)
        self.enc = nn.ModuleList([EncLayer(d, heads, ff, drop) for _ in range(enc_layers)])
        self.enc_out = LayerNorm(d)
        self.emb = nn.Embedding(vocab_size, d)
        self.pos = nn.Embedding(max_len, d)
        self.dec = nn.ModuleList([DecLayer(d, heads, ff, drop) for _ in range(dec_layers)])
        self.dec_out = LayerNorm(d)
        self.head = nn.Linear(d, vocab_size)
        self.d = d
        self.max_len = max_len
        nn.init.normal_(self.emb.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)

    def encode(self, img):
        """img: B,1,H,W float (ink 1, paper 0) -> memory B,S,d"""
        f = self.stem(img)                      # B,d,h,w
        B, d, h, w = f.shape
        x = f.flatten(2).transpose(1, 2)        # B,h*w,d
        x = self.enc_in(x + pos2d(d, h, w).to(x.dtype))
        for layer in self.enc:
            x = layer(x)
        return self.enc_out(x)

    def decode(self, tokens, mem):
        """teacher forcing: tokens B,T (starting with BOS) -> logits B,T,V"""
        B, T = tokens.shape
        pos = torch.arange(T, device=tokens.device)
        x = self.emb(tokens) + self.pos(pos)[None]
        causal = torch.triu(torch.full((T, T), float('-inf'), device=tokens.device), diagonal=1)
        for layer in self.dec:
            x = layer(x, mem, causal)
        return self.head(self.dec_out(x))

    def forward(self, img, tokens):
        return self.decode(tokens, self.encode(img))

    @torch.no_grad()
    def greedy(self, img, max_len=None, bos=1, eos=2):
        """Reference greedy decoding with a key/value cache (same arithmetic as the ONNX decoder)."""
        self.eval()
        max_len = max_len or self.max_len - 1
        mem = self.encode(img)
        ck, cv = cross_kv(self, mem)
        B = img.shape[0]
        L, h, dh = len(self.dec), self.dec[0].sa.h, self.dec[0].sa.dh
        pk = mem.new_zeros(L, B, h, 0, dh)
        pv = mem.new_zeros(L, B, h, 0, dh)
        tok = torch.full((B, 1), bos, dtype=torch.long)
        out = []
        done = torch.zeros(B, dtype=torch.bool)
        for t in range(max_len):
            logits, pk, pv = decoder_step(self, tok, torch.tensor([t]), ck, cv, pk, pv)
            nxt = logits[:, -1].argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, eos), nxt)
            out.append(nxt)
            done |= nxt == eos
            if bool(done.all()):
                break
            tok = nxt[:, None]
        return torch.stack(out, 1)


def cross_kv(model, mem):
    """Cross-attention keys/values of every decoder layer: L,B,h,S,dh each."""
    ks, vs = [], []
    for layer in model.dec:
        ks.append(layer.ca.split(layer.ca.k(mem)))
        vs.append(layer.ca.split(layer.ca.v(mem)))
    return torch.stack(ks), torch.stack(vs)


def decoder_step(model, tok, pos, ck, cv, pk, pv):
    """One decoding step. tok B,1 int64; pos (1,) int64 position of tok; ck/cv L,B,h,S,dh;
    pk/pv L,B,h,T,dh (self-attention cache of the T previous tokens). Returns logits B,1,V and the
    caches extended to T+1."""
    x = model.emb(tok) + model.pos(pos)[None]
    nk, nv = [], []
    for i, layer in enumerate(model.dec):
        a = layer.sa
        hN = layer.n1(x)
        q, k, v = a.split(a.q(hN)), a.split(a.k(hN)), a.split(a.v(hN))
        k = torch.cat([pk[i], k], dim=2)
        v = torch.cat([pv[i], v], dim=2)
        nk.append(k)
        nv.append(v)
        x = x + a.attend(q, k, v)
        c = layer.ca
        x = x + c.attend(c.split(c.q(layer.n2(x))), ck[i], cv[i])
        x = x + layer.ff(layer.n3(x))
    return model.head(model.dec_out(x)), torch.stack(nk), torch.stack(nv)


def count_params(m):
    return sum(p.numel() for p in m.parameters())
