"""Stores and search: the dense index (`store`, the only module that imports faiss), BM25 (`lexical`, with
its `analysis`), the built `library` on disk, and the hybrid `retriever` with its micro-`batching`."""
