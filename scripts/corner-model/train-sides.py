#!/usr/bin/python3
"""Trains the side model (src/quality/corners/side-model.ts) on strips across found quads' sides, and writes its weights.

    node --import tsx test/support/side-train-set.ts          # the strips (once, about 9 min)
    nice -n 10 /usr/bin/python3 scripts/corner-model/train-sides.py

The model reads one strip: 3 planes (mean grey, mean chroma, grey spread) by 4 segments along the side by 48 depths
across it. Five 3 × 3 convolutions, dilated 1 to 16 so that the last sees the whole strip (a printed band, what lies
beyond it and the card's face), then one plane out: a softmax over the depths of its mean over the segments says where
the card's edge crosses the strip's middle, and a softmax of each segment's row where it crosses that segment (so the
side can turn). Trained on soft targets (a normal of one bin around each true depth), the two losses weighed alike,
fixed seeds; weights out as train.py writes the corner model's, in src/quality/corners/side-model-weights.ts.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from train import ROOT, SEED, Block, export, exposure, mixed_precision, source_constant  # noqa: E402

EPOCHS = int(os.environ.get('SIDE_EPOCHS', 30))
PLANES, SEGMENTS, BINS = 3, 4, 48
FROM, TO = -0.3, 0.12
WIDTH = int(os.environ.get('SIDE_WIDTH', 12))
LAYERS = [
    ('s1', PLANES, WIDTH, 3, 1, 1, 1),
    ('s2', WIDTH, WIDTH, 3, 1, 2, 1),
    ('s3', WIDTH, WIDTH, 3, 1, 4, 1),
    ('s4', WIDTH, WIDTH, 3, 1, 8, 1),
    ('s5', WIDTH, WIDTH, 3, 1, 16, 1),
    ('head', WIDTH, 1, 1, 1, 1, 1),
]


class StripBlock(Block):
    """A 3 × 3 convolution dilated by the strip's segments or more: its taps above and below always read the padding,
    so it runs as its middle row alone. The same outputs and gradients for a third of the work (a training step takes
    about four fifths of the time); the dead rows are zeroed before export."""

    def convolve(self, x, weight, bias):
        c = self.conv
        return F.conv2d(x, weight[:, :, 1:2], bias, c.stride, (0, c.padding[1]), c.dilation, c.groups)


class SideNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleDict(
            {
                name: (StripBlock if k == 3 and d >= SEGMENTS else Block)(cin, cout, k, s, d, g, bn=name != 'head')
                for name, cin, cout, k, s, d, g in LAYERS
            }
        )

    def forward(self, x):
        """Each segment's scores over the depths (batch × segments × bins); their mean over the segments is the whole strip's."""
        for name, *_ in LAYERS:
            x = self.blocks[name](x)
        return x[:, 0]


def load():
    """The strips of both sources (side-train-set.ts): the realistic train scenes', then the synthetic cards'."""
    version = source_constant('real-corner-set.ts', r'export const VERSION = (\d+);').group(1)
    strips = source_constant('side-train-set.ts', r'export const SIDE_STRIPS_VERSION = (\d+);').group(1)
    side = source_constant('side-train-set.ts', r'SIDE_TRAIN = \{ from: (\d+), count: (\d+) \}')
    synthetic = source_constant('side-train-set.ts', r'SIDE_SYNTHETIC = \{ seed: (\d+), cards: (\d+) \}')
    synthetic_version = source_constant('synthetic-train-set.ts', r'export const SYNTHETIC_VERSION = (\d+);').group(1)
    generated = os.path.join(ROOT, 'test', 'fixtures', 'generated')
    bases = [
        os.path.join(generated, f'side-strips-{strips}-{version}-train-{side.group(1)}-{side.group(2)}'),
        os.path.join(generated, f'side-strips-{strips}-synthetic-{synthetic_version}-{synthetic.group(1)}-0-{synthetic.group(2)}'),
    ]
    meta = [m for base in bases for m in json.load(open(base + '.json'))]
    raw = np.concatenate([np.fromfile(base + '.bin', dtype=np.uint8) for base in bases]).reshape(len(meta), PLANES, SEGMENTS, BINS)
    x = torch.from_numpy((raw.astype(np.float32) - 128) / 64)
    # The true depth in bins (fractional) at the strip's middle and at each segment's, and a soft target around each.
    to_bins = lambda depth: (depth - FROM) / (TO - FROM) * BINS - 0.5  # noqa: E731
    at = torch.tensor([to_bins(m['depth']) for m in meta], dtype=torch.float32)
    segments_at = torch.tensor([[to_bins(d) for d in m['segments']] for m in meta], dtype=torch.float32)
    return x, soft(at), at, soft(segments_at), segments_at, meta


def soft(at):
    """A normal of one bin around each true depth (in bins), over the bins: the target's probabilities."""
    bins = torch.arange(BINS, dtype=torch.float32)
    target = torch.exp(-((bins - at[..., None]) ** 2) / 2)
    return target / target.sum(-1, keepdim=True).clamp_min(1e-12)


