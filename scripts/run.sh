#!/usr/bin/env bash
# Set up and run the app on the embedded store (the README's run command).
# The app listens on 127.0.0.1 only; set PATTERN_ATLAS_ADDRESS to change that. If NEO4J_URI,
# NEO4J_USER and NEO4J_PASSWORD are set, the app also offers the Neo4j store.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
exec .venv/bin/python -m streamlit run app.py \
  --server.address "${PATTERN_ATLAS_ADDRESS:-127.0.0.1}" --server.port "${PATTERN_ATLAS_PORT:-8501}" \
  --server.headless true --browser.gatherUsageStats false "$@"
