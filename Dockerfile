FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend backend
COPY bot bot
COPY dialogs dialogs
COPY scheduler scheduler
COPY jiuzhu jiuzhu
RUN pip install --no-cache-dir .
ENV VAR_DIR=/data
EXPOSE 8000
CMD ["jiuzhu", "serve", "--host", "0.0.0.0", "--port", "8000"]
