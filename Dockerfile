FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/peerconsult.db PORT=3000
WORKDIR /app

RUN useradd --create-home --uid 10001 peerconsult && mkdir /data && chown peerconsult /data
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY content ./content
RUN pip install --no-cache-dir -e .

USER peerconsult
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os,urllib.request,sys; r=urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"3000\")}/healthz', timeout=4); sys.exit(0 if r.status == 200 else 1)"
CMD ["peerconsult", "serve"]
