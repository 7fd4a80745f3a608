"""Small real datasets shipped with tsrnn and seeded synthetic generators.

Real data (read from files inside the package, never downloaded):

- :func:`load_ett`: ETTh1 hourly transformer sensor data (multivariate, wide).
- :func:`load_m4_finance`: 20 weekly financial series from M4 (long format).
- :func:`list_datasets`: a table describing them, with sources and licences.

Generators (numpy, seeded with ``random_state``):

- :func:`make_sine`: a sine wave on a ``RangeIndex``, for quick tests.
- :func:`make_seasonal_series`: trend plus several seasonalities plus noise.
- :func:`make_random_walk_prices`: geometric Brownian motion prices.
- :func:`make_panel`: a ragged panel of series with different lengths, start
  dates and levels, for global models.

Long-format frames use the columns ``unique_id``, ``ds`` and ``y``.
"""

from ._generators import make_panel, make_random_walk_prices, make_seasonal_series, make_sine
from ._loaders import list_datasets, load_ett, load_m4_finance

__all__ = [
    "list_datasets",
    "load_ett",
    "load_m4_finance",
    "make_panel",
    "make_random_walk_prices",
    "make_seasonal_series",
    "make_sine",
]
