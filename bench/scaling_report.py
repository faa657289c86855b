#!/usr/bin/env python3
"""Collects the harness's JSON results of bench/scaling.sh into scaling.md and scaling.svg."""
import json
import os
import sys

folder = sys.argv[1]


def load(name):
    path = os.path.join(folder, name + ".json")
    if not os.path.exists(path):
        return None
    runs = {r["name"]: r["result"] for r in json.load(open(path))["runs"]}
    ours = next(v for k, v in runs.items() if k.startswith("SeqClassify"))
    return ours, runs.get("PyTorch reference")


lengths = [(n, load(f"imdb-1000-e1-len{n}")) for n in (64, 128, 256, 512, 1024)]
rows = [(1000, load("imdb-1000-e1")), (5000, load("imdb-5000-e1")), (25000, load("imdb-full-e1"))]


def table(title, key, points):
    out = [f"| {title} | SeqClassify s/epoch | PyTorch s/epoch | speed-up | SeqClassify peak RSS MB | PyTorch peak RSS MB |", "|---|---|---|---|---|---|"]
    for x, pair in points:
        if pair is None or pair[1] is None:
            out.append(f"| {x:,} | - | - | - | - | - |")
            continue
        a, b = pair
        out.append(f"| {x:,} | {a['train_s']:.1f} | {b['train_s']:.1f} | {b['train_s'] / a['train_s']:.1f}x | {a['peak_rss_mb']:,.0f} | {b['peak_rss_mb']:,.0f} |")
    return "\n".join(out)


def chart(x0, title, points, width=440, height=260):
    """One log-scale line chart of seconds per epoch, both implementations."""
    import math
    valid = [(x, p) for x, p in points if p and p[1]]
    if not valid:
        return ""
    ys = [p[0]["train_s"] for _, p in valid] + [p[1]["train_s"] for _, p in valid]
    lo, hi = math.log10(min(ys)) - 0.1, math.log10(max(ys)) + 0.1
    left, right, top, bottom = 55, 15, 40, 40

    def X(i):
        return x0 + left + i * (width - left - right) / max(1, len(valid) - 1)

    def Y(v):
        return top + (height - top - bottom) * (1 - (math.log10(v) - lo) / (hi - lo))

    svg = [f'<text x="{x0 + left}" y="20" font-size="13" font-weight="bold">{title}</text>',
           f'<line x1="{x0 + left}" y1="{height - bottom}" x2="{x0 + width - right}" y2="{height - bottom}" stroke="#888"/>',
           f'<line x1="{x0 + left}" y1="{top}" x2="{x0 + left}" y2="{height - bottom}" stroke="#888"/>']
    for k in range(int(math.floor(lo)), int(math.ceil(hi)) + 1):
        for m in (1, 3):
            v = m * 10 ** k
            if lo <= math.log10(v) <= hi:
                svg.append(f'<text x="{x0 + left - 5}" y="{Y(v) + 4:.1f}" font-size="10" text-anchor="end">{v:g} s</text>')
    for i, (x, _) in enumerate(valid):
        svg.append(f'<text x="{X(i):.1f}" y="{height - bottom + 15}" font-size="10" text-anchor="middle">{x:,}</text>')
    for idx, (name, colour) in enumerate((("SeqClassify", "#1f77b4"), ("PyTorch", "#d62728"))):
        pts = " ".join(f"{X(i):.1f},{Y(p[idx]['train_s']):.1f}" for i, (_, p) in enumerate(valid))
        svg.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}"/>')
        svg.append(f'<rect x="{x0 + left + idx * 110}" y="27" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x0 + left + 14 + idx * 110}" y="36" font-size="11">{name}</text>')
    return "\n".join(svg)


md = ["# Scaling: seconds per training epoch and peak memory", "",
      "IMDB, the reference model (GRU, embedding 100, hidden 128, batch 32), one epoch, 2 threads; at each point "
      "SeqClassify and the PyTorch reference ran in the same harness run (`bench/scaling.sh`; the 25,000-row point is "
      "`imdb-full-e1`). Peak RSS includes each process's whole test split (25,000 reviews) in memory.", "",
      "## Text length (first 1,000 training rows, texts cut to N tokens)", "", table("tokens", "len", lengths), "",
      "## Training rows (no truncation)", "", table("rows", "rows", rows), "", "![scaling](scaling.svg)", "",
      "Reading: SeqClassify's time grows with the tokens it processes; PyTorch's has a per-step overhead on top, "
      "so the speed-up grows with text length. Peak memory: the worker drops the text and token columns once the "
      "ids exist (`Transforms.DropColumns`), as the reference keeps only ids; it is then within about 5% of the "
      "reference's on truncated texts (above it at 64, 128 and 512 tokens, below at 256 and 1,024) and about "
      "two thirds of it on whole reviews. The 25,000-row point comes from the earlier full-split run, made before "
      "the worker dropped those columns.", ""]
open(os.path.join(folder, "scaling.md"), "w").write("\n".join(md))
svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="900" height="270">',
       chart(0, "seconds per epoch vs tokens per text (1,000 rows)", lengths),
       chart(450, "seconds per epoch vs training rows", rows), "</svg>"]
open(os.path.join(folder, "scaling.svg"), "w").write("\n".join(svg))
print(open(os.path.join(folder, "scaling.md")).read())
