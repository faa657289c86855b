#!/usr/bin/env python3
"""Replays the hardening audits (issues 22 and 29) against the built CLI and counts verdicts.

Each case is what an attacker or a careless user did: a command, what it must give (a clear error
naming the problem, or a correct result), and how to tell. Verdicts:
  clear-error   refused with exit 1 or 2, one "error:" line naming what the case expects
  correct       did what it should (exit 0, or 130 where a signal stopped it, and the check held)
  vague-error   refused, but without the expected words
  silent-wrong  exit 0 where a refusal or another result was due
  crash         killed by a signal, exit 134 and the like, or a .NET stack trace
  timeout       did not end within its limit
The last four are failures: the script exits 1 when any occurs, after printing every case.

Usage (after `dotnet build -c Release`, from the repository root, ../shared beside it):
  python3 tests/audit/hardening_audit.py [--cli src/SeqClassify.Cli/bin/Release/net10.0/seqclassify.dll]
      [--bit-flips 200] [--seed 1] [--only SUBSTRING]
"""
import argparse
import collections
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.path.join(ROOT, "..", "shared")
SMS = os.path.join(SHARED, "datasets", "sms_spam", "SMSSpamCollection")
PRETRAINED = os.path.join(ROOT, "tests", "SeqClassify.Torch.Tests", "Pretrained")
FAILURES = ("vague-error", "silent-wrong", "crash", "timeout")


class Audit:
    def __init__(self, cli, scratch):
        self.cli = cli
        self.scratch = scratch
        self.results = []  # (group, name, verdict, detail)
        self.sms = self.file("sms.tsv", "".join(l for i, l in enumerate(open(SMS, encoding="utf-8")) if i % 8 == 0))
        self.model = self.path("m.zip")
        self.run_cli(["train", "--pretrained", "none", "--train", self.sms, "--no-header", "--text-column", "1", "--label-column", "0",
                      "--hidden", "16", "--embedding-dim", "16", "--epochs", "1", "--max-length", "40", "--out", self.model], check=True)

    # ---- helpers ----
    def path(self, name):
        return os.path.join(self.scratch, name)

    def file(self, name, text, mode="w"):
        path = self.path(name)
        with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            f.write(text)
        return path

    def copy_folder(self, name):
        target = self.path(f"{name}-{len(os.listdir(self.scratch))}")
        shutil.copytree(os.path.join(PRETRAINED, name), target)
        return target

    def run_cli(self, args, timeout=300, check=False, prefix=()):
        process = subprocess.run([*prefix, "dotnet", "exec", self.cli, *args], capture_output=True, text=True, timeout=timeout)
        if check and process.returncode != 0:
            raise SystemExit(f"set-up failed: {' '.join(args)}\n{process.stderr}")
        return process

    def record(self, group, name, verdict, detail=""):
        self.results.append((group, name, verdict, detail))
        mark = "  " if verdict in ("clear-error", "correct") else "!!"
        print(f"{mark} {verdict:12} {group}: {name}" + (f"  ({detail})" if detail and verdict in FAILURES else ""), flush=True)

    def expect_error(self, group, name, args, words, **kwargs):
        try:
            p = self.run_cli(args, **kwargs)
        except subprocess.TimeoutExpired:
            return self.record(group, name, "timeout")
        self.record(group, name, *judge_error(p.returncode, p.stderr, words))

    def expect_ok(self, group, name, args, check=lambda p: (True, ""), **kwargs):
        try:
            p = self.run_cli(args, **kwargs)
        except subprocess.TimeoutExpired:
            return self.record(group, name, "timeout")
        if crashed(p.returncode, p.stderr):
            return self.record(group, name, "crash", f"exit {p.returncode}: {p.stderr.strip()[-200:]}")
        if p.returncode != 0:
            return self.record(group, name, "vague-error", f"exit {p.returncode}: {p.stderr.strip()[:200]}")
        held, why = check(p)
        self.record(group, name, "correct" if held else "silent-wrong", why)

    def zip_edit(self, source, edit, name):
        """A copy of a model zip with edit(entry_name, bytes) -> bytes applied to every entry (CRCs written anew)."""
        target = self.path(name)
        with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = edit(info.filename, zin.read(info.filename))
                if data is not None:
                    zout.writestr(info.filename if not isinstance(data, tuple) else data[0], data if not isinstance(data, tuple) else data[1])
        return target


