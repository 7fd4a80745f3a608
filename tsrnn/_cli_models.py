"""The models and tables of the command line: forecasters built by their command-line name
(from the one registry) with the neural options they take, the season and the
automatic model list from the data, the forecast table (points and interval
bounds), the leaderboard and the notes printed on the way. Used by :mod:`tsrnn.cli`.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings

import pandas as pd

from ._registry import CLI_MODELS, SHORT_NAMES

_CLASSES = {name: SHORT_NAMES[name] for name in CLI_MODELS}  # the one registry of models


MODELS = tuple(_CLASSES)


NEURAL = ("lstm", "gru", "rnn")


STATISTICAL = ("arima", "ets", "theta", "mstl")


SEASONAL = ("snaive", "naive2", *STATISTICAL)


_BOARD_NOTE = ("mase: mean absolute error over the in-sample seasonal naive error; "
               "skill: 1 - mase / mase of the naive forecast (> 0 beats it)")


class _UsageError(Exception):
    """A command-line usage error, reported like any other bad input."""


def _say(args, *lines) -> None:
    if not args.quiet:
        print(*lines, sep="\n", flush=True)


def _note(message: str) -> None:
    print(f"tsrnn: note: {message}", file=sys.stderr)


# ------------------------------------------------------------------------------ models
def _make_model(name: str, horizon: int, season, layout: dict, net: dict,
                future=None):
    """The forecaster ``name`` for data ``layout``; ``net`` holds neural parameters,
    ``future`` the known future covariates."""
    if name in STATISTICAL and importlib.util.find_spec("statsmodels") is None:
        raise ImportError(f"model {name!r} needs statsmodels: pip install tsrnn[stats]")
    from . import forecasting

    extra = dict(net) if name in NEURAL else \
        {"season_length": season} if name in SEASONAL else \
        {"random_state": net.get("random_state")} if name == "auto" else {}
    if future and name in (*NEURAL, "arima"):
        extra["future_covariates"] = list(future)
    return getattr(forecasting, _CLASSES[name])(horizon=horizon, **extra, **layout)


def _net(args) -> dict:
    """Neural parameters from the command-line options."""
    net = {"window": args.window, "random_state": args.seed, "device": args.device,
           "verbose": not args.quiet}
    for name in ("hidden_size", "num_layers", "patience", "validation_fraction"):
        if getattr(args, name, None) is not None:
            net[name] = getattr(args, name)
    if net.get("patience") is not None and "validation_fraction" not in net:
        net["validation_fraction"] = "auto"  # early stopping needs held-out data
    if args.epochs is not None:
        net["max_epochs"] = args.epochs
    return net


def _model_names(text: str) -> list:
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        raise ValueError(f"unknown model(s) {unknown or [text]}; choose from {list(MODELS)}.")
    return list(dict.fromkeys(names))


def _auto_models(data, layout: dict) -> list:
    """``--models auto``: model_selection.default_forecasters, by command-line name."""
    from .forecasting._data import infer_freq
    from .model_selection import default_forecasters

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        freq = infer_freq(data, **layout)
    cli_names = {"seasonal_naive": "snaive"}
    return [cli_names.get(n, n) for n in default_forecasters(freq, horizon=1)]


def _season_length(args, data, layout: dict) -> tuple:
    """``(season_length parameter, the season it resolves to)``: --season-length, else
    ``"auto"``, the main season of the data's frequency (tsrnn.forecasting.seasonality)."""
    from .forecasting._data import infer_freq
    from .forecasting.seasonality import resolve_season_length

    if args.season_length:
        return args.season_length, args.season_length
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        freq = infer_freq(data, **layout)
    return "auto", resolve_season_length("auto", freq)


# --------------------------------------------------------------------------- outputs
def _long(obj, layout: dict) -> pd.DataFrame:
    """A forecast or history (Series or frame) as columns ``[id,] time, values...``, the
    time column as it came (dates, or integers such as years)."""
    if isinstance(obj, pd.Series):
        obj = obj.to_frame(layout["target"])
    if layout["time_col"] in obj.columns:
        return obj.reset_index(drop=True)
    return obj.rename_axis(layout["time_col"]).reset_index()


def _forecast_table(model, layout: dict, coverage: float, future=None) -> pd.DataFrame:
    """Point forecasts and, where the model gives them, prediction interval bounds;
    ``future`` holds the covariates of the forecast period."""
    X = future if getattr(model, "covariates_", None) else None
    table = _long(model.predict(X=X), layout)
    try:
        bounds = _long(model.predict_interval(X=X, coverage=coverage), layout)
    except (NotImplementedError, ValueError) as exc:
        _note(f"no prediction interval: {exc}")
        return table
    return table.join(bounds.drop(columns=list(table.columns[:-1])))


def _plot_forecast(data, table: pd.DataFrame, layout: dict, path, model_name="model",
                   coverage=None):
    """History (its last part) and forecast, with the interval band, per series."""
    from ._plots import plot_forecast

    return plot_forecast(path, _long(data, layout), table, layout, model_name, coverage)


def _show_board(args, board: pd.DataFrame) -> None:
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        print(board.to_string(float_format=lambda v: f"{v:.3f}"))
    _say(args, _BOARD_NOTE)


def _wants_plot(args) -> bool:
    """Plot unless --no-plot; without matplotlib, say so unless --plot was asked for."""
    if getattr(args, "no_plot", False):
        return False
    if getattr(args, "plot", None) is None and importlib.util.find_spec("matplotlib") is None:
        _note("matplotlib is not installed, so no plot is made (pip install tsrnn[plot]).")
        return False
    return True
