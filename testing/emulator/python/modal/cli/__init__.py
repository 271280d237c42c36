"""The `modal` command line (a stand-in for the real click-based CLI)."""