def crashed(code, stderr):
    return code < 0 or code >= 128 and code != 130 or "Unhandled exception" in stderr or "\n   at " in stderr


def judge_error(code, stderr, words):
    if crashed(code, stderr):
        return "crash", f"exit {code}: {stderr.strip()[-200:]}"
    if code == 0:
        return "silent-wrong", "exit 0"
    lines = [l for l in stderr.splitlines() if l.strip()]
    if code in (1, 2) and lines and lines[0].startswith("error: ") and all(w in stderr for w in words):
        return "clear-error", ""
    return "vague-error", f"exit {code}: {stderr.strip()[:300]}"


def safetensors(header, data_bytes):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + bytes(data_bytes)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the cases, by the items ----

def outputs(a):
    g = "outputs over inputs or devices (29.3)"
    for f in ("config.json", "vocab.txt", "tokenizer_config.json"):
        folder = a.copy_folder("tiny-bert-classifier")
        a.expect_error(g, f"import --out into the folder's {f}", ["import", "--pretrained-model", folder, "--out", os.path.join(folder, f)],
                       ["is a file of the --pretrained-model folder"])
    folder = a.copy_folder("tiny-bert")
    a.expect_error(g, "train --out into the --pretrained-model folder", ["train", "--pretrained-model", folder, "--train", a.sms, "--no-header",
                   "--text-column", "1", "--label-column", "0", "--out", os.path.join(folder, "vocab.txt")], ["is a file of the --pretrained-model folder"])
    vec = a.file("v.vec", "2 3\nfree 0.1 0.2 0.3\ncall 0.3 0.2 0.1\n")
    a.expect_error(g, "train --out equal to --pretrained FILE.vec", ["train", "--pretrained", vec, "--train", a.sms, "--no-header", "--text-column", "1",
                   "--label-column", "0", "--out", vec], ["is the --pretrained file"])
    fifo = a.path("pipe")
    os.mkfifo(fifo)
    a.expect_error(g, "export --onnx to a FIFO", ["export", "--model", a.model, "--onnx", fifo], ["not a regular file"])
    a.expect_error(g, "evaluate --report to a FIFO", ["evaluate", "--model", a.model, "--data", a.sms, "--no-header", "--text-column", "1",
                   "--label-column", "0", "--report", fifo], ["not a regular file"])
    a.expect_error(g, "train --out to a FIFO", ["train", "--pretrained", "none", "--train", a.sms, "--no-header", "--text-column", "1",
                   "--label-column", "0", "--out", fifo], ["not a regular file"])
    a.expect_error(g, "export --onnx to /dev/null", ["export", "--model", a.model, "--onnx", "/dev/null"], ["not a regular file"])
    if not stat_is_fifo(fifo):
        a.record(g, "the FIFO is still a FIFO", "silent-wrong", "replaced by a regular file")


def stat_is_fifo(path):
    import stat
    return stat.S_ISFIFO(os.stat(path).st_mode)


def train_args(a, *more, data=None):
    return ["train", "--pretrained", "none", "--train", data or a.sms, "--no-header", "--text-column", "1", "--label-column", "0",
            "--out", a.path("never.zip"), *more]


