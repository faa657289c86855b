#!/usr/bin/env python3
"""Memory of `seqclassify serve` under load: N clients, each sending the largest request the server
allows, all at once, for a number of rounds. Reports the server's peak RSS (VmHWM, read from /proc
by the server's pid), each client's answers by status, latencies, and writes bench/results/server-load-*.{md,json}.

Usage (from the repository root, after `dotnet build -c Release` and a model, e.g. setup-and-train.sh's):
  python3 bench/server_load.py --model artifacts/sst2.zip --clients 40 --rounds 3
The server is started here with the given extra options (--serve-args "...") and stopped at the end.
Only the standard library: urllib, threading.
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "src/SeqClassify.Cli/bin/Release/net10.0/seqclassify.dll")


def largest_request(max_bytes, max_text_length, sentences):
    """As many texts as fit in max_bytes, each of at most max_text_length characters of real English
    (SST-2 phrases run together): the most tokens a request within the limits carries."""
    text, i = [], 0
    while sum(len(s) + 1 for s in text) < max_text_length:
        text.append(sentences[i % len(sentences)])
        i += 1
    one = " ".join(text)[:max_text_length]
    texts = []
    while len(json.dumps({"texts": texts + [one]}).encode()) <= max_bytes:
        texts.append(one)
    return json.dumps({"texts": texts}).encode(), len(texts), len(one)


def rss_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_name():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = re.search(r"Model name:\s*(.+)", out)
        return model.group(1).strip() if model else platform.processor()
    except OSError:
        return platform.processor()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--clients", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--port", type=int, default=5391)
    ap.add_argument("--serve-args", default="", help="extra options for seqclassify serve")
    ap.add_argument("--data", default=os.path.join(ROOT, "../shared/datasets/sst2/train.tsv"))
    ap.add_argument("--max-request-bytes", type=int, default=1 << 20)
    ap.add_argument("--max-text-length", type=int, default=20000)
    ap.add_argument("--name", default="server-load")
    args = ap.parse_args()

    with open(args.data, encoding="utf-8") as f:
        sentences = [line.split("\t")[0] for line in f.read().splitlines()[1:5000]]
    body, texts, chars = largest_request(args.max_request_bytes, args.max_text_length, sentences)

    url = f"http://127.0.0.1:{args.port}"
    command = ["dotnet", CLI, "serve", "--model", args.model, "--urls", url] + args.serve_args.split()
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Ready when it says where it serves.
    for line in server.stdout:
        if line.startswith("serving "):
            break
    else:
        sys.exit(f"the server did not start: {' '.join(command)}")
    server_log = []
    drain = threading.Thread(target=lambda: server_log.extend(server.stdout), daemon=True)
    drain.start()

    idle_rss = rss_kb(server.pid, "VmRSS")
    statuses, latencies, errors = {}, [], []
    lock = threading.Lock()
    peak_sampled = [idle_rss]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            try:
                peak_sampled[0] = max(peak_sampled[0], rss_kb(server.pid, "VmRSS"))
            except OSError:
                return
            stop.wait(0.05)

    def client():
        for _ in range(args.rounds):
            start = time.perf_counter()
            request = urllib.request.Request(url + "/predict", data=body, headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=600) as response:
                    answer = json.loads(response.read())
                    status = response.status
                    if len(answer["predictions"]) != texts:
                        raise ValueError(f"{len(answer['predictions'])} predictions for {texts} texts")
            except urllib.error.HTTPError as e:
                status = e.code
                answer = json.loads(e.read())
                if status in (429, 503) and e.headers.get("Retry-After") is None:
                    with lock:
                        errors.append(f"{status} without Retry-After")
            except Exception as e:  # anything else is an error the benchmark reports
                status = type(e).__name__
                with lock:
                    errors.append(f"{e!r} after {time.perf_counter() - start:.1f} s")
            with lock:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                latencies.append(time.perf_counter() - start)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    stop.set()
    peak = rss_kb(server.pid, "VmHWM")
    server.terminate()
    server.wait(timeout=60)

    latencies.sort()
    result = {
        "cpu": cpu_name(), "cores": os.cpu_count(), "clients": args.clients, "rounds": args.rounds,
        "texts_per_request": texts, "characters_per_text": chars, "request_bytes": len(body),
        "serve_args": args.serve_args, "statuses": statuses, "errors": errors[:10], "error_count": len(errors),
        "idle_rss_mb": round(idle_rss / 1024), "peak_rss_mb": round(peak / 1024),
        "wall_s": round(wall, 1), "latency_p50_s": round(latencies[len(latencies) // 2], 2),
        "latency_max_s": round(latencies[-1], 2),
        "command": "python3 bench/server_load.py " + " ".join(sys.argv[1:]),
    }
    print(json.dumps(result))
    os.makedirs(os.path.join(ROOT, "bench/results/tmp"), exist_ok=True)
    with open(os.path.join(ROOT, "bench/results/tmp", args.name + "-server.log"), "w") as f:
        f.writelines(server_log)
    if errors:
        print("server output (bench/results/tmp/%s-server.log):\n%s" % (args.name, "".join(server_log[-20:])), file=sys.stderr)
    out = os.path.join(ROOT, "bench/results", args.name)
    with open(out + ".json", "w") as f:
        json.dump(result, f, indent=2)
    with open(out + ".md", "w") as f:
        f.write(f"# seqclassify serve under load ({args.name})\n\n")
        f.write(f"Machine: {result['cpu']}, {result['cores']} cores. Command: `{result['command']}`\n\n")
        f.write(f"{args.clients} clients x {args.rounds} rounds, each request {texts} texts of {chars} characters "
                f"({len(body):,} bytes, the largest the limits allow).\n\n")
        f.write("| idle RSS | peak RSS | answers | other errors | wall | latency p50 | latency max |\n|---|---|---|---|---|---|---|\n")
        f.write(f"| {result['idle_rss_mb']} MB | {result['peak_rss_mb']} MB | {statuses} | {len(errors)} | {result['wall_s']} s "
                f"| {result['latency_p50_s']} s | {result['latency_max_s']} s |\n")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
