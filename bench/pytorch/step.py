"""PyTorch CPU reference of Contrastive Playground's training step.

Same ConvNet (3 x [3x3 conv stride 2 pad 1 -> BN -> ReLU], 32/64/64 channels, flatten, dense 128
-> BN -> ReLU), same projection head (depth 2: Linear 256 -> BN -> ReLU -> Linear 64), same NT-Xent
(tau 0.2, 2n x 2n similarities, self-pairs masked), same Adam (lr 1e-3), same input shape.
The batch is made once (no data pipeline), so this times forward + backward + update only.

Prints one JSON line: {"name": "pytorch-cpu", "images_per_s": ..., ...}; images are views (2 per
pair), as in `contrastive-playground bench train`.

    python bench/pytorch/step.py --batch 256 --channels 6 --size 28 --steps 10
"""
import argparse
import json
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(c_in, c_out):
    return [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.BatchNorm2d(c_out), nn.ReLU()]


def model(channels, size, width, head_width, out_dim):
    c = [channels] + [max(1, round(k * width)) for k in (32, 64, 64)]
    s = size
    for _ in range(3):
        s = (s + 2 - 3) // 2 + 1
    rep = max(1, round(128 * width))
    layers = conv_bn(c[0], c[1]) + conv_bn(c[1], c[2]) + conv_bn(c[2], c[3])
    layers += [nn.Flatten(), nn.Linear(c[3] * s * s, rep), nn.BatchNorm1d(rep), nn.ReLU()]
    layers += [nn.Linear(rep, head_width), nn.BatchNorm1d(head_width), nn.ReLU(), nn.Linear(head_width, out_dim)]
    return nn.Sequential(*layers)


def nt_xent(z, tau):
    n2 = z.shape[0]
    h = F.normalize(z, dim=1)
    sim = h @ h.t() / tau
    sim = sim.masked_fill(torch.eye(n2, dtype=torch.bool), float("-inf"))
    n = n2 // 2
    target = torch.cat([torch.arange(n, n2), torch.arange(0, n)])
    return F.cross_entropy(sim, target)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--channels", type=int, default=6)
    p.add_argument("--size", type=int, default=28)
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--head-width", type=int, default=256)
    p.add_argument("--out-dim", type=int, default=64)
    p.add_argument("--tau", type=float, default=0.2)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    net = model(a.channels, a.size, a.width, a.head_width, a.out_dim)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(2 * a.batch, a.channels, a.size, a.size)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = nt_xent(net(x), a.tau)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    dt = time.perf_counter() - t0
    print(json.dumps({
        "name": "pytorch-cpu",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": a.batch,
        "input": [2 * a.batch, a.channels, a.size, a.size],
        "params": sum(t.numel() for t in net.parameters()),
        "s_per_step": dt / a.steps,
        "images_per_s": a.steps * 2 * a.batch / dt,
        "last_loss": loss,
    }))


if __name__ == "__main__":
    main()
