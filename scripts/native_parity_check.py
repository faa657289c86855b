#!/usr/bin/env python3
"""Checks a built native shim (libseqclassify_native.so) against the PyTorch it is run with, through ctypes.

Usage: python3 scripts/native_parity_check.py path/to/libseqclassify_native.so

Why: the .NET tests check the shim built against Debian's libtorch 1.13. A shim built against another
libtorch (an official CPU or CUDA distribution, e.g. the one inside a pip-installed torch; see
scripts/check-official-libtorch.sh) is checked here without .NET: for each model shape it imports a
PyTorch model's parameters, then compares logits (1e-5) and gradients (1e-4) with that PyTorch, in both
of the shim's RNN paths (its fused layer, and libtorch's own modules); trains a few steps; round-trips
the parameters; and shows that bad input comes back as a status code with a message, not a crash.
Prints one line per check and exits 1 if any fails.
"""
import ctypes
import os
import struct
import sys
import tempfile

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))
from make_fixtures import CELLS, CLASSES, HIDDEN, LENGTHS, POOLINGS, VOCAB, EMB, Classifier, write_archive  # noqa: E402


class ModelConfig(ctypes.Structure):
    """native/sc_model.h's sc_model_config, field for field."""
    _fields_ = [("vocab_size", ctypes.c_int64), ("input_size", ctypes.c_int64), ("hidden_size", ctypes.c_int64),
                ("num_layers", ctypes.c_int64), ("head_hidden_size", ctypes.c_int64), ("num_classes", ctypes.c_int64),
                ("pretrained_embeddings", ctypes.c_void_p), ("class_weights", ctypes.c_void_p), ("seed", ctypes.c_uint64),
                ("cell", ctypes.c_int32), ("pooling", ctypes.c_int32), ("bidirectional", ctypes.c_int32),
                ("freeze_embeddings", ctypes.c_int32), ("embedding_dropout", ctypes.c_float), ("rnn_dropout", ctypes.c_float),
                ("dropout", ctypes.c_float), ("label_smoothing", ctypes.c_float), ("adam_beta1", ctypes.c_float),
                ("adam_beta2", ctypes.c_float), ("adam_eps", ctypes.c_float), ("weight_decay", ctypes.c_float),
                ("clip_norm", ctypes.c_float), ("libtorch_rnn", ctypes.c_int32), ("reserved", ctypes.c_int32)]


class Batch(ctypes.Structure):
    """native/sc_model.h's sc_batch."""
    _fields_ = [("token_ids", ctypes.c_void_p), ("features", ctypes.c_void_p), ("lengths", ctypes.c_void_p),
                ("batch_size", ctypes.c_int64), ("max_length", ctypes.c_int64), ("feature_size", ctypes.c_int64),
                ("id_bits", ctypes.c_int32), ("reserved", ctypes.c_int32)]


class StepResult(ctypes.Structure):
    _fields_ = [("loss", ctypes.c_double), ("correct", ctypes.c_int64)]


class Shim:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        self.lib.sc_status_last_error.restype = ctypes.c_char_p
        self.lib.sc_model_create.argtypes = [ctypes.POINTER(ModelConfig), ctypes.POINTER(ctypes.c_void_p)]
        self.lib.sc_model_dispose.argtypes = [ctypes.c_void_p]
        self.lib.sc_model_import_parameters.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int64]
        self.lib.sc_model_predict.argtypes = [ctypes.c_void_p, ctypes.POINTER(Batch), ctypes.c_int32,
                                              ctypes.c_void_p, ctypes.c_int64]
        self.lib.sc_model_compute_gradients.argtypes = [ctypes.c_void_p, ctypes.POINTER(Batch), ctypes.c_void_p,
                                                        ctypes.POINTER(ctypes.c_double)]
        self.lib.sc_model_train_step.argtypes = [ctypes.c_void_p, ctypes.POINTER(Batch), ctypes.c_void_p,
                                                 ctypes.c_double, ctypes.POINTER(StepResult)]
        for export in (self.lib.sc_model_export_parameters, self.lib.sc_model_export_gradients):
            export.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_int64)]
        self.lib.sc_runtime_free_buffer.argtypes = [ctypes.c_void_p]

    def call(self, name, *args):
        status = getattr(self.lib, name)(*args)
        if status != 0:
            raise RuntimeError(f"{name}: status {status}: {self.lib.sc_status_last_error().decode()}")

    def torch_version(self):
        buffer = ctypes.create_string_buffer(64)
        self.call("sc_runtime_torch_version", buffer, 64)
        return buffer.value.decode()

    def export(self, name, model):
        buffer, size = ctypes.c_void_p(), ctypes.c_int64()
        self.call(name, model, ctypes.byref(buffer), ctypes.byref(size))
        try:
            return read_archive(ctypes.string_at(buffer, size.value))
        finally:
            self.lib.sc_runtime_free_buffer(buffer)


