#!/usr/bin/python3
"""Trains the learned corner model on two renderers' scenes and writes its weights.

    node --import tsx test/support/closer-train-set.ts         # the closer look's crops and the train split (once, 30 min)
    node --import tsx test/support/synthetic-train-set.ts      # the synthetic renderer's (once, about 4 min)
    nice -n 10 /usr/bin/python3 scripts/corner-model/train.py  # then this (Debian's python3-torch), about 47 min

`npm run train:corners` does all three, with the side model's scenes rendered before this script and its strips and
training after it (side-train-set.ts, train-sides.py). Three stages: 60 epochs on whole frames; 10 more on whole
frames and the crops of the first 18,000 train scenes together at a third of the rate (`--closer-only` runs the second stage alone,
from the first's checkpoint, FRAMES_CHECKPOINT); then two rounds of 20 more on whole frames and all the crops at half
that rate, each from the weights before it as they ship (`--more-crops` runs one round alone, from corner-model.ts;
`--check-read` checks that corner-model.ts reads back exactly). Fixed seeds and a fixed number of epochs: the same scenes give
the same weights (checked to the bit at stop 53, on one machine; a change to the order of floating-point sums trains
another model). Two threads, as on this project's 2-core machines.

The model: grey + chroma at 160 px across (model-input.ts), three stride-2 convolutions, three
dilated ones for context (the last sees about 240 input px, a whole card and what is around it),
then back up twice with a skip each time (a small U-Net) to stride 2, and two maps out: the card's
mask and a heat map of its corners. The mask is the share of each cell the card covers (the whole
card, under a thumb too), so its half-way line falls on the card's edge within a fraction of a
cell: learned.ts takes the quad from it. The corner map is a helper the loss learns alongside. The
mask's loss weighs the hardest cases up to 3 times (emphasis) and adds a soft overlap term (mask_loss).
Batch norm is folded into the convolutions on export; the weights go out as int8 (a float16 scale
per output plane) in src/quality/corners/corner-model.ts. `train.py --export` writes that file
again from the last training's checkpoint (CHECKPOINT=path: another place for it, to train a candidate beside it).
"""
import base64
import functools
import json
import math
import os
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))
COUNT = int(os.environ.get('TRAIN_SCENES', 9000))
EPOCHS = int(os.environ.get('EPOCHS', 60))
CLOSER_EPOCHS = int(os.environ.get('CLOSER_EPOCHS', 10))
# The second stage's crops come from train scenes 0–17,999, the third's from 0–35,999 (CLOSER_TRAIN renders them all).
CROPS_BELOW = 18000
MORE_CROPS_BELOW = 36000
MORE_EPOCHS = int(os.environ.get('MORE_EPOCHS', 20))
MORE_ROUNDS = int(os.environ.get('MORE_ROUNDS', 2))
MORE_LR = float(os.environ.get('MORE_LR', 5e-4))
MAX_MINUTES = float(os.environ.get('MAX_MINUTES', 55))
SEED = 24
OUT_STRIDE = 8  # frame pixels per output cell (640 px frame, 160 px input, stride 2)
FRAME_WIDTH = 640

torch.manual_seed(SEED)
np.random.seed(SEED)
torch.set_num_threads(int(os.environ.get('THREADS', 2)))
# PRECISION=bfloat16 runs each step's forward pass in bfloat16 where autocast allows (the convolutions, through oneDNN),
# the weights, losses and optimiser staying in float32: about a sixth less time a recipe here (stop 51), but its one
# run took one look-alike more on the held-out split, so the weights that ship were trained in float32, the default.
PRECISION = os.environ.get('PRECISION', 'float32')
if PRECISION == 'bfloat16' and 'avx512_bf16' not in open('/proc/cpuinfo').read():
    print('note: this CPU has no AVX-512 BF16, so bfloat16 is emulated (slower); PRECISION=float32 may be faster here')


def mixed_precision():
    """The context a training step's forward pass runs in (PRECISION)."""
    return torch.autocast('cpu', dtype=torch.bfloat16, enabled=PRECISION == 'bfloat16')

