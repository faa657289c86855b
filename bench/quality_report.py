#!/usr/bin/env python3
"""Summarises bench/quality.sh's runs: test accuracy per dataset and configuration over seeds
(mean, min-max, count), training seconds, as a Markdown table on stdout."""
import collections
import json
import statistics
import sys

runs = collections.defaultdict(list)
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if line.strip():
            r = json.loads(line)
            runs[(r["dataset"], r["configuration"])].append(r)

print("| data | configuration | test accuracy, mean | min - max | seeds | training s (mean) |")
print("|---|---|---|---|---|---|")
for (dataset, configuration), rs in sorted(runs.items()):
    acc = [r["test_accuracy"] * 100 for r in rs]
    print(f"| {dataset} | {configuration} | {statistics.mean(acc):.2f}% | {min(acc):.2f} - {max(acc):.2f} | "
          f"{','.join(str(r['seed']) for r in rs)} | {statistics.mean(r['train_s'] for r in rs):.0f} |")
