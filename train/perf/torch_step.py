#!/usr/bin/python3
"""The PyTorch side of intentlab's side-by-side benchmark (train/perf, go run ./cmd/perfcompare).

    /usr/bin/python3 torch_step.py SPEC.json

SPEC.json is written by train/perf (torch.go): the job (mode, batch, length, warm-up, steps, calls,
threads), the model's sizes ("arch", perf.Arch) and one real batch of intentlab's benchmark data in
intentlab's flat layout ("data"). The script builds the PyTorch equivalent of the model from the sizes,
measures, and prints one JSON object (perf.Measurement) on stdout. SPEC.json may also hold a list of
such specs (the tests check several models in one process): then one line per spec, in order; the
threads are those of the first.

Equivalents (float32, PyTorch's default initialisation; weights do not change the speed):
  recurrent (lstm, gru): x_t = [E_type; E_cat; dwell, price, 2 repeats] -> one nn.LSTM / nn.GRU per
    layer (sizes differ, so no num_layers), dropout between layers -> the top state at each sequence's
    last real event -> Linear-ReLU-Linear head over [q; static];
  transformer: E_type + E_cat + W_v.values + P[t], dropout, nn.TransformerEncoderLayer(batch_first,
    post-norm, ReLU) blocks with src_key_padding_mask -> masked mean -> head over [q; static];
  fusion: the LSTM encoder, a static MLP (Linear-ReLU-dropout), concatenation, dropout, one head per task;
  static vector: the numeric features next to one embedding per categorical feature.
The loss is the weighted binary cross-entropy from the logits, mean over the batch weights, summed over
tasks; the optimiser torch.optim.Adam(lr=1e-3). A training step is zero_grad, forward, backward, step on
the same batch every time, as intentlab's (train.Stepper). Inference runs the model in eval mode under
torch.inference_mode(): one session per call, then batches of 512 (the batch repeated).

Threads: OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS are set to the job's threads before
torch is imported (torch.set_num_threads alone does not bound Debian's OpenBLAS pool), OMP_WAIT_POLICY
to PASSIVE, then torch.set_num_threads(threads).
"""
import json
import os
import sys
import time


def peak_rss():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return -1


def main():
    with open(sys.argv[1]) as f:
        specs = json.load(f)
    if isinstance(specs, dict):
        specs = [specs]
    threads = int(specs[0]["job"]["threads"])
    for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[k] = str(threads)
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

    import torch

    torch.set_num_threads(threads)
    for spec in specs:
        json.dump(measure(torch, spec), sys.stdout)
        sys.stdout.write("\n")
        sys.stdout.flush()


