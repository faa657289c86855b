#!/usr/bin/env python3
"""Issue 12, item 5: data-parallel training on one machine, through the CLI.

Runs `seqclassify train` (the default configuration, GloVe included) in the same session, one after
another, as
  - 1 process x all cores (the usual run),
  - N processes x cores/N threads (--nproc N) with the same global batch (--batch-size 32/N),
  - N processes with --batch-size 32 each (global batch 32N: what --nproc alone gives),
and reports training rows/s, test accuracy, epochs, and each distributed run's time in collectives per
step (rank 0, waiting for the slower rank included), with the ratios to the one-process run.

Usage: bench/distributed.py [--dataset sst2|imdb] [--nproc 2] [--epochs 5] [--out bench/results/distributed-sst2]
Writes OUT.json and OUT.md; prints the table.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATASETS = os.path.join(os.path.dirname(ROOT), "shared", "datasets")
CLI = os.path.join(ROOT, "src", "SeqClassify.Cli", "bin", "Release", "net10.0", "seqclassify.dll")

DATA = {
    "sst2": ["--train", f"{DATASETS}/sst2/train.tsv", "--test", f"{DATASETS}/sst2/test.tsv",
             "--text-column", "sentence", "--label-column", "label", "--unescape-ptb"],
    "imdb": ["--train", f"{DATASETS}/imdb/train.csv", "--test", f"{DATASETS}/imdb/test.csv",
             "--text-column", "text", "--label-column", "label"],
}


def cpu():
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return f"{fields.get('Model name', '?').strip()}, {fields.get('CPU(s)', '?').strip()} CPUs, family {fields.get('CPU family', '?').strip()}"


def run(name, args, out_dir):
    model = os.path.join(out_dir, re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".zip")
    command = ["dotnet", "exec", CLI, "train", *args, "--out", model]
    print(f"== {name}: {' '.join(command)}", file=sys.stderr, flush=True)
    start = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.monotonic() - start
    if result.returncode != 0:
        sys.exit(f"{name} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    text = result.stdout
    rows = int(re.search(r"training on ([\d,]+) rows", text).group(1).replace(",", ""))
    epochs = [float(s) for s in re.findall(r"^epoch \d+/\d+: .*\(([\d.]+) s\)$", text, re.M)]
    training = re.search(r"holding out (\d+)%", text)
    train_rows = rows * (1 - int(training.group(1)) / 100) if training else rows
    accuracy = float(re.search(r"micro accuracy\s*│?\s*([\d.]+)", text).group(1))
    communication = re.search(r"rank 0: ([\d.]+) ms per step in collectives over (\d+) steps", text)
    return {
        "name": name, "wall_s": round(wall, 1), "epoch_s": epochs, "epochs": len(epochs),
        "train_rows_per_s": round(train_rows * len(epochs) / sum(epochs), 1),
        "test_accuracy": accuracy,
        "collectives_ms_per_step": float(communication.group(1)) if communication else None,
        "steps": int(communication.group(2)) if communication else None,
        "command": " ".join(command),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default="sst2", choices=DATA)
    parser.add_argument("--nproc", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=None)
    a = parser.parse_args()
    out = a.out or os.path.join(ROOT, "bench", "results", f"distributed-{a.dataset}")
    scratch = os.path.join("/tmp", "seqclassify-distributed-bench")
    os.makedirs(scratch, exist_ok=True)
    cores = os.cpu_count()
    common = [*DATA[a.dataset], "--epochs", str(a.epochs), "--seed", str(a.seed)]
    n = a.nproc
    runs = [
        run(f"1 process x {cores} threads, batch 32", [*common, "--batch-size", "32", "--threads", str(cores)], scratch),
        run(f"{n} processes x {max(1, cores // n)} thread(s), {n} x {32 // n} = global batch 32", [*common, "--nproc", str(n), "--batch-size", str(32 // n)], scratch),
        run(f"{n} processes x {max(1, cores // n)} thread(s), {n} x 32 = global batch {32 * n}", [*common, "--nproc", str(n), "--batch-size", "32"], scratch),
    ]
    base = runs[0]
    lines = [
        f"# Distributed training on one machine: {a.dataset}, default configuration, {a.epochs} epochs, seed {a.seed}",
        "",
        f"CPU: {cpu()}. Reproduce: `python3 bench/distributed.py --dataset {a.dataset} --nproc {n} --epochs {a.epochs}`.",
        "Rows/s: training rows x epochs / the epochs' seconds (validation included); collectives: rank 0's time in",
        "collectives per step (the gradients; the embedding rows' mask, started before the forward pass; the stop",
        "agreement every 8 steps), waiting for the other rank included.",
        "",
        "| run | training rows/s | vs 1 process | test accuracy | epochs | collectives ms/step | wall s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        comm = f"{r['collectives_ms_per_step']:.2f} ({r['steps']} steps)" if r["collectives_ms_per_step"] is not None else "-"
        lines.append(f"| {r['name']} | {r['train_rows_per_s']:.0f} | {r['train_rows_per_s'] / base['train_rows_per_s']:.2f}x | "
                     f"{r['test_accuracy'] * 100:.2f}% | {r['epochs']} | {comm} | {r['wall_s']:.0f} |")
    with open(out + ".json", "w") as f:
        json.dump({"cpu": cpu(), "dataset": a.dataset, "epochs": a.epochs, "runs": runs}, f, indent=1)
    with open(out + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
