"""Ingestion, cleaning, chunking, embedding and the hybrid (FAISS + BM25) index of the clinic's library."""