def measure(torch, spec):
    """Builds the model of spec and measures its job; returns the perf.Measurement as a dict."""
    from torch import nn
    import torch.nn.functional as F

    job, arch, data = spec["job"], spec["arch"], spec["data"]
    torch.manual_seed(1)

    B, T = data["batch"], data["length"]
    types = torch.tensor(data["types"], dtype=torch.long).view(B, T)
    cats = torch.tensor(data["categories"], dtype=torch.long).view(B, T)
    values = torch.cat([
        torch.tensor(data["dwell"], dtype=torch.float32).view(B, T, 1),
        torch.tensor(data["price"], dtype=torch.float32).view(B, T, 1),
        torch.tensor(data["repeats"], dtype=torch.float32).view(B, T, 2),
    ], dim=2)  # (B, T, 4)
    mask = torch.tensor(data["mask"], dtype=torch.float32).view(B, T)
    lengths = torch.tensor(data["lengths"], dtype=torch.long)
    numeric = torch.tensor(data["numeric"], dtype=torch.float32).view(B, arch["numeric"])
    ncat = len(arch["categorical_sizes"])
    categorical = torch.tensor(data["categorical"], dtype=torch.long).view(B, ncat)
    labels = torch.tensor(data["labels"], dtype=torch.float32).view(B, -1)[:, data["label_columns"]]
    weights = torch.tensor(data["weights"], dtype=torch.float32)
    batch = dict(types=types, cats=cats, values=values, mask=mask, lengths=lengths,
                 numeric=numeric, categorical=categorical)

    class Static(nn.Module):
        def __init__(self):
            super().__init__()
            self.embs = nn.ModuleList(nn.Embedding(n, d) for n, d in
                                      zip(arch["categorical_sizes"], arch["categorical_dims"]))

        def forward(self, b):  # (B, S)
            return torch.cat([b["numeric"]] + [e(b["categorical"][:, i]) for i, e in enumerate(self.embs)], 1)

    def head(width):
        return nn.Sequential(nn.Linear(width, arch["head"]), nn.ReLU(), nn.Linear(arch["head"], 1))

    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            self.type_emb = nn.Embedding(arch["type_vocab"], arch["type_dim"], padding_idx=0)
            self.cat_emb = nn.Embedding(arch["category_vocab"], arch["category_dim"], padding_idx=0)
            cell = nn.LSTM if arch["cell"] == "lstm" else nn.GRU
            width = arch["type_dim"] + arch["category_dim"] + 4
            layers = []
            for h in arch["hiddens"]:
                layers.append(cell(width, h, batch_first=True))
                width = h
            self.layers = nn.ModuleList(layers)
            self.drop = nn.Dropout(arch["dropout"])
            self.dim = width

        def forward(self, b):  # (B, H)
            x = torch.cat([self.type_emb(b["types"]), self.cat_emb(b["cats"]), b["values"]], 2)  # (B, T, E)
            for i, layer in enumerate(self.layers):
                if i > 0:
                    x = self.drop(x)
                x, _ = layer(x)  # (B, T, H)
            return x[torch.arange(x.shape[0]), b["lengths"] - 1]  # (B, H): the last real event

    class TransformerEnc(nn.Module):
        def __init__(self):
            super().__init__()
            d = arch["dim"]
            self.type_emb = nn.Embedding(arch["type_vocab"], d, padding_idx=0)
            self.cat_emb = nn.Embedding(arch["category_vocab"], d, padding_idx=0)
            self.values = nn.Linear(4, d, bias=False)
            self.pos = nn.Parameter(torch.randn(arch["max_len"], d) * 0.02)
            self.drop = nn.Dropout(arch["dropout"])
            self.blocks = nn.ModuleList(
                nn.TransformerEncoderLayer(d, arch["heads"], arch["ff"], arch["dropout"], batch_first=True)
                for _ in range(arch["blocks"]))
            self.dim = d

        def forward(self, b):  # (B, D)
            t = b["types"].shape[1]
            x = self.values(b["values"]) + self.type_emb(b["types"]) + self.cat_emb(b["cats"]) + self.pos[:t]
            x = self.drop(x)  # (B, T, D)
            pad = b["mask"] == 0
            for blk in self.blocks:
                x = blk(x, src_key_padding_mask=pad)  # (B, T, D)
            m = b["mask"].unsqueeze(2)
            return (x * m).sum(1) / m.sum(1).clamp(min=1)  # (B, D): masked mean

    class Classifier(nn.Module):
        def __init__(self, enc):
            super().__init__()
            self.enc, self.static = enc, Static()
            self.head = head(enc.dim + sum(arch["categorical_dims"]) + arch["numeric"])

        def forward(self, b):  # (B, 1) logits
            return self.head(torch.cat([self.enc(b), self.static(b)], 1))

    class Fusion(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc, self.static = Recurrent(), Static()
            width, mlp = sum(arch["categorical_dims"]) + arch["numeric"], []
            for w in arch["mlp"]:
                mlp += [nn.Linear(width, w), nn.ReLU(), nn.Dropout(arch["dropout"])]
                width = w
            self.mlp = nn.Sequential(*mlp)
            self.drop = nn.Dropout(arch["dropout"])
            self.heads = nn.ModuleList(head(width + self.enc.dim) for _ in range(arch["tasks"]))

        def forward(self, b):  # (B, tasks) logits
            f = self.drop(torch.cat([self.mlp(self.static(b)), self.enc(b)], 1))
            return torch.cat([h(f) for h in self.heads], 1)

    if arch["model"] in ("lstm", "gru"):
        model = Classifier(Recurrent())
    elif arch["model"] == "transformer":
        model = Classifier(TransformerEnc())
    else:
        model = Fusion()

    def loss_of(z):  # z (B, tasks)
        ell = F.binary_cross_entropy_with_logits(z, labels, reduction="none")  # (B, tasks)
        return ((ell * weights.unsqueeze(1)).sum(0) / weights.sum()).sum()

    out = {"side": "pytorch", "model": arch["model"], "version": torch.__version__,
           "blas": "openblas" if "BLAS_INFO=open" in torch.__config__.show() else "",
           "threads": torch.get_num_threads(),
           "params": sum(p.numel() for p in model.parameters()),
           "allocs_per_step": -1, "bytes_per_step": -1, "allocs_per_call": -1, "loss": 0.0, "cpu_share": -1}

    if job["mode"] == "train":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        model.train()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_of(model(batch))
            loss.backward()
            opt.step()
            return loss

        for _ in range(job["warmup"]):
            step()
        times = []
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(job["steps"]):
            start = time.perf_counter()
            loss = step()
            times.append(time.perf_counter() - start)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        out["step_seconds"] = times
        out["cpu_share"] = 100 * cpu / (wall * torch.get_num_threads())
        out["loss"] = float(loss)
    else:
        model.eval()
        rows = [{k: v[i:i + 1] for k, v in batch.items()} for i in range(B)]
        reps = (512 + B - 1) // B
        big = {k: v.repeat(*([reps] + [1] * (v.dim() - 1)))[:512] for k, v in batch.items()}
        with torch.inference_mode():
            for i in range(job["warmup"]):
                torch.sigmoid(model(rows[i % B]))
            calls = []
            for i in range(job["calls"]):
                start = time.perf_counter()
                torch.sigmoid(model(rows[i % B]))
                calls.append(time.perf_counter() - start)
            torch.sigmoid(model(big))
            batches = []
            for _ in range(job["steps"]):
                start = time.perf_counter()
                torch.sigmoid(model(big))
                batches.append(time.perf_counter() - start)
        out["call_seconds"], out["batch_seconds"] = calls, batches
    out["peak_rss"] = peak_rss()
    return out


if __name__ == "__main__":
    main()
