"""Paths shared by the runner-side tests."""

from pathlib import Path

RUNNER_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = RUNNER_DIR.parent
EMULATOR = REPO_ROOT / "testing" / "emulator"
REFERENCE_PROCESSOR = REPO_ROOT / "processors" / "llm-litellm" / "bin" / "processor"
