"""Loaders for the small real datasets shipped inside the package.

The files in ``data/`` are built by ``benchmarks/build_datasets.py``; nothing is
downloaded at run time.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from ._checks import check_positive_int

ETT_ROWS = 17_420

_REGISTRY = [
    {
        "name": "ett",
        "loader": "load_ett",
        "kind": "sensor (multivariate)",
        "rows": ETT_ROWS,
        "series": 7,
        "freq": "h",
        "source": "ETTh1, Electricity Transformer Temperature (Zhou et al., AAAI 2021), "
        "https://github.com/zhouhaoyi/ETDataset",
        "license": "CC BY-ND 4.0",
    },
    {
        "name": "m4_finance",
        "loader": "load_m4_finance",
        "kind": "financial (panel)",
        "rows": 12_000,
        "series": 20,
        "freq": "W-SUN",
        "source": "M4 Competition, Weekly Finance series (Makridakis et al., IJF 2020), "
        "https://github.com/Mcompetitions/M4-methods; dates are synthetic",
        "license": "public research data, no explicit licence; cite the source",
    },
]


def _read_csv(filename: str, **kwargs) -> pd.DataFrame:
    """Read a gzip CSV from the package's ``data/`` folder."""
    path = resources.files(__package__).joinpath("data", filename)
    with path.open("rb") as fh:
        return pd.read_csv(fh, compression="gzip", **kwargs)


def load_ett(n_rows: int | None = None) -> pd.DataFrame:
    """Load ETTh1, the hourly Electricity Transformer Temperature data set.

    Hourly readings of one electricity transformer in China from 2016-07-01 to
    2018-06-26 (17,420 rows, no gaps, no missing values): six load features and
    the oil temperature ``OT``, the usual target. Values are the recorded
    3-decimal readings (the public CSV holds their float32 renderings).

    Parameters
    ----------
    n_rows : int, default=None
        Return only the first ``n_rows`` hours (at most 17,420); ``None`` returns all.

    Returns
    -------
    pandas.DataFrame
        Float columns ``HUFL, HULL, MUFL, MULL, LUFL, LULL, OT`` on a
        ``DatetimeIndex`` named ``"date"`` with ``freq="h"``.

    Notes
    -----
    Source: Zhou et al., "Informer: Beyond Efficient Transformer for Long
    Sequence Time-Series Forecasting", AAAI 2021;
    https://github.com/zhouhaoyi/ETDataset, licensed CC BY-ND 4.0. The common
    protocol trains on the first 12 months, validates on the next 4 and tests
    on the next 4, scaling each column with training statistics.

    Examples
    --------
    >>> from tsrnn.datasets import load_ett
    >>> df = load_ett(n_rows=48)
    >>> df.shape
    (48, 7)
    >>> df.index.freqstr
    'h'
    >>> float(df["OT"].iloc[0])
    30.531
    """
    if n_rows is not None:
        n_rows = check_positive_int(n_rows, "n_rows")
        if n_rows > ETT_ROWS:
            raise ValueError(f"n_rows must be at most {ETT_ROWS}, got {n_rows}")
    df = _read_csv("etth1.csv.gz", index_col="date", parse_dates=["date"], nrows=n_rows)
    df.index = pd.DatetimeIndex(df.index, freq="h", name="date")
    return df


def load_m4_finance() -> pd.DataFrame:
    """Load 20 weekly financial series from the M4 competition.

    The 20 series are spread evenly over the M4 Weekly "Finance" series with at
    least 300 training values. Each holds its last 600 values: the M4 training
    values followed by the 13 official M4 test values, so
    ``df.groupby("unique_id").tail(13)`` is the M4 test set for these series.

    Returns
    -------
    pandas.DataFrame
        Long format with columns ``unique_id`` (M4 id, e.g. ``"W60"``), ``ds``
        (datetime) and ``y`` (float), sorted by ``unique_id`` then ``ds``.

    Notes
    -----
    M4 publishes no dates: ``ds`` is synthetic, weekly on Sundays (``"W-SUN"``)
    and ending on 2018-12-30 for every series. Source: Makridakis, Spiliotis and
    Assimakopoulos, "The M4 Competition: 100,000 time series and 61 forecasting
    methods", International Journal of Forecasting 36(1), 2020;
    https://github.com/Mcompetitions/M4-methods.

    Examples
    --------
    >>> from tsrnn.datasets import load_m4_finance
    >>> df = load_m4_finance()
    >>> list(df.columns)
    ['unique_id', 'ds', 'y']
    >>> df["unique_id"].nunique()
    20
    >>> str(df["ds"].max().date())
    '2018-12-30'
    """
    df = _read_csv("m4_weekly_finance.csv.gz", parse_dates=["ds"])
    df["y"] = df["y"].astype("float64")
    return df


def list_datasets() -> pd.DataFrame:
    """Describe the real datasets shipped with tsrnn.

    Returns
    -------
    pandas.DataFrame
        One row per dataset with columns ``name``, ``loader`` (the function
        that loads it), ``kind``, ``rows``, ``series`` (columns of a wide table
        or ids of a long one), ``freq``, ``source`` and ``license``.

    Examples
    --------
    >>> from tsrnn.datasets import list_datasets
    >>> list_datasets()[["name", "loader", "rows", "freq"]]
             name           loader   rows   freq
    0         ett         load_ett  17420      h
    1  m4_finance  load_m4_finance  12000  W-SUN
    """
    return pd.DataFrame(_REGISTRY)
