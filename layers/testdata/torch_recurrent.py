#!/usr/bin/python3
"""Writes lstm.json and gru.json: PyTorch reference values for layers/lstm_test.go and gru_test.go.

Run from the repository root with Debian's python3-torch (1.13):

    /usr/bin/python3 layers/testdata/torch_recurrent.py

Each case is a stack of recurrent layers run on a padded batch whose sequences have different lengths,
through torch.nn.utils.rnn.pack_padded_sequence, in float64. A case records, in intentlab's layout
(weights (in, out), gates along the last axis):
  x (B, T, D), mask (B, T), lengths, hiddens;
  params: per layer l, "l<l>.w" = weight_ih^T, "l<l>.u" = weight_hh^T, and the biases:
    LSTM "l<l>.b" = b_ih + b_hh (PyTorch keeps two; the LSTM only ever uses their sum),
    GRU  "l<l>.bi" = b_ih, "l<l>.bh" = b_hh (b_hn sits inside the reset product, so both are needed);
  seq (B, T, H): the top layer's states, zero at padded positions (compare where mask = 1);
  last (B, H): the top layer's state at each sequence's last valid step (h_n);
  r_seq (B, T, H), zero at padding, and r_last (B, H): the loss weights;
  grads_seq: gradients of L = sum(r_seq * seq) with respect to every parameter and to x;
  grads_last: gradients of L = sum(r_last * last).
"""
import json
import os

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def modules(kind, d, hiddens):
    """One nn.LSTM/GRU with num_layers=len(hiddens) when the sizes are equal, else a chain of one-layer
    modules. Returns the modules and, per intentlab layer, its (module, PyTorch layer index)."""
    cls = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
    if len(set(hiddens)) == 1:
        m = cls(d, hiddens[0], num_layers=len(hiddens), batch_first=True)
        return [m], [(m, l) for l in range(len(hiddens))]
    mods, ins = [], [d] + hiddens[:-1]
    for i, h in zip(ins, hiddens):
        mods.append(cls(i, h, num_layers=1, batch_first=True))
    return mods, [(m, 0) for m in mods]


def run(mods, x, lengths):
    out = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    for m in mods:
        out, state = m(out)
    h_n = state[0] if isinstance(state, tuple) else state
    seq, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return seq, h_n[-1]


def case(kind, name, seed, d, hiddens, lengths, t):
    torch.manual_seed(seed)
    b, h = len(lengths), hiddens[-1]
    mods, layers = modules(kind, d, hiddens)
    x = torch.randn(b, t, d)
    mask = torch.zeros(b, t)
    for i, n in enumerate(lengths):
        mask[i, :n] = 1
    x = x * mask.unsqueeze(-1)  # zero padding, as the loaders write it
    r_seq = torch.randn(b, t, h) * mask.unsqueeze(-1)
    r_last = torch.randn(b, h)

    params = {}
    for l, (m, k) in enumerate(layers):
        params[f"l{l}.w"] = flat(getattr(m, f"weight_ih_l{k}").t())
        params[f"l{l}.u"] = flat(getattr(m, f"weight_hh_l{k}").t())
        bih, bhh = getattr(m, f"bias_ih_l{k}"), getattr(m, f"bias_hh_l{k}")
        if kind == "lstm":
            params[f"l{l}.b"] = flat(bih + bhh)
        else:
            params[f"l{l}.bi"] = flat(bih)
            params[f"l{l}.bh"] = flat(bhh)

    def grads(loss_of):
        for m in mods:
            m.zero_grad()
        xg = x.clone().requires_grad_(True)
        seq, last = run(mods, xg, torch.tensor(lengths))
        loss_of(seq, last).backward()
        g = {"x": flat(xg.grad)}
        for l, (m, k) in enumerate(layers):
            g[f"l{l}.w"] = flat(getattr(m, f"weight_ih_l{k}").grad.t())
            g[f"l{l}.u"] = flat(getattr(m, f"weight_hh_l{k}").grad.t())
            gih, ghh = getattr(m, f"bias_ih_l{k}").grad, getattr(m, f"bias_hh_l{k}").grad
            if kind == "lstm":
                assert torch.allclose(gih, ghh, rtol=1e-12, atol=1e-14)  # they enter only as a sum
                g[f"l{l}.b"] = flat(gih)
            else:
                g[f"l{l}.bi"] = flat(gih)
                g[f"l{l}.bh"] = flat(ghh)
        return g

    with torch.no_grad():
        seq, last = run(mods, x, torch.tensor(lengths))
    return {
        "name": name, "input": d, "hiddens": hiddens, "batch": b, "steps": t, "lengths": lengths,
        "x": flat(x), "mask": flat(mask), "params": params,
        "r_seq": flat(r_seq), "r_last": flat(r_last),
        "seq": flat(seq), "last": flat(last),
        "grads_seq": grads(lambda s, _: (r_seq * s).sum()),
        "grads_last": grads(lambda _, z: (r_last * z).sum()),
    }


def main():
    for kind in ("lstm", "gru"):
        cases = [
            case(kind, "stacked", 1, 3, [4, 4], [5, 2, 4], 5),
            case(kind, "tapered", 2, 4, [5, 3], [3, 6, 1, 6], 6),
        ]
        doc = {"generator": "layers/testdata/torch_recurrent.py", "torch": torch.__version__, "cases": cases}
        with open(os.path.join(HERE, f"{kind}.json"), "w") as f:
            json.dump(doc, f, indent=None)
            f.write("\n")


if __name__ == "__main__":
    main()
