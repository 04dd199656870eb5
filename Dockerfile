# The catalog as a container: gunicorn on 0.0.0.0:8000, the SQLite database in the /data volume.
#
#   docker build -t catalog .
#   docker run -p 8000:8000 -v catalog-data:/data catalog
#   docker run --rm -v catalog-data:/data catalog catalog tokens create NAME --scope write
#
# The project's machines have no Docker engine and no registry access, so CI builds and runs this
# file without one: `bash scripts/image` makes a stand-in for the base image from Debian packages,
# builds this Dockerfile with buildah and checks the running image (see docs/notes/image.md).

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
# The check asks the port CATALOG_BIND names, so it holds when that setting moves the server.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os,sys,urllib.request; port = os.environ['CATALOG_BIND'].rsplit(':', 1)[1]; sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=2).status != 200)"]

# The same entry point as `catalog serve`; the bind address comes from CATALOG_BIND.
CMD ["gunicorn", "--config", "python:catalog.server.gunicorn_conf", "catalog:create_app()"]