def main():
    started = time.time()
    x, target, at, segment_target, segments_at, meta = load()
    # A segment whose edge lies outside the strip has no target there.
    segment_in = ((segments_at > -0.5) & (segments_at < BINS - 0.5)).float()
    # Validation: every tenth scene of each source, whole (a scene's strips stay on one side).
    val = torch.tensor([m['index'] % 10 == 9 for m in meta])
    train_idx, val_idx = torch.nonzero(~val)[:, 0], torch.nonzero(val)[:, 0]
    print(f'{len(meta)} strips ({int((~val).sum())} to train on), loaded in {time.time() - started:.0f} s')
    model = SideNet()
    print(f'{sum(p.numel() for p in model.parameters())} parameters')
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    batch = 128
    steps = EPOCHS * ((len(train_idx) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.15)
    gen = torch.Generator().manual_seed(SEED + 2)
    for epoch in range(EPOCHS):
        model.train()
        perm = train_idx[torch.randperm(len(train_idx), generator=gen)]
        total = 0.0
        for s in range(0, len(perm), batch):
            idx = perm[s : s + batch]
            xb = x[idx].clone()
            tb, inb = segment_target[idx], segment_in[idx]
            # The side read the other way along is the same side; grey gain and offset are the exposure.
            if torch.rand(1, generator=gen).item() < 0.5:
                xb, tb, inb = xb.flip(2), tb.flip(1), inb.flip(1)
            exposure(xb, gen)
            with mixed_precision():
                scores = model(xb).float()
            # The whole strip's depth, and each segment's (where the side turns), weighed alike.
            whole = -(F.log_softmax(scores.mean(1), 1) * target[idx]).sum(1).mean()
            each = -((F.log_softmax(scores, 2) * tb).sum(2) * inb).sum() / inb.sum().clamp_min(1)
            loss = whole + each
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            # In training's batches: all at once took 20 times as long here, a quarter of a whole epoch.
            scores = torch.cat([model(x[part]) for part in val_idx.split(batch)])
            pred = scores.mean(1).argmax(1).float()
            close = ((pred - at[val_idx]).abs() <= 2).float()
            # Each segment's, where its edge is in the strip.
            inside = segment_in[val_idx] > 0
            segment_close = ((scores.argmax(2).float() - segments_at[val_idx]).abs() <= 2)[inside].float().mean()
            found = torch.tensor([meta[i]['kind'] == 'found' for i in val_idx.tolist()])
            off = (at[val_idx] - ((0 - FROM) / (TO - FROM) * BINS - 0.5)).abs() > 2
        print(
            f'epoch {epoch + 1}/{EPOCHS}: train {total / len(train_idx):.3f}; validation within 2 bins {close.mean():.3f} '
            f'(each segment {segment_close:.3f}), '
            f"found quads' sides off the edge {close[found & off].mean():.3f} of {int((found & off).sum())}, {(time.time() - started) / 60:.1f} min",
            flush=True,
        )
    # A 3 × 3 tap dilated by the strip's segments or more always reads the padding: its weight is dead. Zeroed, the
    # outputs are the same and the weights compress (a check downloads them).
    with torch.no_grad():
        for name, cin, cout, k, s, d, g in LAYERS:
            if k == 3 and d >= SEGMENTS:
                model.blocks[name].conv.weight[:, :, 0::2, :] = 0
    target_path = os.environ.get('SIDE_TARGET', os.path.join(ROOT, 'src', 'quality', 'corners', 'side-model-weights.ts'))
    size = export(model, target_path, LAYERS, {}, 'SIDE_MODEL', "the side model's weights")
    print(f'{size} bytes of weights, in {(time.time() - started) / 60:.1f} min')


if __name__ == '__main__':
    sys.exit(main())
