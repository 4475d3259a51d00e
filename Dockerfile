# The Valuechain image: the `valuechain` command; its arguments pick the worker or command.
FROM python:3.11.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY valuechain ./valuechain
COPY activities ./activities
COPY workflows ./workflows
COPY workers ./workers
COPY starters ./starters
# This installs the project itself; pyproject.toml bounds its dependencies. /keys and
# /data: compose's named volumes for the signing keys and the task list's users, owned by
# the user the services run as (a new volume takes this ownership).
# hadolint ignore=DL3013
RUN pip install ".[postgres]" \
    && useradd --create-home --uid 10001 valuechain \
    && mkdir -p /keys /data && chown 10001 /keys /data

USER 10001
EXPOSE 9464 8081 8090
CMD ["valuechain", "worker", "approvals"]
