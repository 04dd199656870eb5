# This image cannot be built on the development machines (no Docker engine, no registry access);
# it is linted by hadolint in CI and built where a Docker engine is available.
#
#   docker build -t catalog .
#   docker run -p 8000:8000 -v catalog-data:/data catalog

# --- builder: the project and every dependency as wheels -------------------------------------
FROM python:3.11.13-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# --- runtime ----------------------------------------------------------------------------------
FROM python:3.11.13-slim-bookworm

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CATALOG_DATABASE=/data/catalog.db \
    CATALOG_BIND=0.0.0.0:8000

# Install only from the wheels built above: no compiler, no index, no build tools at run time.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels catalog==0.1.0 \
    && groupadd --system --gid 10001 catalog \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin catalog \
    && mkdir /data \
    && chown 10001:10001 /data

WORKDIR /data
VOLUME /data
USER 10001:10001
EXPOSE 8000

# The database is created and seeded by gunicorn's on_starting hook when /data holds none yet.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]

# The same entry point as `catalog serve`; the bind address comes from CATALOG_BIND.
CMD ["gunicorn", "--config", "python:catalog.gunicorn_conf", "catalog:create_app()"]
