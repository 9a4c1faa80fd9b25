"""Encoders: text -> L2-normalised vectors. `base` holds the `Embedder` interface, `factory` picks a backend
(`torch_backend`: sentence-transformers, the reference; `onnx_backend`: ONNX Runtime, the default), and
`recent` remembers the vectors of texts already embedded (evaluations)."""
