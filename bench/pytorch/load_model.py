"""Loads a Contrastive Playground model file (safetensors, `train --save-model` or the page's
Download model) into PyTorch: the encoder and the projection head, built from the tensors' names
and shapes alone (README, "Saved models"), in evaluation mode.

    python bench/pytorch/load_model.py model.safetensors
    python bench/pytorch/load_model.py model.safetensors --check reps.json

`--check` compares the encoder's representations of the images in `reps.json` (written by
`contrastive-playground evaluate --model model.safetensors --representations reps.json`) with
the ones the Rust encoder computed, prints one JSON line and exits non-zero past the tolerance.
"""
import argparse
import json
import struct
import sys

import torch
import torch.nn as nn


def read_safetensors(path):
    """(tensors by name, metadata) of a safetensors file of F32 tensors."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    metadata = header.pop("__metadata__", {})
    body = data[8 + length:]
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32", f"{name}: {t['dtype']}"
        begin, end = t["data_offsets"]
        values = torch.frombuffer(bytearray(body[begin:end]), dtype=torch.float32)
        tensors[name] = values.reshape(t["shape"]).clone()
    return tensors, metadata


def batch_norm(state, prefix, dims):
    n = state[prefix + ".weight"].shape[0]
    return nn.BatchNorm2d(n) if dims == 2 else nn.BatchNorm1d(n)


class ConvBn(nn.Module):
    def __init__(self, state, prefix, stride):
        super().__init__()
        out, c_in, k, _ = state[prefix + ".conv.weight"].shape
        self.conv = nn.Conv2d(c_in, out, k, stride=stride, padding=k // 2, bias=False)
        self.bn = batch_norm(state, prefix + ".bn", 2)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class ConvNet(nn.Module):
    """3 x [3x3 conv stride 2 -> BN -> ReLU], flatten, dense -> BN -> ReLU."""

    def __init__(self, state):
        super().__init__()
        self.blocks = nn.ModuleList(ConvBn(state, f"encoder.blocks.{i}", 2) for i in range(3))
        rep, flat = state["encoder.dense.weight"].shape
        self.dense = nn.Linear(flat, rep)
        self.bn = batch_norm(state, "encoder.bn", 1)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return torch.relu(self.bn(self.dense(x.flatten(1))))


class BasicBlock(nn.Module):
    def __init__(self, state, prefix, stride):
        super().__init__()
        self.first = ConvBn(state, prefix + ".first", stride)
        out, c_in, k, _ = state[prefix + ".conv2.weight"].shape
        self.conv2 = nn.Conv2d(c_in, out, k, padding=k // 2, bias=False)
        self.bn2 = batch_norm(state, prefix + ".bn2", 2)
        self.shortcut = None
        if prefix + ".shortcut.weight" in state:
            out, c_in, k, _ = state[prefix + ".shortcut.weight"].shape
            self.shortcut = nn.Conv2d(c_in, out, k, stride=stride, bias=False)
            self.shortcut_bn = batch_norm(state, prefix + ".shortcut_bn", 2)

    def forward(self, x):
        skip = x if self.shortcut is None else self.shortcut_bn(self.shortcut(x))
        return torch.relu(self.bn2(self.conv2(self.first(x))) + skip)


class ResNet(nn.Module):
    """Stride-2 stem, three basic blocks (strides 1, 2, 2), global average pool."""

    def __init__(self, state):
        super().__init__()
        self.stem = ConvBn(state, "encoder.stem", 2)
        self.blocks = nn.ModuleList(
            BasicBlock(state, f"encoder.blocks.{i}", s) for i, s in enumerate((1, 2, 2)))

    def forward(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        return x.mean(dim=(2, 3))


class Hidden(nn.Module):
    def __init__(self, state, prefix):
        super().__init__()
        out, d_in = state[prefix + ".linear.weight"].shape
        self.linear = nn.Linear(d_in, out)
        self.bn = batch_norm(state, prefix + ".bn", 1)


class Head(nn.Module):
    """`head_depth` Linear layers: hidden ones Linear -> BN -> ReLU, the last a plain Linear."""

    def __init__(self, state):
        super().__init__()
        depth = sum(1 for k in state if k.startswith("head.hidden.") and k.endswith(".linear.weight"))
        self.hidden = nn.ModuleList(Hidden(state, f"head.hidden.{i}") for i in range(depth))
        self.last = None
        if "head.last.weight" in state:
            out, d_in = state["head.last.weight"].shape
            self.last = nn.Linear(d_in, out)

    def forward(self, h):
        for layer in self.hidden:
            h = torch.relu(layer.bn(layer.linear(h)))
        return h if self.last is None else self.last(h)


class Model(nn.Module):
    def __init__(self, state):
        super().__init__()
        self.encoder = ResNet(state) if "encoder.stem.conv.weight" in state else ConvNet(state)
        self.head = Head(state)


def load(path):
    """The model (encoder + head, evaluation mode) and the file's metadata."""
    tensors, metadata = read_safetensors(path)
    mine = {k: v for k, v in tensors.items() if k.startswith(("encoder.", "head."))}
    model = Model(mine)
    missing, unexpected = model.load_state_dict(mine, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    assert not missing and not unexpected, (missing, unexpected)
    return model.eval(), metadata


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("--check", help="evaluate --representations JSON to compare with")
    parser.add_argument("--tolerance", type=float, default=1e-3)
    args = parser.parse_args()
    model, metadata = load(args.model)
    params = sum(p.numel() for p in model.parameters())
    out = {"name": "pytorch-load-model", "link": metadata.get("link"), "parameters": params,
           "encoder": type(model.encoder).__name__}
    if args.check:
        with open(args.check) as f:
            reps = json.load(f)
        x = torch.tensor(reps["inputs"], dtype=torch.float32).reshape(reps["input_shape"])
        ours = torch.tensor(reps["representations"], dtype=torch.float32).reshape(x.shape[0], -1)
        with torch.no_grad():
            theirs = model.encoder(x)
        worst = (theirs - ours).abs().max().item()
        scale = ours.abs().max().item()
        out.update(images=x.shape[0], max_abs_difference=worst, max_abs_value=scale,
                   agrees=worst <= args.tolerance * max(1.0, scale))
    print(json.dumps(out))
    if args.check and not out["agrees"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
