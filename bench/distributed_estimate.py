#!/usr/bin/env python3
"""Issue 12, item 5: a scaling estimate, on paper, for data-parallel training on 4-64 machines.

Per step, each machine computes its batch (C = b / R seconds, R the rows/s one 2-core machine
measured with the default model: bench/results/distributed-<dataset>.json, or --rows-per-s), then
the ranks all-reduce
  - a byte per vocabulary entry (which embedding rows some rank touched: MAX), and
  - 4 bytes per non-embedding parameter and per touched embedding value, plus 16 bytes of sums (SUM),
each with Gloo's ring: 2(W-1)/W * S / bandwidth + 2(W-1) * latency. The mask's all-reduce starts
before the forward pass and travels while the step computes; the gradients' starts after the backward
pass (the fused layer gives its gradients at the end of its backward, and after it only the
embedding's index-add remains), so a step takes max(C, mask) + gradients.

The touched rows U(W) are counted on the data itself: the default vocabulary (basic_english, minimum
count 2) of the training file, and random global batches of W x b rows.

Usage (Debian's python3, which has python3-torch, for the reference's tokenizer): /usr/bin/python3 bench/distributed_estimate.py [--dataset sst2|imdb] [--batch 32] [--rows-per-s R] [--out FILE.md]
"""
import argparse
import collections
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
sys.path.insert(0, os.path.join(SHARED, "reference"))
from torch_reference import basic_english, read_rows  # noqa: E402  (the reference's own tokenizer and reader)

FILES = {
    "sst2": (f"{SHARED}/datasets/sst2/train.tsv", "tsv", "sentence", "label"),
    "imdb": (f"{SHARED}/datasets/imdb/train.csv", "csv", "text", "label"),
}
EMBEDDING = 100
# The default network's parameters besides the embedding: a bidirectional GRU of 128 (input 100) and a
# linear head over 256 max-pooled features, 2 classes (SST-2, IMDB).
DENSE_PARAMETERS = 2 * (3 * 128 * (EMBEDDING + 128) + 2 * 3 * 128) + 256 * 2 + 2
LINKS = {"10 Gbit/s": 10e9 / 8 * 0.9, "25 Gbit/s": 25e9 / 8 * 0.9}  # 90% of the line rate
LATENCY = 50e-6  # per ring hop over TCP, Gloo's transport
MACHINES = [1, 4, 8, 16, 32, 64]


def ring(size_bytes, ranks, bandwidth):
    return 0.0 if ranks == 1 else 2 * (ranks - 1) / ranks * size_bytes / bandwidth + 2 * (ranks - 1) * LATENCY


def duration(seconds):
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="sst2", choices=FILES)
    p.add_argument("--batch", type=int, nargs="+", default=[32, 128])
    p.add_argument("--rows-per-s", type=float, default=None)
    p.add_argument("--out", default=None)
    a = p.parse_args()
    rate = a.rows_per_s
    if rate is None:
        with open(os.path.join(ROOT, "bench", "results", f"distributed-{a.dataset}.json")) as f:
            rate = json.load(f)["runs"][0]["train_rows_per_s"]
    path, fmt, text, label = FILES[a.dataset]
    docs = [basic_english(t) for t, _ in read_rows(path, fmt, text, label)]
    counts = collections.Counter(token for doc in docs for token in doc)
    vocabulary = {t: i + 2 for i, t in enumerate(sorted(t for t, c in counts.items() if c >= 2))}
    ids = [[vocabulary.get(t, 1) for t in doc] or [1] for doc in docs]
    size = len(vocabulary) + 2
    rng = random.Random(1)
    lines = [
        f"## Scaling estimate: {a.dataset}, default model ({DENSE_PARAMETERS:,} parameters besides an embedding of {size:,} x {EMBEDDING})",
        "",
        f"One 2-core machine measured {rate:,.0f} training rows/s; per-rank batch b; ring all-reduce at 90% of the line rate, "
        f"{LATENCY * 1e6:.0f} µs per hop. Reproduce: `/usr/bin/python3 bench/distributed_estimate.py --dataset {a.dataset}`.",
        "",
        "| machines | b | global batch | embedding rows sent | MB per step | compute ms | link | communication ms not hidden | efficiency | rows/s | per million rows |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for b in a.batch:
        for machines in MACHINES:
            samples = [len({i for doc in rng.sample(ids, min(len(ids), machines * b)) for i in doc} | {0}) for _ in range(50)]
            touched = sum(samples) / len(samples)
            gradient_bytes = 4 * (DENSE_PARAMETERS + touched * EMBEDDING + 4)
            compute = b / rate
            for link, bandwidth in LINKS.items():
                if machines == 1 and link != next(iter(LINKS)):
                    continue
                mask, gradients = ring(size, machines, bandwidth), ring(gradient_bytes, machines, bandwidth)
                step = max(compute, mask) + gradients
                communication = step - compute
                rows_per_s = machines * b / step
                lines.append(
                    f"| {machines} | {b} | {machines * b:,} | {touched:,.0f} of {size:,} | {(gradient_bytes + size) / 1e6:.2f} | {compute * 1e3:.1f} | "
                    f"{link if machines > 1 else '-'} | {communication * 1e3:.2f} | {compute / step:.0%} | {rows_per_s:,.0f} | {duration(1e6 / rows_per_s)} |")
    text = "\n".join(lines) + "\n"
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
