"""Argument types of the command line: each refuses a bad value with a one-line message
that argparse reports as ``tsrnn: error: argument --name: ...`` (exit status 2)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd


def _int_at_least(minimum: int, name: str):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"{name} must be an integer >= {minimum}, got "
                                             f"{text}")
        return value
    return parse


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"coverage must be a number strictly between 0 and "
                                         f"1 (e.g. 0.9), got {text}")
    return value


def _validation_fraction(text):
    """``auto`` (the last horizon of every series) or a fraction in [0, 1)."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"validation fraction must be 'auto' or a number in "
                                         f"[0, 1) (e.g. 0.1), got {text}")
    return value


def _calendar(text):
    """An exchange's name (XNYS, XLON...): its trading days as a pandas offset."""
    from .forecasting._calendars import exchange_offset

    try:
        return exchange_offset(text.strip())
    except (ImportError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _frequency(text):
    try:
        pd.tseries.frequencies.to_offset(text)
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a pandas frequency (e.g. 30min, "
                                         "h, D, B, W-SUN, MS, QS, YS)") from None
    return text


def _device(text):
    from ._validation import DeviceName

    if not DeviceName().is_satisfied_by(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a device: choose auto, cpu, cuda, "
                                         "cuda:N or mps")
    return text


def _storage_url(text):
    """A database URL that SQLAlchemy can parse, with an existing folder for SQLite."""
    if "://" not in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a database URL (e.g. "
                                         "sqlite:///study.db, postgresql://user@host/db)")
    try:
        from sqlalchemy.engine import make_url

        url = make_url(text)
    except ImportError:
        return text
    except Exception as exc:  # noqa: BLE001 - sqlalchemy's ArgumentError and the like
        raise argparse.ArgumentTypeError(f"{text!r} is not a database URL: {exc}") from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folder = Path(url.database).parent
        if not folder.is_dir():
            raise argparse.ArgumentTypeError(f"the folder {str(folder)!r} of {text!r} does "
                                             "not exist")
    return text
