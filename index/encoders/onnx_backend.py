"""ONNX Runtime encoder for sentence-transformers models (mean pooling + L2 normalisation in the graph).

The graph is exported once from the packaged model with `torch.onnx` (not optimum, which pins an old
transformers) into a cache directory keyed by the model's files, checked against the torch reference on a
fixed sample, and then run with onnxruntime and the model's own fast tokenizer. Queries and documents must
use the same backend: the embedder's name carries it (`...@onnx`), and the index manifest records that name.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from index.encoders.base import Embedder, Vectors
from index.errors import EmbedderError

EXPORT_VERSION = 1
BACKENDS = ("onnx", "onnx-int8")
# Worst cosine between this backend and torch on the check sample, below which the export is refused.
MIN_COSINE = {"onnx": 0.999, "onnx-int8": 0.95}
# Dynamic int8 quantisation scales activations over the whole batch, so a text's vector depends on its batch.
BATCH_INVARIANT = {"onnx": True, "onnx-int8": False}
CHECK_SAMPLE = [
    "What are the side effects of JAK inhibitors?",
    "Dupilumab is approved for the treatment of moderate to severe eczema (atopic dermatitis).",
    "Nine of the 12 patients – so 75 per cent – demonstrated a remarkable response to treatment, with an "
    "average hair regrowth of 92 per cent.",
    "can my eczema injection make my hair grow back",
    "IL-4/IL-13 signalling pathway",
    "Alopecia areata is an autoimmune disorder that leads to varying degrees of hair loss. " * 12,
    "What is (are) Adult Acute Lymphoblastic Leukemia ?",
    "ok",
]


class OnnxEmbedder:
    """Implements `index.encoders.base.Embedder` with an exported ONNX graph."""

    def __init__(
        self,
        model_dir: Path,
        graph: Path,
        name: str,
        *,
        batch_size: int = 32,
        threads: int = 0,
        batch_invariant: bool = True,
    ) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or (os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        # no busy-waiting between runs: a service's threads share the cores with concurrent requests
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self._max_tokens = _max_seq_length(model_dir)
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self._max_tokens)
        self._tokenizer.no_padding()
        self._counter = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._name = name
        self._batch_invariant = batch_invariant
        self._batch_size = batch_size
        self._dimension = int(self.embed(["dimension probe"]).shape[1])

    @property
    def name(self) -> str:
        return self._name

    @property
    def batch_invariant(self) -> bool:
        return self._batch_invariant

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        out: Vectors | None = None
        batches = range(0, len(texts), self._batch_size)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="Embedding", unit="batch")
        for first in batches:
            rows = order[first : first + self._batch_size]
            vectors = self._run([encodings[i] for i in rows])
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        assert out is not None
        return out

    def _run(self, batch: list[Any]) -> Vectors:
        width = max(len(e.ids) for e in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        types = np.zeros((len(batch), width), dtype=np.int64)
        for row, encoding in enumerate(batch):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            mask[row, :n] = 1
            types[row, :n] = encoding.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        result = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        return np.ascontiguousarray(result, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text).ids)


def _max_seq_length(model_dir: Path) -> int:
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, KeyError, ValueError):
        return 256


def _check_pooling(model_dir: Path) -> None:
    """The graph implements mean pooling + Normalize; refuse models configured otherwise."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text())
    except (OSError, StopIteration, KeyError, ValueError) as exc:
        raise EmbedderError(
            f"{model_dir}: cannot read the sentence-transformers pooling config: {exc}"
        ) from exc
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
    if modes != ["pooling_mode_mean_tokens"] or not any(m["type"].endswith("Normalize") for m in modules):
        raise EmbedderError(
            f"{model_dir}: the ONNX backend supports mean pooling + Normalize only, found {modes}"
        )


def model_fingerprint(model_dir: Path) -> str:
    digest = hashlib.sha256(f"export-v{EXPORT_VERSION}".encode())
    for path in sorted(model_dir.rglob("*")):
        if path.is_file() and path.suffix in {".json", ".safetensors", ".bin", ".txt"}:
            digest.update(path.relative_to(model_dir).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def export_graph(model_dir: Path, out: Path) -> None:
    """Export the transformer with mean pooling and normalisation as one fp32 ONNX graph."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    class Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    sample = tokenizer(
        ["a short text", "a somewhat longer text for the shapes"], padding=True, return_tensors="pt"
    )
    dynamic = {
        name: {0: "batch", 1: "sequence"} for name in ("input_ids", "attention_mask", "token_type_ids")
    }
    dynamic["embedding"] = {0: "batch"}
    # The TorchScript exporter is chosen on purpose (the dynamo one needs extra packages and fails on this
    # model); its deprecation and tracer warnings are expected and say nothing about the graph's quality,
    # which the cosine check after export measures.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(model),
            (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(out),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes=dynamic,
            opset_version=17,
            dynamo=False,
        )


def quantize_graph(source: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # per-channel weights keep the drift inside the check (worst cosine ~0.97 vs ~0.86 per-tensor)
    quantize_dynamic(str(source), str(out), weight_type=QuantType.QInt8, per_channel=True)


def load_onnx_embedder(
    model_dir: Path,
    name: str,
    backend: str,
    cache_dir: Path,
    reference: Callable[[], Embedder] | None = None,
    **options: Any,
) -> OnnxEmbedder:
    """The cached graph for this model and backend, exporting and checking it first when missing.

    `reference` (makes the torch embedder) is called only for the first export; the check's result is kept in
    `check.json` beside the graph.
    """
    if backend not in BACKENDS:
        raise EmbedderError(f"unknown ONNX backend {backend!r}; use one of {BACKENDS}")
    _check_pooling(model_dir)
    target = cache_dir / f"{Path(name).name}-{model_fingerprint(model_dir)}" / backend
    graph = target / "model.onnx"
    if not graph.is_file():
        if reference is None:
            raise EmbedderError(f"{graph} is missing and no reference model was given to export it")
        _export_checked(model_dir, name, backend, target, reference(), **options)
    return OnnxEmbedder(
        model_dir, graph, f"{name}@{backend}", batch_invariant=BATCH_INVARIANT[backend], **options
    )


def _export_checked(
    model_dir: Path, name: str, backend: str, target: Path, reference: Embedder, **options: Any
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        fp32 = tmp / "fp32.onnx"
        export_graph(model_dir, fp32)
        graph = tmp / "model.onnx"
        if backend == "onnx-int8":
            quantize_graph(fp32, graph)
            fp32.unlink()
        else:
            fp32.rename(graph)
        candidate = OnnxEmbedder(model_dir, graph, f"{name}@{backend}", **options)
        cosines = np.sum(candidate.embed(CHECK_SAMPLE) * reference.embed(CHECK_SAMPLE), axis=1)
        worst, mean = float(cosines.min()), float(cosines.mean())
        if worst < MIN_COSINE[backend]:
            raise EmbedderError(
                f"ONNX export ({backend}) drifts from the torch model: worst cosine {worst:.4f} on the check "
                f"sample, below the {MIN_COSINE[backend]} threshold; use CLINIC_EMBEDDING_BACKEND=torch"
            )
        check = {"backend": backend, "worst_cosine": worst, "mean_cosine": mean, "reference": reference.name}
        (tmp / "check.json").write_text(json.dumps(check, indent=2), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
