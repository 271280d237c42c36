"""Paths the session's tests share."""

from pathlib import Path

SESSION_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = SESSION_DIR.parent
EMULATOR = REPO_ROOT / "testing" / "emulator"
