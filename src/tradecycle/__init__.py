"""tradecycle: automated, honest paper trading of US equities."""

import os

# Arrow's default (mimalloc) pool keeps the buffers it frees; with the system allocator the
# bundled data's decode buffers go back to the OS (about 15-20 MB less peak RSS per replay).
# It must be chosen before pyarrow is first imported; a user's own setting wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

__version__ = "0.1.0"