def sizes(a):
    g = "sizes before allocations (29.6)"
    for flag, property in (("--hidden", "HiddenSize"), ("--layers", "NumLayers"), ("--embedding-dim", "InputSize")):
        a.expect_error(g, f"train {flag} 100000", train_args(a, flag, "100000"), [f"{flag}: {property} must be between"])
    a.expect_error(g, "train --nproc 64", train_args(a, "--nproc", "64"), ["--nproc must be between 1 and"])
    a.expect_error(g, "serve --batch-tokens 1e9", ["serve", "--model", a.model, "--batch-tokens", "1000000000"], ["--batch-tokens must be at most"])

    def inflate(name, data):
        if not name.endswith("Network.bin"):
            return data
        # magic, length, SHA-256, then the options' JSON as BinaryWriter writes a string (7-bit length prefix)
        length, shift, at = 0, 0, 44
        while True:
            b = data[at]
            length |= (b & 0x7F) << shift
            at += 1
            shift += 7
            if b < 0x80:
                break
        body = re.sub(rb'"HiddenSize":\s*\d+', b'"HiddenSize":16000', data[at:at + length])
        payload = encode_7bit(len(body)) + body
        import hashlib
        return data[:4] + struct.pack("<q", len(payload)) + hashlib.sha256(payload).digest() + payload
    big = a.zip_edit(a.model, inflate, "inflated.zip")
    a.expect_error(g, "info on a zip declaring HiddenSize 16000 (checksum recomputed)", ["info", "--model", big], ["declares a network of at least"])
    folder = a.copy_folder("tiny-bert-classifier")
    size = 16 << 20
    header = {f"layer.{i}.weight": {"dtype": "F32", "shape": [size // 4], "data_offsets": [0, size]} for i in range(400)}
    with open(os.path.join(folder, "model.safetensors"), "wb") as f:
        f.write(safetensors(header, size))
    a.expect_error(g, "import: 400 safetensors tensors over the same 16 MB", ["import", "--pretrained-model", folder, "--out", a.path("x.zip")], ["share bytes"])


def encode_7bit(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def silent_wrong(a):
    g = "silent wrong results (29.7, 29.8)"
    classifier = os.path.join(PRETRAINED, "tiny-bert-classifier")
    a.expect_error(g, "import --pairs --max-length 128 on 20 positions", ["import", "--pretrained-model", classifier, "--pairs", "--max-length", "128",
                   "--out", a.path("p.zip")], ["is more than the 20 positions"])
    a.expect_error(g, "train pairs --max-length 64 on 20 positions, before the data", ["train", "--pretrained-model", os.path.join(PRETRAINED, "tiny-bert"),
                   "--train", "/no/such.tsv", "--text-column", "a", "--pair-column", "b", "--label-column", "c", "--max-length", "64", "--out", a.path("p.zip")],
                   ["is more than the 20 positions"])
    a.expect_error(g, "import --pairs --max-length 2", ["import", "--pretrained-model", classifier, "--pairs", "--max-length", "2", "--out", a.path("p.zip")],
                   ["at least 3"])
    none = a.file("none.tsv", "eggs\tbreakfast\nbacon\tmore breakfast\n")
    some = a.file("some.tsv", "ham\tsee you\nspam\tWIN a prize\neggs\tbreakfast\n")
    a.expect_error(g, "evaluate: no label known", ["evaluate", "--model", a.model, "--data", none, "--no-header", "--text-column", "1", "--label-column", "0"],
                   ["none of its 2 rows has a label the model knows"])
    a.expect_ok(g, "evaluate: some labels unknown are counted", ["evaluate", "--model", a.model, "--data", some, "--no-header", "--text-column", "1",
                "--label-column", "0"], lambda p: ("1 of 3 rows have a label the model does not know" in p.stderr, "no warning"))
    for flag, value in (("--layers", "3"), ("--hidden", "64"), ("--encoder", "rnn"), ("--pretrained", "x.vec")):
        a.expect_error(g, f"--pretrained-model with {flag}", ["train", "--pretrained-model", os.path.join(PRETRAINED, "tiny-bert"), "--train", a.sms,
                       "--no-header", "--text-column", "1", "--label-column", "0", "--out", a.path("p.zip"), flag, value], ["does not apply with --pretrained-model"])
    a.expect_error(g, "text column equal to the label column", ["train", "--pretrained", "none", "--train", a.sms, "--no-header", "--text-column", "0",
                   "--label-column", "0", "--out", a.path("p.zip")], ["the model would read the answer in its input"])
    folder = a.copy_folder("tiny-bert-classifier")
    weights = os.path.join(folder, "model.safetensors")
    with open(weights, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = raw[8:8 + n].decode().rstrip()  # padded with spaces to an aligned length
    first = re.search(r'"([^"_][^"]*)":\{', header).group(1)
    duplicated = header[:-1] + "," + json.dumps(first) + ":" + json.dumps(json.loads(header)[first]) + "}"
    with open(weights, "wb") as f:
        f.write(struct.pack("<Q", len(duplicated.encode())) + duplicated.encode() + raw[8 + n:])
    a.expect_error(g, "safetensors header naming a tensor twice", ["import", "--pretrained-model", folder, "--out", a.path("p.zip")], ["twice"])
    folder = a.copy_folder("tiny-bert-classifier")
    with open(os.path.join(folder, "vocab.txt"), "ab") as f:
        f.write(b"caf\xe9\n")
    a.expect_error(g, "vocab.txt that is not UTF-8", ["import", "--pretrained-model", folder, "--out", a.path("p.zip")], ["is not UTF-8 text"])
    folder = a.copy_folder("tiny-bert-classifier")
    with open(os.path.join(folder, "vocab.txt"), "a", encoding="utf-8") as f:
        f.write("extra\ntokens\n")
    a.expect_error(g, "vocab.txt longer than vocab_size", ["import", "--pretrained-model", folder, "--out", a.path("p.zip")], ["more than the model's vocab_size"])

    def one_byte(name, data):
        if name.endswith("Model.key") and data[0x40:0x48] == b"SCTOKIDS":
            at = data.index(struct.pack("<i", 40), 0x100)
            return data[:at] + bytes([5]) + data[at + 1:]
        return data
    edited = a.zip_edit(a.model, one_byte, "edited.zip")
    a.expect_error(g, "a one-byte edit of a maximum length in Model.key", ["predict", "--model", edited, "--text", "hello"],
                   ["differ from their checksummed copy"])


def messages(a):
    g = "messages that name the problem (29.10)"
    folder = a.copy_folder("tiny-bert-classifier")
    config = os.path.join(folder, "config.json")
    with open(config, encoding="utf-8") as f:
        text = f.read()
    with open(config, "w", encoding="utf-8") as f:
        f.write(text.replace('"hidden_size": 16', '"hidden_size": "16"'))
    a.expect_error(g, 'config "hidden_size": "16"', ["import", "--pretrained-model", folder, "--out", a.path("p.zip")], ['"hidden_size" is "16", expected an integer'])
    folder = a.copy_folder("tiny-bert-classifier")
    weights = os.path.join(folder, "model.safetensors")
    with open(weights, "r+b") as f:
        f.seek(10)
        f.write(b"\xff")
    a.expect_error(g, "safetensors header that is not UTF-8", ["import", "--pretrained-model", folder, "--out", a.path("p.zip")], ["is not UTF-8 text"])
    folder = a.copy_folder("tiny-bert-classifier")
    vocab = os.path.join(folder, "vocab.txt")
    lines = open(vocab, encoding="utf-8").read().split("\n")
    lines[4] = lines[2]
    open(vocab, "w", encoding="utf-8").write("\n".join(lines))
    a.expect_error(g, "vocab.txt naming a token twice", ["import", "--pretrained-model", folder, "--out", a.path("p.zip")], ["is also on line"])

    def newer(name, data):
        if name.endswith("Model.key") and data[0x40:0x48] == b"SCRNNCLS":
            return data[:0x48] + struct.pack("<II", 0x00020001, 0x00020001) + data[0x50:]
        return data
    a.expect_error(g, "a model step from a newer SeqClassify", ["info", "--model", a.zip_edit(a.model, newer, "newer.zip")], ["written by a newer SeqClassify"])

    def renamed(name, data):
        if name.endswith("Model.key") and data[0x40:0x48] == b"SCRNNCLS":
            return (name[:-len("Model.key")] + "Model.kez", data)
        return data
    a.expect_error(g, "a renamed Model.key", ["info", "--model", a.zip_edit(a.model, renamed, "renamed.zip")], ["has no Model.key"])
    a.expect_error(g, "--train /dev/zero", train_args(a, data="/dev/zero"), ["is not a regular file"], timeout=60)
    a.expect_error(g, "--master [::1]:PORT", train_args(a, "--world-size", "2", "--rank", "1", "--master", "[::1]:1", "--dist-timeout", "1"),
                   ["could not reach rank 0's store at ::1:1"])
    # An HTTP server that answers whatever arrives with a 400, as web servers answer a stranger's bytes.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer():
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with client:
                client.recv(1024)
                client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    threading.Thread(target=answer, daemon=True).start()
    try:
        a.expect_error(g, "--master that answers HTTP", train_args(a, "--world-size", "2", "--rank", "1", "--master", f"127.0.0.1:{port}", "--dist-timeout", "5"),
                       ["not SeqClassify's store protocol"])
    finally:
        listener.close()
    folder = a.copy_folder("tiny-bert-classifier")
    os.chmod(folder, 0)
    prefix = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--") if os.geteuid() == 0 else ()
    a.expect_error(g, "an unreadable pretrained folder", ["import", "--pretrained-model", folder, "--out", "/tmp/never.zip"], ["cannot be read"], prefix=prefix)
    os.chmod(folder, 0o755)


def wait_for_port(port, host="127.0.0.1", limit=30):
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listened on {host}:{port}")


def signals(a):
    g = "signals (29.2)"
    for sig in (signal.SIGINT, signal.SIGTERM):
        out = a.path(f"signalled-{sig.name}.zip")
        p = subprocess.Popen(["dotnet", "exec", a.cli, "train", "--pretrained", "none", "--train", SMS, "--no-header", "--text-column", "1",
                              "--label-column", "0", "--epochs", "200", "--hidden", "64", "--embedding-dim", "64", "--out", out],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        for line in p.stdout:
            if line.startswith("epoch 1/"):
                break
        p.send_signal(sig)
        p.send_signal(sig)
        try:
            _, err = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            a.record(g, f"two {sig.name} while training", "timeout")
            continue
        if crashed(p.returncode, err):
            a.record(g, f"two {sig.name} while training", "crash", f"exit {p.returncode}: {err.strip()[-200:]}")
        elif p.returncode == 130 and os.path.exists(out) and "the best model so far" in err:
            a.record(g, f"two {sig.name} while training", "correct")
        else:
            a.record(g, f"two {sig.name} while training", "vague-error", f"exit {p.returncode}: {err.strip()[:200]}")


class Server:
    def __init__(self, a, *options):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.process = subprocess.Popen(["dotnet", "exec", a.cli, "serve", "--model", a.model, "--urls", self.url, *options],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in self.process.stdout:
            if line.startswith("serving "):
                self.banner = line
                break

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def raw(port, text, read=True):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(text.encode())
    if read:
        s.settimeout(30)
        return s, s.recv(4096).decode(errors="replace")
    return s, ""


def server(a):
    g = "the server (29.4, 29.5, 29.9)"
    body = '{"text": "free prize call now"}'
    request = f"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
    s = Server(a, "--max-concurrent-predictions", "1", "--max-queued-requests", "1")
    # With "Expect: 100-continue" Kestrel answers "100 Continue" when the handler starts reading the
    # body: then the slow request is in the server, reading, before the normal one comes.
    slow = []
    for _ in range(20):
        c, first = raw(s.port, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n")
        if not first.startswith("HTTP/1.1 100"):
            a.record(g, "a slow body is read (100 Continue)", "vague-error", first[:60])
        c.sendall(b'{"text": "')
        slow.append(c)
    _, answer = raw(s.port, request)
    a.record(g, "20 trickling bodies, then a normal request", "correct" if answer.startswith("HTTP/1.1 200") else "silent-wrong", answer[:60])
    for c in slow:
        c.close()
    s.stop()
    s = Server(a, "--max-connections", "8", "--keep-alive-timeout", "2")
    idle = [raw(s.port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")[0] for _ in range(8)]
    started = time.time()
    _, answer = raw(s.port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    prompt = time.time() - started < 5
    a.record(g, "8 idle keep-alive connections at --max-connections 8, then a new client", "correct" if answer.startswith("HTTP/1.1 503") and prompt
             else "silent-wrong", answer[:60])
    for c in idle:
        c.settimeout(30)
        while c.recv(4096):  # what is left of its answer, then the server's close after the keep-alive timeout
            pass
        c.close()
    # The server counts a connection out as it closes it: poll until it has (a 503 meanwhile), at most 10 s.
    deadline = time.time() + 10
    while True:
        _, answer = raw(s.port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        if answer.startswith("HTTP/1.1 200") or time.time() > deadline:
            break
    a.record(g, "once the idle ones time out, a new client is served", "correct" if answer.startswith("HTTP/1.1 200") else "silent-wrong", answer[:60])
    s.stop()
    name = socket.gethostname()
    try:
        addresses = {i[4][0] for i in socket.getaddrinfo(name, None)}
    except OSError:
        addresses = set()
    if addresses and all(x.startswith("127.") or x == "::1" for x in addresses):
        port = free_port()
        p = subprocess.Popen(["dotnet", "exec", a.cli, "serve", "--model", a.model, "--urls", f"http://{name}:{port}"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        banner = p.stdout.readline()
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        a.record(g, f"serve --urls http://{name}:PORT binds its addresses only", "correct" if "[::]" not in banner and "0.0.0.0" not in banner
                 and any(x in banner for x in addresses) else "silent-wrong", banner.strip())


def store(a, connections):
    g = "the rendezvous store (29.1)"
    port = free_port()
    env = dict(os.environ, SEQCLASSIFY_DIST_TOKEN="t")
    args = ["dotnet", "exec", a.cli, *train_args(a, "--hidden", "8", "--embedding-dim", "8", "--epochs", "1", "--dist-timeout", "120")]
    out = a.path("dist.zip")
    args[args.index("--out") + 1] = out
    rank0 = subprocess.Popen(args + ["--world-size", "2", "--rank", "0", "--master", f"127.0.0.1:{port}"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    wait_for_port(port)
    before = vm_size(rank0.pid)
    for _ in range(connections):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"\0" + struct.pack("<IQ", 0, 1) + b"x")
        try:
            s.recv(64)
        except OSError:
            pass
        s.close()
    grown = vm_size(rank0.pid) - before
    rank1 = subprocess.run(args + ["--world-size", "2", "--rank", "1", "--master", f"127.0.0.1:{port}"], env=env, capture_output=True, text=True, timeout=300)
    _, err0 = rank0.communicate(timeout=300)
    if crashed(rank0.returncode, err0) or crashed(rank1.returncode, rank1.stderr):
        a.record(g, f"{connections:,} wrong-token connections during a run", "crash", f"exit {rank0.returncode}/{rank1.returncode}: {err0.strip()[-200:]}")
    else:
        ok = rank0.returncode == 0 and rank1.returncode == 0 and os.path.exists(out) and grown < (2 << 30)
        print(f"   rank 0's address space grew by {grown >> 20} MB over {connections:,} refused connections; both ranks exited {rank0.returncode}/{rank1.returncode}", flush=True)
        a.record(g, f"{connections:,} wrong-token connections during a run", "correct" if ok else "silent-wrong",
                 f"exit {rank0.returncode}/{rank1.returncode}, address space +{grown >> 20} MB")


def vm_size(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def bit_flips(a, count, rng):
    g = f"random bit flips in a model file (issue 22's 200, again)"
    expected = a.run_cli(["predict", "--model", a.model, "--text", "WIN a FREE prize now", "--text", "see you at lunch"], check=True).stdout
    data = open(a.model, "rb").read()
    counts = collections.Counter()
    for i in range(count):
        flipped = bytearray(data)
        at = rng.randrange(len(flipped))
        flipped[at] ^= 1 << rng.randrange(8)
        path = a.path("flipped.zip")
        open(path, "wb").write(flipped)
        try:
            p = a.run_cli(["predict", "--model", path, "--text", "WIN a FREE prize now", "--text", "see you at lunch"], timeout=60)
        except subprocess.TimeoutExpired:
            a.record(g, f"flip at byte {at}", "timeout")
            continue
        if crashed(p.returncode, p.stderr):
            a.record(g, f"flip at byte {at}", "crash", f"exit {p.returncode}: {p.stderr.strip()[-200:]}")
        elif p.returncode == 0:
            counts["correct" if p.stdout == expected else "silent-wrong"] += 1
            if p.stdout != expected:
                a.record(g, f"flip at byte {at}", "silent-wrong", "predictions changed with exit 0")
        else:
            lines = [l for l in p.stderr.splitlines() if l.strip()]
            verdict = "clear-error" if p.returncode in (1, 2) and len(lines) == 1 and lines[0].startswith("error: model ") else "vague-error"
            counts[verdict] += 1
            if verdict != "clear-error":
                a.record(g, f"flip at byte {at}", verdict, p.stderr.strip()[:200])
    for verdict in ("clear-error", "correct"):
        for _ in range(counts[verdict]):
            a.results.append((g, "flip", verdict, ""))
    print(f"   {g}: {dict(counts)}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", default=os.path.join(ROOT, "src", "SeqClassify.Cli", "bin", "Release", "net10.0", "seqclassify.dll"))
    parser.add_argument("--bit-flips", type=int, default=200)
    parser.add_argument("--store-connections", type=int, default=5000, help="wrong-token connections at rank 0's store (the audit's: 45000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="")
    options = parser.parse_args()
    if not os.path.exists(options.cli):
        raise SystemExit(f"{options.cli} does not exist: build first (dotnet build -c Release)")
    scratch = tempfile.mkdtemp(prefix="seqclassify-audit-")
    started = time.time()
    try:
        a = Audit(options.cli, scratch)
        groups = [("outputs", outputs), ("sizes", sizes), ("silent_wrong", silent_wrong), ("messages", messages), ("signals", signals),
                  ("server", server), ("store", lambda a: store(a, options.store_connections)),
                  ("bit_flips", lambda a: bit_flips(a, options.bit_flips, random.Random(options.seed)))]
        for name, group in groups:
            if options.only in name:
                group(a)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    verdicts = collections.Counter(v for _, _, v, _ in a.results)
    print(f"\n{len(a.results)} cases in {time.time() - started:.0f} s: " + ", ".join(f"{verdicts[v]} {v}" for v in
          ("clear-error", "correct", "vague-error", "silent-wrong", "crash", "timeout")))
    failed = [r for r in a.results if r[2] in FAILURES]
    for group, name, verdict, detail in failed:
        print(f"FAILED {verdict}: {group}: {name} ({detail})")
    # The plain closing line test runners print: each case passed (a clear error or a correct result) or failed.
    print(f"{len(a.results) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