def read_archive(data):
    """native/sc_tensor_archive.h, version 1."""
    assert data[:8] == b"SCTENSOR", "not a tensor archive"
    version, count = struct.unpack_from("<II", data, 8)
    assert version == 1, f"archive version {version}"
    offset, tensors = 16, {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<I", data, offset)
        name = data[offset + 4:offset + 4 + name_len].decode()
        offset += 4 + name_len
        code, ndim = struct.unpack_from("<BB", data, offset)
        shape = struct.unpack_from("<%dq" % ndim, data, offset + 2)
        offset += 2 + 8 * ndim
        dtype, width = {1: (torch.float32, 4), 2: (torch.int64, 8)}[code]
        numel = 1
        for d in shape:
            numel *= d
        tensors[name] = torch.frombuffer(bytearray(data[offset:offset + numel * width]), dtype=dtype).reshape(shape)
        offset += numel * width
    return tensors


def archive_bytes(named_tensors):
    with tempfile.NamedTemporaryFile(suffix=".sct", delete=False) as f:
        path = f.name
    try:
        write_archive(path, named_tensors)
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.remove(path)


def check_shape(shim, cell, bidirectional, layers, pooling, libtorch_rnn, seed):
    torch.manual_seed(seed)
    reference = Classifier(cell, bidirectional, layers, pooling, VOCAB, EMB, 0)
    lengths = torch.tensor(LENGTHS, dtype=torch.long)
    ids = torch.randint(2, VOCAB, (len(LENGTHS), max(LENGTHS)))
    for row, n in enumerate(LENGTHS):
        ids[row, n:] = 0
    labels = torch.tensor([2, 0, 1, 2], dtype=torch.long)
    logits = reference(ids, lengths)
    nn.functional.cross_entropy(logits, labels).backward()

    config = ModelConfig(vocab_size=VOCAB, input_size=EMB, hidden_size=HIDDEN, num_layers=layers, num_classes=CLASSES,
                         seed=seed, cell=CELLS[cell], pooling=POOLINGS[pooling], bidirectional=int(bidirectional),
                         adam_beta1=0.9, adam_beta2=0.999, adam_eps=1e-8, libtorch_rnn=libtorch_rnn)
    model = ctypes.c_void_p()
    shim.call("sc_model_create", ctypes.byref(config), ctypes.byref(model))
    try:
        parameters = archive_bytes(list(reference.named_parameters()))
        shim.call("sc_model_import_parameters", model, parameters, len(parameters))
        batch = Batch(token_ids=ids.data_ptr(), lengths=lengths.data_ptr(), batch_size=len(LENGTHS),
                      max_length=max(LENGTHS), id_bits=64)
        out = torch.empty(len(LENGTHS), CLASSES)
        shim.call("sc_model_predict", model, ctypes.byref(batch), 0, out.data_ptr(), out.numel())
        logit_error = (out - logits.detach()).abs().max().item()

        loss = ctypes.c_double()
        shim.call("sc_model_compute_gradients", model, ctypes.byref(batch), labels.data_ptr(), ctypes.byref(loss))
        gradients = shim.export("sc_model_export_gradients", model)
        gradient_error = max((gradients[n] - p.grad).abs().max().item() for n, p in reference.named_parameters())

        first = last = None
        step = StepResult()
        for _ in range(60):
            shim.call("sc_model_train_step", model, ctypes.byref(batch), labels.data_ptr(), 0.05, ctypes.byref(step))
            first = step.loss if first is None else first
            last = step
        trained = shim.export("sc_model_export_parameters", model)
        round_trip = archive_bytes(list(trained.items()))
        shim.call("sc_model_import_parameters", model, round_trip, len(round_trip))
        again = shim.export("sc_model_export_parameters", model)
        same_after_round_trip = all(torch.equal(trained[n], again[n]) for n in trained)
    finally:
        shim.lib.sc_model_dispose(model)

    name = f"{cell} {'bi' if bidirectional else 'uni'} l{layers} {pooling} {'libtorch' if libtorch_rnn else 'fused'}"
    passed = (logit_error <= 1e-5 and gradient_error <= 1e-4 and last.loss < first
              and last.correct == len(LENGTHS) and same_after_round_trip)
    print(f"{'ok  ' if passed else 'FAIL'} {name}: logits {logit_error:.1e}, gradients {gradient_error:.1e}, "
          f"loss {first:.3f} -> {last.loss:.3f}, correct {last.correct}/{len(LENGTHS)}, "
          f"round trip {'identical' if same_after_round_trip else 'DIFFERS'}")
    return passed


def check_bad_input(shim):
    """A length longer than the padded row must come back as a status and a message."""
    config = ModelConfig(vocab_size=VOCAB, input_size=EMB, hidden_size=HIDDEN, num_layers=1, num_classes=CLASSES,
                         cell=CELLS["gru"], adam_beta1=0.9, adam_beta2=0.999, adam_eps=1e-8)
    model = ctypes.c_void_p()
    shim.call("sc_model_create", ctypes.byref(config), ctypes.byref(model))
    try:
        ids = torch.ones(1, 3, dtype=torch.long)
        lengths = torch.tensor([4], dtype=torch.long)
        batch = Batch(token_ids=ids.data_ptr(), lengths=lengths.data_ptr(), batch_size=1, max_length=3, id_bits=64)
        out = torch.empty(1, CLASSES)
        status = shim.lib.sc_model_predict(model, ctypes.byref(batch), 0, out.data_ptr(), out.numel())
        message = shim.lib.sc_status_last_error().decode()
    finally:
        shim.lib.sc_model_dispose(model)
    passed = status == 1 and "length" in message
    print(f"{'ok  ' if passed else 'FAIL'} bad input: status {status}, message {message!r}")
    return passed


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    shim = Shim(sys.argv[1])
    torch.set_num_threads(1)
    print(f"shim built against libtorch {shim.torch_version()}; checked against PyTorch {torch.__version__} "
          f"(CUDA {torch.version.cuda or 'none'})")
    shapes = [("rnn", False, 1, "last"), ("rnn", True, 2, "max"), ("gru", True, 1, "last"), ("gru", False, 2, "mean"),
              ("lstm", True, 2, "mean"), ("lstm", False, 1, "max")]
    results = [check_shape(shim, *shape, libtorch_rnn, seed)
               for seed, shape in enumerate(shapes) for libtorch_rnn in (0, 1)]
    results.append(check_bad_input(shim))
    print(f"{sum(results)}/{len(results)} checks passed")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
