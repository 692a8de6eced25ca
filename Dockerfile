# One image for the API and the worker; the command picks which runs.
#   API (default):  python -m uvicorn api.app:create_app --factory --host 0.0.0.0 --port 8000
#   worker:         python -m workers.worker
#   migrations:     python -m store.migrate
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml ./
COPY core ./core
COPY contracts ./contracts
COPY domain ./domain
COPY store ./store
COPY notifications ./notifications
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY api ./api
RUN pip install . \
    && useradd --create-home --uid 10001 hiring \
    && mkdir -p /app/var/outbox \
    && chown -R hiring /app/var

USER hiring
EXPOSE 8000
CMD ["python", "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
