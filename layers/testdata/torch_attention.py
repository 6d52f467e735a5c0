#!/usr/bin/python3
"""Writes mha.json, layernorm.json and transformer.json: PyTorch reference values for
layers/attention_parity_test.go.

Run from the repository root with Debian's python3-torch (1.13):

    /usr/bin/python3 layers/testdata/torch_attention.py

Everything is float32 (the dtype intentlab trains in). Weights are drawn from a seeded torch generator.
Each case records, in intentlab's layout (weight matrices (in, out) = PyTorch's weight transposed):
  x (B, T, D); mask (B, T), 1 real and 0 padding (PyTorch's key_padding_mask is its negation);
  params: intentlab parameter names -> values;
      MultiheadAttention: in_proj_weight rows [Wq; Wk; Wv] -> "<p>q.w" = Wq^T, "<p>k.w", "<p>v.w",
      in_proj_bias -> "<p>q.b", "<p>k.b", "<p>v.b"; out_proj -> "<p>o.w" = W^T, "<p>o.b";
      LayerNorm weight/bias -> "gamma"/"beta"; TransformerEncoderLayer: self_attn -> "attn.*",
      norm1/norm2 -> "ln1.*"/"ln2.*", linear1/linear2 -> "ff1.*"/"ff2.*";
  r: loss weights of y's shape; y: the output; grads: gradients of L = sum(r * y) with respect to every
  parameter (same layout) and to x; for attention also weights (B, H, T, T), per head
  (average_attn_weights=False).
Padded queries are included in the loss: PyTorch, like intentlab, lets them attend to the real keys.
"""
import json
import os

import torch

torch.set_default_dtype(torch.float32)
HERE = os.path.dirname(os.path.abspath(__file__))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def randomize(module, gen, scale=0.5):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * scale)


def inputs(gen, lengths, t, d):
    b = len(lengths)
    x = torch.randn(b, t, d, generator=gen)
    mask = torch.zeros(b, t)
    for i, n in enumerate(lengths):
        mask[i, :n] = 1
    r = torch.randn(b, t, d, generator=gen)
    return x, mask, r


def mha_params(m, prefix, grad=False):
    """MultiheadAttention's parameters (or their gradients) under intentlab's names and layout."""
    get = (lambda p: p.grad) if grad else (lambda p: p)
    d = m.embed_dim
    w, bias = get(m.in_proj_weight), get(m.in_proj_bias)
    out = {}
    for i, part in enumerate("qkv"):
        out[f"{prefix}{part}.w"] = w[i * d:(i + 1) * d].t()
        out[f"{prefix}{part}.b"] = bias[i * d:(i + 1) * d]
    out[f"{prefix}o.w"] = get(m.out_proj.weight).t()
    out[f"{prefix}o.b"] = get(m.out_proj.bias)
    return out


def block_params(m, grad=False):
    """TransformerEncoderLayer's parameters (or their gradients) under intentlab's names and layout."""
    get = (lambda p: p.grad) if grad else (lambda p: p)
    out = mha_params(m.self_attn, "attn.", grad)
    out["ln1.gamma"], out["ln1.beta"] = get(m.norm1.weight), get(m.norm1.bias)
    out["ln2.gamma"], out["ln2.beta"] = get(m.norm2.weight), get(m.norm2.bias)
    out["ff1.w"], out["ff1.b"] = get(m.linear1.weight).t(), get(m.linear1.bias)
    out["ff2.w"], out["ff2.b"] = get(m.linear2.weight).t(), get(m.linear2.bias)
    return out


def mha_case(name, seed, lengths, t, d, heads):
    gen = torch.Generator().manual_seed(seed)
    m = torch.nn.MultiheadAttention(d, heads, batch_first=True, dropout=0.0)
    randomize(m, gen)
    x, mask, r = inputs(gen, lengths, t, d)
    xg = x.clone().requires_grad_(True)
    y, w = m(xg, xg, xg, key_padding_mask=mask == 0, need_weights=True, average_attn_weights=False)
    (r * y).sum().backward()
    params = {k: flat(v) for k, v in mha_params(m, "").items()}
    grads = {k: flat(v) for k, v in mha_params(m, "", grad=True).items()}
    grads["x"] = flat(xg.grad)
    return {"name": name, "batch": len(lengths), "steps": t, "dim": d, "heads": heads, "lengths": lengths,
            "x": flat(x), "mask": flat(mask), "r": flat(r), "params": params,
            "y": flat(y), "weights": flat(w), "grads": grads}


def layernorm_case(name, seed, shape):
    gen = torch.Generator().manual_seed(seed)
    m = torch.nn.LayerNorm(shape[-1])
    randomize(m, gen, scale=1.0)
    x = torch.randn(*shape, generator=gen) * 3 + 1
    r = torch.randn(*shape, generator=gen)
    xg = x.clone().requires_grad_(True)
    y = m(xg)
    (r * y).sum().backward()
    return {"name": name, "shape": list(shape), "x": flat(x), "r": flat(r),
            "params": {"gamma": flat(m.weight), "beta": flat(m.bias)}, "y": flat(y),
            "grads": {"gamma": flat(m.weight.grad), "beta": flat(m.bias.grad), "x": flat(xg.grad)}}


def block_case(name, seed, lengths, t, d, heads, ff, norm_first):
    gen = torch.Generator().manual_seed(seed)
    m = torch.nn.TransformerEncoderLayer(d, heads, dim_feedforward=ff, dropout=0.0, activation="relu",
                                         batch_first=True, norm_first=norm_first)
    randomize(m, gen)
    with torch.no_grad():  # LayerNorm scales near 1, so the block's signal keeps a sensible size
        for norm in (m.norm1, m.norm2):
            norm.weight.add_(1.0)
    x, mask, r = inputs(gen, lengths, t, d)
    xg = x.clone().requires_grad_(True)
    y = m(xg, src_key_padding_mask=mask == 0)
    (r * y).sum().backward()
    params = {k: flat(v) for k, v in block_params(m).items()}
    grads = {k: flat(v) for k, v in block_params(m, grad=True).items()}
    grads["x"] = flat(xg.grad)
    return {"name": name, "batch": len(lengths), "steps": t, "dim": d, "heads": heads, "ff": ff,
            "pre_norm": norm_first, "lengths": lengths, "x": flat(x), "mask": flat(mask), "r": flat(r),
            "params": params, "y": flat(y), "grads": grads}


def write(name, cases):
    doc = {"generator": "layers/testdata/torch_attention.py", "torch": torch.__version__, "cases": cases}
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(doc, f, indent=None)
        f.write("\n")


def main():
    write("mha.json", [
        mha_case("two-heads", 1, [5, 3, 1], 5, 8, 2),
        mha_case("one-head", 2, [4, 4], 4, 6, 1),
    ])
    write("layernorm.json", [layernorm_case("seq", 3, (2, 3, 6))])
    write("transformer.json", [
        block_case("post-norm", 4, [5, 2, 4], 5, 8, 2, 16, False),
        block_case("pre-norm", 5, [5, 2, 4], 5, 8, 2, 16, True),
    ])


if __name__ == "__main__":
    main()
