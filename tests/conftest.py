"""Test-wide settings.

Tiny models train faster on one thread: torch's intra-op threads cost more than they
save at hidden sizes of 4-32, and many more on a loaded machine.
"""

import torch

torch.set_num_threads(1)
