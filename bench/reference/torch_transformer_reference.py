#!/usr/bin/env python3
"""PyTorch reference for the Transformer-encoder text classifier (issue 11): the same data pipeline as
../shared/reference/torch_reference.py (whose tokenizer, file reader and batching it imports, so the
two cannot drift apart), with the PyTorch tutorials' Transformer in place of the RNN:
embedding x sqrt(d_model) + sinusoidal positions -> nn.TransformerEncoder (post-norm, ReLU, with a
key-padding mask from the lengths) -> mean over the valid positions -> linear head. Adam, cross-entropy.
SeqClassify's "transformer-reference" configuration (bench/SeqClassify.Bench/Configurations.cs) is the
same model, so that speed compares like for like.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference/torch_transformer_reference.py \
        --reference-dir ../shared/reference --train TRAIN --test TEST --format csv --max-len 256 --threads 2
Prints one JSON object on the last line of stdout, with the same fields as torch_reference.py.
"""
import argparse
import collections
import json
import math
import random
import resource
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference-dir", required=True, help="../shared/reference: torch_reference.py's helpers")
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--format", choices=["agnews", "csv", "tsv"], default="agnews")
    ap.add_argument("--text-col", default="text")
    ap.add_argument("--label-col", default="label")
    ap.add_argument("--emb", type=int, default=128, help="d_model")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ff", type=int, default=512)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-freq", type=int, default=10)
    ap.add_argument("--max-len", type=int, default=0, help="truncate token sequences (0 = 512, the positional table)")
    ap.add_argument("--max-train", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--flush-denormal", action="store_true")
    args, _ = ap.parse_known_args()

    sys.path.insert(0, args.reference_dir)
    import torch
    from torch import nn
    from torch_reference import basic_english, batches, read_rows

    class TransformerClassifier(nn.Module):
        def __init__(self, vocab_size, num_classes, d_model, heads, ff, layers, dropout, max_positions):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=0)
            position = torch.arange(max_positions, dtype=torch.float32).unsqueeze(1)
            rates = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
            table = torch.zeros(max_positions, d_model)
            table[:, 0::2] = torch.sin(position * rates)
            table[:, 1::2] = torch.cos(position * rates[: d_model // 2])
            self.register_buffer("positions", table)
            layer = nn.TransformerEncoderLayer(d_model, heads, ff, dropout=dropout, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
            self.fc = nn.Linear(d_model, num_classes)
            self.scale = math.sqrt(d_model)

        def forward(self, tokens, lengths):
            steps = tokens.size(1)
            padding = torch.arange(steps).unsqueeze(0) >= lengths.unsqueeze(1)
            x = self.embedding(tokens) * self.scale + self.positions[:steps]
            x = self.encoder(x, src_key_padding_mask=padding)
            pooled = x.masked_fill(padding.unsqueeze(-1), 0.0).sum(1) / lengths.unsqueeze(1).float()
            return self.fc(pooled)

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    if args.flush_denormal:
        torch.set_flush_denormal(True)
    rng = random.Random(args.seed)
    max_len = args.max_len or 512

    t_load = time.perf_counter()
    train_rows = read_rows(args.train, args.format, args.text_col, args.label_col)
    test_rows = read_rows(args.test, args.format, args.text_col, args.label_col)
    if args.max_train:
        train_rows = train_rows[:args.max_train]
    label_ids = {name: i for i, name in enumerate(sorted({y for _, y in train_rows}))}
    train_rows = [(t, label_ids[y]) for t, y in train_rows]
    test_rows = [(t, label_ids[y]) for t, y in test_rows]
    counter = collections.Counter()
    train_tok = [basic_english(t) for t, _ in train_rows]
    for toks in train_tok:
        counter.update(toks)
    itos = ["<pad>", "<unk>"] + sorted(w for w, c in counter.items() if c >= args.min_freq)
    stoi = {w: i for i, w in enumerate(itos)}

    def encode(toks):
        return ([stoi.get(w, 1) for w in toks] or [1])[:max_len]

    train_enc = [(encode(toks), y) for toks, (_, y) in zip(train_tok, train_rows)]
    test_enc = [(encode(basic_english(t)), y) for t, y in test_rows]
    prep_s = time.perf_counter() - t_load

    model = TransformerClassifier(len(itos), len(label_ids), args.emb, args.heads, args.ff, args.layers, args.dropout, max_len)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    train_tokens = sum(len(x) for x, _ in train_enc)
    epoch_times = []
    for _ in range(args.epochs):
        model.train()
        t0 = time.perf_counter()
        for tokens, lengths, labels in batches(train_enc, args.batch, True, rng):
            opt.zero_grad(set_to_none=True)
            loss_fn(model(tokens, lengths), labels).backward()
            opt.step()
        epoch_times.append(time.perf_counter() - t0)

    model.eval()
    correct = 0
    t0 = time.perf_counter()
    with torch.no_grad():
        for tokens, lengths, labels in batches(test_enc, 256, False, rng):
            correct += (model(tokens, lengths).argmax(1) == labels).sum().item()
    predict_s = time.perf_counter() - t0

    train_s = sum(epoch_times)
    print(json.dumps({
        "impl": "pytorch-" + torch.__version__, "encoder": "transformer", "layers": args.layers, "emb": args.emb,
        "heads": args.heads, "ff": args.ff, "batch": args.batch, "epochs": args.epochs, "threads": args.threads,
        "train_rows": len(train_enc), "vocab": len(itos), "flush_denormal": args.flush_denormal, "max_len": max_len,
        "prep_s": round(prep_s, 3), "train_s": round(train_s, 3),
        "train_rows_per_s": round(len(train_enc) * args.epochs / train_s, 1),
        "train_tokens_per_s": round(train_tokens * args.epochs / train_s, 1),
        "predict_rows_per_s": round(len(test_enc) / predict_s, 1),
        "test_accuracy": round(correct / len(test_enc), 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    sys.exit(main())
