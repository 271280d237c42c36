"""`modal.output.enable_output()`: without it the CLI's and SDK's normal output is discarded."""
from ._output import enable_output

__all__ = ["enable_output"]
