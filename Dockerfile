# One app node. Configuration comes from the environment (see README, Settings);
# bound to 0.0.0.0, it needs DOITHOAI_PUBLIC_URL (compose.yaml sets it).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md ./
COPY server ./server
COPY moderator_ui ./moderator_ui
COPY client_widget ./client_widget
RUN pip install . && useradd --system --home-dir /app doithoai
USER doithoai
EXPOSE 8000
CMD ["doithoai", "serve", "--host", "0.0.0.0"]