# The layers, in the order the JS reads them: name, in, out, kernel, stride, dilation, groups
# (a layer with groups = in is depthwise: each plane filtered alone, the cheap half of a separable convolution).
LAYERS = [
    ('c1', 2, 8, 3, 2, 1, 1),
    ('c2', 8, 12, 3, 2, 1, 1),
    ('c3', 12, 24, 3, 2, 1, 1),
    ('c4', 24, 32, 3, 1, 2, 1),
    ('c5', 32, 32, 3, 1, 4, 1),
    ('c5b', 32, 32, 3, 1, 8, 1),
    ('c6', 32 + 12, 12, 1, 1, 1, 1),
    ('c7', 12, 12, 3, 1, 1, 1),
    ('c8', 12 + 8, 8, 1, 1, 1, 1),
    ('head', 8, 2, 3, 1, 1, 1),
]
# Layers that first go up ×2 (nearest) and take this earlier layer's output after their own planes.
JOINS = {'c6': 'c2', 'c8': 'c1'}


class Planar(torch.autograd.Function):
    """Channels-last to planar, and its gradient back: this build's batch norm is several times slower on channels-last
    tensors of few planes, and mixing the layouts (a gradient in one, the tensor in the other) is slower still."""

    @staticmethod
    def forward(ctx, x):
        return x.contiguous()

    @staticmethod
    def backward(ctx, grad):
        return grad.contiguous(memory_format=torch.channels_last)


class ChannelsLast(torch.autograd.Function):
    """Planar to channels-last, and its gradient back (Planar's twin)."""

    @staticmethod
    def forward(ctx, x):
        return x.contiguous(memory_format=torch.channels_last)

    @staticmethod
    def backward(ctx, grad):
        return grad.contiguous()


def fold_norm(weight, bias, bn, cast=lambda t: t):
    """A convolution's weight and bias with the batch norm after it folded in, from its running statistics (`cast`
    each of the norm's tensors first: export folds in float64)."""
    scale = cast(bn.weight) / torch.sqrt(cast(bn.running_var) + bn.eps)
    return weight * scale[:, None, None, None], (bias - cast(bn.running_mean)) * scale + cast(bn.bias)


