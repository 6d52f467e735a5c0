#!/usr/bin/python3
"""Writes seqlayers.json: PyTorch reference values for layers/seqparity_test.go (Embedding, Conv1D,
MeanPool, LastPool, AttentionPool, Dense).

Run from the repository root with Debian's python3-torch (1.13):

    /usr/bin/python3 layers/testdata/torch_seq.py

Every case is computed in float64 from weights and inputs drawn with a fixed torch seed, and records them
in intentlab's layout together with the output y, the loss weights r, and the gradients of
L = sum(r * y) with respect to every parameter and to the float input x:
  embedding:  ids (B, T), table "e" (V, D); torch.nn.Embedding(padding_idx=0), whose padding row is 0
              and gets no gradient.
  conv1d:     x (B, T, In), mask (B, T); torch.nn.functional.conv1d on the masked input, with zero padding
              (K-1)//2 on both sides ("same") or K-1 on the left (causal), then the activation, then the
              output masked; weight "w" (K, In, Out) = torch's (Out, In, K) permuted, bias "b" (Out).
  mean, last: x, mask; (x*m).sum(1) / m.sum(1).clamp(min=1), and x[b, len_b - 1].
  attention:  x, mask; s = tanh(x W + b) v, masked_fill(mask == 0, -inf), softmax over time, y = sum a x;
              "w" (D, H), "b" (H), "v" (H, 1). Every sequence has at least one real position (an all-padding
              row would be NaN here, by the -inf).
  dense:      x (B, T, In); torch.nn.functional.linear then the activation (GELU with approximate="tanh",
              as intentlab's); weight "w" (In, Out) = torch's (Out, In) transposed, bias "b" (Out).
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def mask_of(lengths, t):
    return torch.tensor([[1.0 if i < n else 0.0 for i in range(t)] for n in lengths])


def finish(case, y, params, x=None):
    r = torch.randn(y.shape)
    loss = (r * y).sum()
    loss.backward()
    case["y"], case["r"] = flat(y), flat(r)
    case["params"] = {k: flat(v) for k, v in params.items()}
    case["grads"] = {k: flat(v.grad) for k, v in params.items()}
    if x is not None:
        case["x"], case["grads"]["x"] = flat(x), flat(x.grad)
    return case


def embedding(seed):
    torch.manual_seed(seed)
    emb = torch.nn.Embedding(7, 3, padding_idx=0)
    ids = torch.tensor([[3, 1, 3, 0], [6, 2, 0, 0]])
    y = emb(ids)
    case = {"name": "embedding", "kind": "embedding", "batch": 2, "steps": 4, "vocab": 7, "dim": 3,
            "ids": [int(i) for i in ids.reshape(-1)]}
    table = emb.weight
    out = finish(case, y, {"e": table})
    out["grads"] = {"emb.e": out["grads"].pop("e")}
    out["params"] = {"emb.e": out["params"].pop("e")}
    return out


def conv1d(name, seed, k, causal, act):
    torch.manual_seed(seed)
    b, t, cin, cout, lengths = 2, 6, 3, 4, [6, 4]
    x = torch.randn(b, t, cin, requires_grad=True)
    mask = mask_of(lengths, t)
    w_pt = torch.randn(cout, cin, k) * 0.5
    bias = torch.randn(cout, requires_grad=True)
    w = w_pt.permute(2, 1, 0).contiguous().requires_grad_(True)  # (K, In, Out)
    xm = (x * mask[:, :, None]).transpose(1, 2)  # (B, In, T)
    left = k - 1 if causal else (k - 1) // 2
    right = 0 if causal else (k - 1) // 2
    y = F.conv1d(F.pad(xm, (left, right)), w.permute(2, 1, 0), bias).transpose(1, 2)  # (B, T, Out)
    y = {"tanh": torch.tanh, "relu": torch.relu, "": lambda v: v}[act](y) * mask[:, :, None]
    case = {"name": name, "kind": "conv1d", "batch": b, "steps": t, "in": cin, "out": cout, "kernel": k,
            "causal": causal, "activation": act, "mask": flat(mask)}
    return finish(case, y, {"conv.w": w, "conv.b": bias}, x)


def pool(kind, seed):
    torch.manual_seed(seed)
    b, t, d, h, lengths = 3, 5, 3, 4, [5, 2, 1]
    x = torch.randn(b, t, d, requires_grad=True)
    mask = mask_of(lengths, t)
    params = {}
    if kind == "mean":
        y = (x * mask[:, :, None]).sum(1) / mask.sum(1).clamp(min=1)[:, None]
    elif kind == "last":
        y = torch.stack([x[i, n - 1] for i, n in enumerate(lengths)])
    else:
        params = {"pool.w": (torch.randn(d, h) * 0.7).requires_grad_(True),
                  "pool.b": (torch.randn(h) * 0.3).requires_grad_(True),
                  "pool.v": torch.randn(h, 1).requires_grad_(True)}
        s = (torch.tanh(x @ params["pool.w"] + params["pool.b"]) @ params["pool.v"]).squeeze(-1)
        a = torch.softmax(s.masked_fill(mask == 0, float("-inf")), dim=1)
        y = (a[:, :, None] * x).sum(1)
    case = {"name": kind + " pool", "kind": kind, "batch": b, "steps": t, "dim": d, "hidden": h,
            "mask": flat(mask)}
    return finish(case, y, params, x)


def dense(act, seed):
    torch.manual_seed(seed)
    b, t, cin, cout = 2, 3, 4, 5
    x = torch.randn(b, t, cin, requires_grad=True)
    w = (torch.randn(cin, cout) * 0.6).requires_grad_(True)
    bias = (torch.randn(cout) * 0.3).requires_grad_(True)
    z = F.linear(x, w.t(), bias)
    y = {"": lambda v: v, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
         "gelu": lambda v: F.gelu(v, approximate="tanh")}[act](z)
    case = {"name": "dense " + (act or "linear"), "kind": "dense", "batch": b, "steps": t, "in": cin,
            "out": cout, "activation": act, "mask": flat(torch.ones(b, t))}
    return finish(case, y, {"dense.w": w, "dense.b": bias}, x)


def main():
    cases = [
        embedding(1),
        conv1d("conv1d same k3 tanh", 2, 3, False, "tanh"),
        conv1d("conv1d causal k3 relu", 3, 3, True, "relu"),
        conv1d("conv1d causal k2 linear", 4, 2, True, ""),
        conv1d("conv1d same k5 linear", 5, 5, False, ""),
        pool("mean", 6),
        pool("last", 7),
        pool("attention", 8),
    ] + [dense(act, 9 + i) for i, act in enumerate(["", "relu", "tanh", "sigmoid", "gelu"])]
    with open(os.path.join(HERE, "seqlayers.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
