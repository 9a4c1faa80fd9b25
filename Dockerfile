# Patient-education assistant: CPU-only image with the bundled MiniLM model; nothing downloads at run time.
# Build:  docker build -t clinic-assistant .
# Run:    docker run -p 8000:8000 -e CLINIC_STAFF_TOKEN=... -e CLINIC_CLINIC_NAME="..." clinic-assistant
FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    CLINIC_INDEX_DIR=/app/var/index \
    CLINIC_CORPUS='["/app/corpus/library"]' \
    CLINIC_PROMPTS_DIR=/app/prompts

WORKDIR /app
RUN useradd --create-home --uid 10001 clinic

# torch first, pinned to the CPU build, so sentence-transformers does not pull a multi-GB CUDA build
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY index ./index
COPY service ./service
RUN pip install .

COPY prompts ./prompts
COPY corpus ./corpus
# The index is built into the image, so a container starts serving without any build step.
RUN python -m index build --out /app/var/index && chown -R clinic:clinic /app/var

USER clinic
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["python", "-m", "service", "--host", "0.0.0.0", "--port", "8000"]