class Block(nn.Module):
    def __init__(self, cin, cout, k, stride, dil, groups, bn=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, padding=dil * (k // 2), dilation=dil, groups=groups, bias=not bn)
        self.bn = nn.BatchNorm2d(cout) if bn else None

    def convolve(self, x, weight, bias):
        c = self.conv
        if isinstance(x, tuple):
            # A join (JOINS): the 1 × 1 convolution of [x up ×2, skip] is the upsampled convolution of x plus the
            # convolution of skip, as nearest upsampling commutes with a 1 × 1 convolution: the same function without
            # the joined tensor, and a quarter of x's half of the work. A third-stage epoch took a fifth less time in
            # stop 53's run (0.50 min against 0.63), a first-stage one about a sixteenth.
            x, skip = x
            up = F.interpolate(F.conv2d(x, weight[:, : x.shape[1]], bias), scale_factor=2, mode='nearest')
            if up.shape[2:] != skip.shape[2:]:
                up = up[:, :, : skip.shape[2], : skip.shape[3]]
            return up + F.conv2d(skip, weight[:, x.shape[1] :])
        return F.conv2d(x, weight, bias, c.stride, c.padding, c.dilation, c.groups)

    def forward(self, x):
        if self.bn is None:
            return self.convolve(x, self.conv.weight, self.conv.bias)
        if not self.bn.training:
            # Fixed statistics (the third stage's frozen norms, and evaluation) make batch norm a scale and shift per
            # plane: folded into the convolution, the same function with the same gradients, and no planar round trip
            # (a third-stage epoch took about a fifth less time in stop 52's run, on a slower day).
            return F.relu(self.convolve(x, *fold_norm(self.conv.weight, torch.zeros_like(self.bn.bias), self.bn)))
        x = self.convolve(x, self.conv.weight, None)
        # The convolution runs channels-last, the batch norm and ReLU planar: a training step takes half the time.
        return ChannelsLast.apply(F.relu(self.bn(Planar.apply(x))))


class CornerNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleDict({name: Block(cin, cout, k, s, d, g, bn=name != 'head') for name, cin, cout, k, s, d, g in LAYERS})
        assert all((k, s, g) == (1, 1, 1) for name, _, _, k, s, _, g in LAYERS if name in JOINS), 'a join is a plain 1 × 1 convolution'

    def forward(self, x):
        b = self.blocks
        kept = {}
        for name, *_ in LAYERS:
            # A join block takes x and the earlier output apart (Block.convolve joins them).
            x = b[name]((x, kept[JOINS[name]]) if name in JOINS else x)
            if name in JOINS.values():
                kept[name] = x
        return x


def source_constant(path, pattern):
    return re.search(pattern, open(os.path.join(ROOT, 'test', 'support', path)).read())


def load(crops_below=0):
    # Two renderers' scenes: the realistic set's train split and the synthetic renderer's (synthetic-train-set.ts);
    # with crops_below, the closer look's crops of the train scenes numbered below it too (closer-train-set.ts).
    generated = os.path.join(ROOT, 'test', 'fixtures', 'generated')
    version = source_constant('real-corner-set.ts', r'export const VERSION = (\d+);').group(1)
    synthetic = source_constant('synthetic-train-set.ts', r'seed: (\d+), cards: (\d+), empty: (\d+)')
    synthetic_version = source_constant('synthetic-train-set.ts', r'export const SYNTHETIC_VERSION = (\d+);').group(1)
    bases = [
        os.path.join(generated, f'real-corners-{version}-train-0-{COUNT}'),
        os.path.join(generated, f'synthetic-corners-{synthetic_version}-train-0-{int(synthetic.group(2)) + int(synthetic.group(3))}'),
    ]
    if crops_below:
        closer = source_constant('closer-train-set.ts', r'CLOSER_TRAIN = \{ from: (\d+), count: (\d+) \}')
        bases.append(os.path.join(generated, f'closer-corners-{version}-train-{closer.group(1)}-{closer.group(2)}'))
    parts = []
    for base in bases:
        raw, heat, mask, meta = read_part(base)
        if 'closer-corners' in base:
            keep = [i for i, m in enumerate(meta) if m['index'] < crops_below]
            raw, heat, mask, meta = raw[keep], heat[keep], mask[keep], [meta[i] for i in keep]
        parts.append((raw, heat, mask, meta))
    raw, heat, mask = (np.concatenate([part[k] for part in parts]) for k in range(3))
    meta = [m for part in parts for m in part[3]]
    x = (raw.astype(np.float32) - 128) / 64
    return torch.from_numpy(x), torch.from_numpy(heat), torch.from_numpy(mask), meta, torch.from_numpy(emphasis(meta))


@functools.lru_cache(maxsize=None)
def read_part(base):
    """One file of scenes (its pixels and their metadata) and each scene's targets: the card's corner heat map and its
    mask. Read once: each stage trains on the same whole frames, and the third on the second's crops too."""
    meta = json.load(open(base + '.json'))
    w, h = meta[0]['width'], meta[0]['height']
    raw = np.fromfile(base + '.bin', dtype=np.uint8).reshape(len(meta), 2, h, w)
    ow, oh = w // 2, h // 2
    heat = np.zeros((len(meta), oh, ow), np.float32)
    mask = np.zeros((len(meta), oh, ow), np.float32)
    gy, gx = np.mgrid[0:oh, 0:ow].astype(np.float32)
    sigma = 1.8
    for i, m in enumerate(meta):
        corners = m.get('corners')
        if not corners:
            continue
        pts = [(p['x'] / OUT_STRIDE - 0.5, p['y'] / OUT_STRIDE - 0.5) for p in corners]
        if sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(pts, pts[1:] + pts[:1])) < 0:
            pts.reverse()  # clockwise (y down) for the inside test
        for (u, v) in pts:
            heat[i] = np.maximum(heat[i], np.exp(-((gx - u) ** 2 + (gy - v) ** 2) / (2 * sigma * sigma)))
        # The card's mask: the share of each cell inside the (clockwise, convex) quad, from 4 × 4 samples.
        cover = np.zeros((oh, ow), np.float32)
        for sy in range(4):
            for sx in range(4):
                px, py = gx + (sx + 0.5) / 4 - 0.5, gy + (sy + 0.5) / 4 - 0.5
                inside = np.ones((oh, ow), bool)
                for k in range(4):
                    (ax, ay), (bx, by) = pts[k], pts[(k + 1) % 4]
                    inside &= (bx - ax) * (py - ay) - (by - ay) * (px - ax) >= 0
                cover += inside
        mask[i] = cover / 16
    return raw, heat, mask, meta


def emphasis(meta):
    """How much each scene's mask weighs in the loss: 1, plus 1 for each case the mask found hardest (a paper or marble
    surface, a cast shadow, a light card on a light surface, a card under 35 % of the frame's width), at most 3."""
    hard = [
        (m.get('group') in ('paper', 'marble')) + bool(m.get('castShadow')) + bool(m.get('lightOnLight')) + bool(m.get('corners') and m.get('share', 1) < 0.35)
        for m in meta
    ]
    return np.minimum(1.0 + np.array(hard, np.float32), 3.0)


def mask_loss(logits, target, weight):
    """Weighted cross-entropy on the card's mask, plus one minus its soft intersection over union with the true card
    (scenes with a card only): the quad is fitted to the mask's overlap, so the loss asks for that overlap."""
    bce = (F.binary_cross_entropy_with_logits(logits, target, reduction='none').mean((1, 2)) * weight).sum() / weight.sum()
    p = torch.sigmoid(logits)
    inter = (p * target).sum((1, 2))
    union = (p + target - p * target).sum((1, 2)).clamp(min=1e-3)
    card = (target.sum((1, 2)) > 0).float() * weight
    return bce * 2 + ((1 - inter / union) * card).sum() / card.sum().clamp(min=1)


def focal(logits, target):
    """Weighted cross-entropy on the corner heat map: its peaks are rare, so they weigh 30 times the background."""
    weight = 1 + 30 * target
    return (F.binary_cross_entropy_with_logits(logits, target, reduction='none') * weight).sum() / weight.sum()


def export(model, path, layers=LAYERS, joins=JOINS, name='CORNER_MODEL', what="the learned corner model's weights"):
    """Folds batch norm into each convolution and writes the weights as int8, one float16 scale per output plane
    (`name`_LAYERS and `name`_WEIGHTS; the side model's too, from train-sides.py).

    Per layer: the planes' float16 scales, then the int8 weights (PyTorch's order), then float16 biases.
    int8 halves the bytes a check downloads; on the tune split it finds the same cards as float16.
    """
    chunks = []
    manifest = []
    for layer, cin, cout, k, s, d, g in layers:
        block = model.blocks[layer]
        w = block.conv.weight.detach().double()
        b = block.conv.bias.detach().double() if block.conv.bias is not None else torch.zeros(cout, dtype=torch.float64)
        if block.bn is not None:
            w, b = fold_norm(w, b, block.bn, lambda t: t.detach().double())
        planes = w.reshape(cout, -1)
        # The float16 scale is what the JavaScript reads: quantise against it, not against the exact one.
        scales = torch.from_numpy((planes.abs().max(1).values / 127).clamp(min=1e-8).numpy().astype('<f2').astype('float64'))
        q = torch.round(planes / scales[:, None]).clamp(-127, 127).to(torch.int8)
        chunks.append(scales.numpy().astype('<f2').tobytes())
        chunks.append(q.numpy().astype('i1').tobytes())
        chunks.append(b.float().numpy().astype('<f2').tobytes())
        manifest.append({'name': layer, 'in': cin, 'out': cout, 'kernel': k, 'stride': s, 'dilation': d, 'groups': g, 'relu': layer != 'head', **({'join': joins[layer]} if layer in joins else {})})
    data = b''.join(chunks)
    text = (
        f'// Generated by scripts/corner-model/{os.path.basename(sys.argv[0])}: {what} (int8 with a float16 scale per\n'
        '// output plane, float16 biases; batch norm folded). Do not edit; retrain instead.\n'
        f'export const {name}_LAYERS = {json.dumps(manifest)} as const;\n'
        f"export const {name}_WEIGHTS: string = '{base64.b64encode(data).decode()}';\n"
    )
    open(path, 'w').write(text)
    return len(data)


def read_shipped(model, path):
    """Loads the weights of corner-model.ts into `model`: each convolution's int8 weights times its plane's scale, and
    its folded bias into a batch norm that passes its input through (mean 0, variance 1 - eps, gain 1)."""
    text = open(path).read()
    data = base64.b64decode(re.search(r"CORNER_MODEL_WEIGHTS: string = '([^']+)'", text).group(1))
    at = 0
    with torch.no_grad():
        for name, cin, cout, k, s, d, g in LAYERS:
            block = model.blocks[name]
            scales = np.frombuffer(data, '<f2', cout, at).astype(np.float32)
            at += 2 * cout
            count = cout * (cin // g) * k * k
            q = np.frombuffer(data, 'i1', count, at).astype(np.float32).reshape(cout, -1)
            at += count
            bias = np.frombuffer(data, '<f2', cout, at).astype(np.float32)
            at += 2 * cout
            block.conv.weight.copy_(torch.from_numpy(q * scales[:, None]).reshape(block.conv.weight.shape))
            if block.bn is None:
                block.conv.bias.copy_(torch.from_numpy(bias))
                continue
            block.bn.running_mean.zero_()
            block.bn.running_var.fill_(1 - block.bn.eps)
            block.bn.weight.fill_(1)
            block.bn.bias.copy_(torch.from_numpy(bias))
    assert at == len(data), f'{len(data) - at} bytes of weights left over'


def exposure(xb, gen):
    """A batch's grey plane under another exposure, in place: a gain of ±12.5 % and an offset of ±0.15 per input."""
    gain = 1 + 0.25 * (torch.rand(len(xb), 1, 1, generator=gen) - 0.5)
    xb[:, 0] = xb[:, 0] * gain + 0.3 * (torch.rand(len(xb), 1, 1, generator=gen) - 0.5)


def train(model, data, epochs, max_lr, started, label, frozen_norms=False):
    """Trains `model` in place for `epochs` on the loaded scenes (load()), nine in ten of them; the tenth validates.
    With `frozen_norms`, batch norms keep their statistics (weights read back folded, from read_shipped)."""
    x, heat, mask, meta, weight = data
    stage_started = time.time()
    n = len(meta)
    val = n // 10
    order = torch.randperm(n, generator=torch.Generator().manual_seed(SEED))
    val_idx, train_idx = order[:val], order[val:]
    print(f'{label}: {n} scenes ({int(sum(1 for m in meta if m.get("corners")))} with a card), input {tuple(x.shape[1:])}, loaded in {time.time() - started:.0f} s')
    opt = torch.optim.AdamW(model.parameters(), lr=max_lr, weight_decay=1e-4)
    batch = 32
    steps = epochs * math.ceil(len(train_idx) / batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=steps, pct_start=0.15)
    gen = torch.Generator().manual_seed(SEED + 1)
    for epoch in range(epochs):
        model.train()
        if frozen_norms:
            for module in model.modules():
                if isinstance(module, nn.BatchNorm2d):
                    module.eval()
        perm = train_idx[torch.randperm(len(train_idx), generator=gen)]
        total = 0.0
        for s in range(0, len(perm), batch):
            idx = perm[s : s + batch]
            xb, hb, mb = x[idx].clone(), heat[idx].clone(), mask[idx].clone()
            # Flips keep a card a card (its corners flip with it); grey gain and offset are the exposure.
            if torch.rand(1, generator=gen).item() < 0.5:
                xb, hb, mb = xb.flip(3), hb.flip(2), mb.flip(2)
            if torch.rand(1, generator=gen).item() < 0.5:
                xb, hb, mb = xb.flip(2), hb.flip(1), mb.flip(1)
            # A quarter turn: a phone held upright films the same scene as a portrait frame.
            if torch.rand(1, generator=gen).item() < 0.3:
                xb, hb, mb = xb.transpose(2, 3).flip(3), hb.transpose(1, 2).flip(2), mb.transpose(1, 2).flip(2)
            exposure(xb, gen)
            with mixed_precision():
                out = model(xb.contiguous(memory_format=torch.channels_last)).float()
            # Flipping a map shifts its cells by the stride's half-pixel: small against the sigma.
            loss = focal(out[:, 0], hb) + mask_loss(out[:, 1], mb, weight[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            # In training's batches: 100 at a time took 2.5 to 9 times as long here (their planes outgrow the caches),
            # up to a quarter of a whole epoch; the outputs are the same.
            out = torch.cat([model(x[part].contiguous(memory_format=torch.channels_last)) for part in val_idx.split(batch)])
            vloss = (focal(out[:, 0], heat[val_idx]) + F.binary_cross_entropy_with_logits(out[:, 1], mask[val_idx]) * 2).item()
        minutes = (time.time() - started) / 60
        print(f'{label}, epoch {epoch + 1}/{epochs}: train {total / len(train_idx):.3f}, validation {vloss:.3f}, {minutes:.1f} min', flush=True)
        # Each stage's own budget: counted from the script's start, it cut the later stages of a whole run short.
        if (time.time() - stage_started) / 60 > MAX_MINUTES:
            print(f'stopping: this stage is past {MAX_MINUTES} minutes', flush=True)
            break
    model.eval()


def main():
    started = time.time()
    generated = os.path.join(ROOT, 'test', 'fixtures', 'generated')
    checkpoint = os.environ.get('CHECKPOINT', os.path.join(generated, 'corner-model.pt'))
    # The first stage's weights: whole frames only (the model as it shipped before the closer look's crops).
    frames_checkpoint = os.environ.get('FRAMES_CHECKPOINT', os.path.join(generated, 'corner-model-frames.pt'))
    target = os.path.join(ROOT, 'src', 'quality', 'corners', 'corner-model.ts')
    if '--export' in sys.argv:
        # Writes corner-model.ts again from the last training's checkpoint (a change of format, not of weights).
        model = CornerNet()
        model.load_state_dict(torch.load(checkpoint))
        model.eval()
        print(f'{export(model, target)} bytes of weights')
        return 0
    # Channels-last runs the convolutions through oneDNN here: several times faster than the default layout on this build.
    model = CornerNet().to(memory_format=torch.channels_last)
    params = sum(p.numel() for p in model.parameters())
    print(f'{params} parameters')
    if '--check-read' in sys.argv:
        # read_shipped's own check: corner-model.ts read back and written again must be the same file.
        read_shipped(model, target)
        model.eval()
        copy = checkpoint + '.ts'
        export(model, copy)
        same = open(copy).read() == open(target).read()
        print('read back and written again:', 'the same file' if same else 'DIFFERENT')
        return 0 if same else 1
    if '--more-crops' not in sys.argv:
        if '--closer-only' in sys.argv:
            # The second stage alone, from the first stage's checkpoint.
            model.load_state_dict(torch.load(frames_checkpoint))
        else:
            train(model, load(), EPOCHS, 3e-3, started, 'whole frames')
            torch.save(model.state_dict(), frames_checkpoint)
        # Second stage: whole frames and the closer look's crops together, a few epochs at a third of the rate, so the
        # network learns the crops without forgetting the frames (CLOSER_EPOCHS=0 leaves it out).
        if CLOSER_EPOCHS:
            train(model, load(crops_below=CROPS_BELOW), CLOSER_EPOCHS, 1e-3, started, 'with closer crops')
        export(model, target)
    # Third stage, from the second's weights as they ship (int8, batch norm folded and then frozen): twice the crops,
    # in rounds, each a learning-rate cycle of its own from the round before's weights as they ship.
    # `--more-crops` runs one round alone, from corner-model.ts.
    data = load(crops_below=MORE_CROPS_BELOW)
    for turn in range(1 if '--more-crops' in sys.argv else MORE_ROUNDS):
        read_shipped(model, target)
        train(model, data, MORE_EPOCHS, MORE_LR, started, f'more crops, round {turn + 1}', frozen_norms=True)
        size = export(model, target)
    torch.save(model.state_dict(), checkpoint)
    print(f'{params} parameters, {size} bytes of weights, in {(time.time() - started) / 60:.1f} min')


if __name__ == '__main__':
    sys.exit(main())
