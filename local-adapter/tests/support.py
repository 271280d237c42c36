"""Paths the local adapter's tests share."""

from pathlib import Path

ADAPTER_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = ADAPTER_DIR.parent
REFERENCE_PROCESSOR = REPO_ROOT / "processors" / "llm-litellm" / "bin" / "processor"
