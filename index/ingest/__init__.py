"""Ingestion: corpus files -> `Document` (cleaned text, metadata) -> `Chunk` (exact offsets), and the
clinic's approved answers as written in `corpus/approved/`."""
