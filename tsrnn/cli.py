"""The ``tsrnn`` command line: ``demo``, ``forecast``, ``compare`` and ``tune``.

::

    tsrnn demo [--fast] [--out DIR] [--dataset ett|m4]
    tsrnn forecast DATA.csv --target COL --horizon H [--model lstm] [--out forecast.csv]
    tsrnn compare DATA.csv --target COL --horizon H --models lstm,naive,snaive [--folds 3]
    tsrnn tune DATA.csv --target COL --horizon H [--model gru] [--trials 20]

``DATA.csv`` holds one series (a time column and the target column) or, with ``--id-col``,
many series in long format (id, time, target). Bad input ends with one line
``tsrnn: error: <message>`` on stderr and exit status 2; ``tsrnn COMMAND --help`` lists
every option.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import sys
import warnings
from pathlib import Path
from typing import NamedTuple

import pandas as pd

_CLASSES = {"lstm": "LSTMForecaster", "gru": "GRUForecaster", "rnn": "RNNForecaster",
            "naive": "NaiveForecaster", "snaive": "SeasonalNaiveForecaster",
            "drift": "DriftForecaster", "arima": "ARIMAForecaster", "ets": "ETSForecaster",
            "theta": "ThetaForecaster"}
MODELS = tuple(_CLASSES)
NEURAL = ("lstm", "gru", "rnn")
STATISTICAL = ("arima", "ets", "theta")
_SEASONS = {"Minute": 60, "Hour": 24, "Day": 7, "BusinessDay": 5, "MonthEnd": 12,
            "MonthBegin": 12, "QuarterEnd": 4, "QuarterBegin": 4}
_BOARD_NOTE = ("mase: mean absolute error over the in-sample seasonal naive error; "
               "skill: 1 - mase / mase of the naive forecast (> 0 beats it)")


class _UsageError(Exception):
    """A command-line usage error, reported like any other bad input."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _say(args, *lines) -> None:
    if not args.quiet:
        print(*lines, sep="\n", flush=True)


def _note(message: str) -> None:
    print(f"tsrnn: note: {message}", file=sys.stderr)


# ------------------------------------------------------------------------------ models
def _make_model(name: str, horizon: int, season: int, layout: dict, net: dict):
    """The forecaster ``name`` for data ``layout``; ``net`` holds neural parameters."""
    if name in STATISTICAL and importlib.util.find_spec("statsmodels") is None:
        raise ImportError(f"model {name!r} needs statsmodels: pip install tsrnn[stats]")
    from . import forecasting

    extra = net if name in NEURAL else \
        {"season_length": season} if name in ("snaive", *STATISTICAL) else {}
    return getattr(forecasting, _CLASSES[name])(horizon=horizon, **extra, **layout)


def _net(args) -> dict:
    """Neural parameters from the command-line options."""
    return dict(window=args.window, max_epochs=args.epochs, random_state=args.seed,
                device=args.device, verbose=not args.quiet)


def _model_names(text: str) -> list:
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        raise ValueError(f"unknown model(s) {unknown or [text]}; choose from {list(MODELS)}.")
    return list(dict.fromkeys(names))


def _season_length(args, data, layout: dict) -> int:
    """--season-length, else the usual season of the data's frequency: 24 hourly, 7 daily,
    12 monthly... (from the first series), else 1."""
    if args.season_length:
        return args.season_length
    times = data.index if isinstance(data, pd.Series) else pd.Index(
        data.loc[data[layout["id_col"]] == data[layout["id_col"]].iloc[0], layout["time_col"]])
    if not isinstance(times, pd.DatetimeIndex) or len(times) < 3:
        return 1
    freq = pd.infer_freq(times[-min(len(times), 100):])
    if freq is None:
        return 1
    offset = pd.tseries.frequencies.to_offset(freq)
    return _SEASONS.get(type(offset).__name__, 1) if offset.n == 1 else 1


# -------------------------------------------------------------------------------- data
def _parse_times(column: pd.Series, name: str):
    if pd.api.types.is_integer_dtype(column.dtype):
        return pd.Index(column.to_numpy(), name=name)
    try:
        with warnings.catch_warnings():  # "could not infer format": parsing goes on
            warnings.simplefilter("ignore", UserWarning)
            times = pd.DatetimeIndex(pd.to_datetime(column), name=name)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"cannot parse the time column {name!r} as dates ({exc}); "
                         "choose it with --time-col.") from None
    if times.hasnans:
        raise ValueError(f"the time column {name!r} has empty or missing dates "
                         f"(first at row {int(times.isna().argmax())}).")
    return times


def _load(args):
    """The CSV as a Series (one series) or a long frame (``--id-col``), and its layout."""
    path = Path(args.data)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path.name} as CSV: {exc}") from None
    time_col = args.time_col or ("ds" if "ds" in frame.columns else frame.columns[0])
    wanted = [c for c in (time_col, args.target, args.id_col) if c is not None]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found in {path.name}; its columns are "
                         f"{list(frame.columns)}.")
    times = _parse_times(frame[time_col], time_col)
    layout = dict(target=args.target, time_col=time_col, id_col=args.id_col or "unique_id")
    if args.id_col is None:
        return pd.Series(frame[args.target].to_numpy(), index=times, name=args.target), layout
    data = pd.DataFrame({args.id_col: frame[args.id_col].to_numpy(), time_col: times,
                         args.target: frame[args.target].to_numpy()})
    return data, layout


# --------------------------------------------------------------------------- outputs
def _long(obj, layout: dict) -> pd.DataFrame:
    """A forecast or history (Series or long frame) as columns ``id, time, values...``."""
    if isinstance(obj, pd.Series):
        obj = obj.to_frame(layout["target"])
    if isinstance(obj.index, pd.RangeIndex):
        return obj.reset_index(drop=True)
    return obj.rename_axis(layout["time_col"]).reset_index()


def _forecast_table(model, layout: dict, coverage: float) -> pd.DataFrame:
    """Point forecasts and, where the model gives them, prediction interval bounds."""
    table = _long(model.predict(), layout)
    try:
        bounds = _long(model.predict_interval(coverage=coverage), layout)
    except (NotImplementedError, ValueError) as exc:
        _note(f"no prediction interval: {exc}")
        return table
    return table.join(bounds.drop(columns=list(table.columns[:-1])))


def _plot_forecast(data, table: pd.DataFrame, layout: dict, path, n_series: int = 3):
    """History (its last part) and forecast, with the interval band, per series."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError("plots need matplotlib: pip install tsrnn[plot]") from exc
    t, y, sid = layout["time_col"], layout["target"], layout["id_col"]
    history = _long(data, layout)
    groups = [(None, history, table)] if sid not in table.columns else \
        [(k, history[history[sid] == k], part)
         for k, part in table.groupby(sid, sort=False)][:n_series]
    fig = Figure(figsize=(9, 2.8 * len(groups)), layout="constrained")
    for ax, (key, past, future) in zip(fig.subplots(len(groups), 1, squeeze=False)[:, 0],
                                       groups):
        past = past.tail(max(4 * len(future), 96))
        ax.plot(past[t], past[y], color="black", label="history")
        ax.plot(future[t], future[y], marker=".", color="tab:blue", label="forecast")
        if f"{y}_lower" in future.columns:
            ax.fill_between(future[t], future[f"{y}_lower"], future[f"{y}_upper"],
                            color="tab:blue", alpha=0.2, label="interval")
        ax.set_title(y if key is None else f"{y}: {key}")
        ax.tick_params(axis="x", labelrotation=30)
    fig.axes[0].legend(loc="best", fontsize="small")
    fig.savefig(path)
    return path


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


# -------------------------------------------------------------------------- commands
def _cmd_forecast(args) -> None:
    data, layout = _load(args)
    season = _season_length(args, data, layout)
    model = _make_model(args.model, args.horizon, season, layout, _net(args)).fit(data)
    table = _forecast_table(model, layout, args.coverage)
    table.to_csv(args.out, index=False)
    written = [args.out]
    if _wants_plot(args):
        plot = args.plot or str(Path(args.out).with_suffix(".png"))
        written.append(_plot_forecast(data, table, layout, plot))
    with pd.option_context("display.width", 120):
        _say(args, table.to_string(max_rows=30, index=False))
    _say(args, "wrote " + " and ".join(str(p) for p in written))


def _cmd_compare(args) -> None:
    from .model_selection import compare

    data, layout = _load(args)
    season = _season_length(args, data, layout)
    models = {n: _make_model(n, args.horizon, season, layout, _net(args))
              for n in _model_names(args.models)}
    _say(args, f"backtesting {len(models)} model(s) on the last {args.folds} x "
               f"{args.horizon} steps (season length {season})")
    board = compare(models, data, n_origins=args.folds, refit=not args.no_refit,
                    season_length=season, plot=args.plot)
    _show_board(args, board)
    if args.out:
        board.to_csv(args.out)
        _say(args, f"wrote {args.out}")


def _cmd_tune(args) -> None:
    from .model_selection import ExpandingWindowSplit
    from .tuning import OptunaSearchCV

    data, layout = _load(args)
    model = _make_model(args.model, args.horizon, 1, layout, {**_net(args), "verbose": False})
    cv = ExpandingWindowSplit(n_splits=args.folds, test_size=args.horizon,
                              id_col=layout["id_col"], time_col=layout["time_col"])
    study = args.study or (f"tsrnn-{args.model}-h{args.horizon}" if args.storage else None)
    search = OptunaSearchCV(model, n_trials=args.trials, timeout=args.timeout, cv=cv,
                            storage=args.storage, study_name=study, random_state=args.seed,
                            refit=False, verbose=not args.quiet).fit(data)
    states = search.results_["state"].value_counts().to_dict()
    print(f"best score (-MASE, {args.folds}-fold): {search.best_score_:.4f}  trials: {states}"
          + (f"  study: {study!r} in {args.storage}" if args.storage else ""))
    for name, value in search.best_params_.items():
        print(f"{name} = {value:.6g}" if isinstance(value, float) else f"{name} = {value}")


class _Demo(NamedTuple):
    data: object
    layout: dict
    horizon: int
    season: int
    folds: int
    net: dict  # neural forecaster parameters
    title: str


def _demo_setup(dataset: str, fast: bool) -> _Demo:
    from .datasets import load_ett, load_m4_finance

    net = dict(window=48, hidden_size=16, max_epochs=2) if fast else \
        dict(hidden_size=64, max_epochs=20, patience=4)
    net.update(batch_size=64, lr=3e-3, random_state=0, device="auto")
    if dataset == "ett":
        n = 600 if fast else 2000
        return _Demo(load_ett()["OT"].iloc[-n:], dict(target="OT", time_col="date",
                     id_col="unique_id"), 24, 24, 3 if fast else 7,
                     {"window": 96, "scaler": "standard", **net},
                     f"ETTh1 oil temperature (OT), last {n} hours")
    data = load_m4_finance()
    if fast:
        data = data[data["unique_id"].isin(data["unique_id"].unique()[:4])]
        data = data.groupby("unique_id").tail(200).reset_index(drop=True)
    return _Demo(data, dict(target="y", time_col="ds", id_col="unique_id"), 13, 1, 3,
                 {"window": 26, **net}, f"{data['unique_id'].nunique()} weekly M4 finance "
                 "series (one network for all of them)")


def _demo_models(args, demo: _Demo) -> dict:
    names = ["naive", "snaive" if demo.season > 1 else "drift", "theta", "ets", "lstm", "gru"]
    if args.fast:
        names.remove("ets")
    if importlib.util.find_spec("statsmodels") is None:
        _note("statsmodels is not installed: no Theta or ETS (pip install tsrnn[stats]).")
        names = [n for n in names if n not in ("theta", "ets")]
    net = {**demo.net, "verbose": not args.quiet}
    return {n: _make_model(n, demo.horizon, demo.season, demo.layout, net) for n in names}


def _cmd_demo(args) -> None:
    from sklearn.base import clone

    from .model_selection import compare

    demo = _demo_setup(args.dataset, args.fast)
    models, h, out = _demo_models(args, demo), demo.horizon, Path(args.out)
    plot = _wants_plot(args)
    out.mkdir(parents=True, exist_ok=True)
    _say(args, f"tsrnn demo: {demo.title}. Backtest: {', '.join(models)} forecast {h} steps "
               f"from {demo.folds} origins (the last {demo.folds} x {h} steps), each model "
               "fitted once on the data before the first origin.")
    board = compare(models, demo.data, n_origins=demo.folds, refit=False,
                    season_length=demo.season, plot=out / "backtest.png" if plot else None)
    _show_board(args, board)
    board.to_csv(out / "leaderboard.csv")
    _say(args, f"best: {board.index[0]}; refitting it on all the data to forecast the next {h}")
    model = clone(models[board.index[0]]).fit(demo.data)
    table = _forecast_table(model, demo.layout, coverage=0.9)
    table.to_csv(out / "forecast.csv", index=False)
    if plot:
        _plot_forecast(demo.data, table, demo.layout, out / "forecast.png")
    written = ["leaderboard.csv", "forecast.csv"] + (["backtest.png", "forecast.png"] * plot)
    _say(args, f"wrote {', '.join(written)} in {out}/")


# ---------------------------------------------------------------------------- parser
def _data_args(p: argparse.ArgumentParser, season: bool = True) -> None:
    p.add_argument("data", metavar="DATA.csv", help="CSV file, one row per time step")
    p.add_argument("--target", required=True, help="column to forecast")
    p.add_argument("--time-col", default=None,
                   help="time column (default: 'ds' if present, else the first column)")
    p.add_argument("--id-col", default=None,
                   help="series id column: the CSV holds many series in long format")
    p.add_argument("--horizon", type=int, required=True, help="steps to forecast")
    if season:
        p.add_argument("--season-length", type=int, default=None,
                       help="season m of snaive, arima, ets, theta and MASE (default: from "
                            "the frequency: 24 hourly, 7 daily, 5 business daily, 12 monthly, "
                            "4 quarterly, else 1)")


def _neural_args(p: argparse.ArgumentParser, epochs: int = 20) -> None:
    p.add_argument("--epochs", type=int, default=epochs,
                   help=f"max_epochs of neural models (default {epochs})")
    p.add_argument("--window", type=int, default=None,
                   help="past steps a neural model reads (default: max(2 * horizon, 8))")
    p.add_argument("--device", default="auto", help="auto (CUDA if present), cpu or cuda")
    p.add_argument("--seed", type=int, default=0, help="random_state (default 0)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``tsrnn`` command."""
    parser = _Parser(prog="tsrnn", description="Forecast time series with recurrent "
                     "networks and classical baselines.")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bars or messages (results are still printed)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1, fastest for small recurrent "
                             "networks, above all on a busy machine; 0: torch's default)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="compare models on an embedded dataset")
    demo.add_argument("--fast", action="store_true", help="tiny settings (about 20 s)")
    demo.add_argument("--out", default="tsrnn-output", help="output folder (default "
                      "tsrnn-output)")
    demo.add_argument("--dataset", choices=("ett", "m4"), default="ett",
                      help="ett: ETTh1 oil temperature, hourly; m4: 20 weekly M4 finance "
                           "series")
    demo.set_defaults(run=_cmd_demo)

    fc = sub.add_parser("forecast", help="fit a model on a CSV and forecast")
    _data_args(fc)
    fc.add_argument("--model", choices=MODELS, default="lstm", help="(default lstm)")
    _neural_args(fc)
    fc.add_argument("--coverage", type=float, default=0.9,
                    help="nominal coverage of the prediction interval (default 0.9)")
    fc.add_argument("--out", default="forecast.csv", help="forecast CSV (default forecast.csv)")
    fc.add_argument("--plot", default=None, help="PNG file (default: --out with .png)")
    fc.add_argument("--no-plot", action="store_true", help="make no plot")
    fc.set_defaults(run=_cmd_forecast)

    cmp = sub.add_parser("compare", help="backtest models on a CSV, print a leaderboard")
    _data_args(cmp)
    cmp.add_argument("--models", default="naive,snaive,lstm",
                     help=f"comma-separated, from {','.join(MODELS)} (default "
                          "naive,snaive,lstm)")
    cmp.add_argument("--folds", type=int, default=3, help="rolling origins (default 3)")
    cmp.add_argument("--no-refit", action="store_true",
                     help="fit once on the first fold, forecast later folds without refit")
    _neural_args(cmp)
    cmp.add_argument("--out", default=None, help="leaderboard CSV")
    cmp.add_argument("--plot", default=None, help="PNG file of the last fold's forecasts")
    cmp.set_defaults(run=_cmd_compare)

    tune = sub.add_parser("tune", help="search a neural model's hyperparameters (Optuna)")
    _data_args(tune, season=False)
    tune.add_argument("--model", choices=NEURAL, default="gru", help="(default gru)")
    tune.add_argument("--trials", type=int, default=20, help="trials to add (default 20)")
    tune.add_argument("--timeout", type=float, default=None, help="seconds")
    tune.add_argument("--folds", type=int, default=2, help="time-based CV folds (default 2)")
    tune.add_argument("--storage", default=None,
                      help="Optuna storage URL, e.g. sqlite:///study.db (resumable)")
    tune.add_argument("--study", default=None, help="study name in --storage")
    _neural_args(tune, epochs=10)
    tune.set_defaults(run=_cmd_tune)
    return parser


_ERRORS = (ValueError, TypeError, ImportError, OSError, NotImplementedError, _UsageError)


def _is_bad_input(exc: Exception) -> bool:
    """Errors reported in one line: bad input, missing extras, a diverged training."""
    exceptions = sys.modules.get("tsrnn.exceptions")  # not imported: cannot have been raised
    diverged = () if exceptions is None else (exceptions.TrainingDivergedError,)
    return isinstance(exc, _ERRORS + diverged)


@contextlib.contextmanager
def _torch_threads(n: int):
    """Run with ``n`` torch CPU threads (0: torch's default), restored afterwards."""
    if n < 0:
        raise ValueError(f"--threads must be 0 or more, got {n}.")
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n or before)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"tsrnn: warning: {message}", file=sys.stderr)


def main(argv: list | None = None) -> int:
    """Run the ``tsrnn`` command with ``argv`` (default ``sys.argv[1:]``); returns the
    exit status: 0 on success, 2 on bad input (one ``tsrnn: error:`` line on stderr)."""
    try:
        args = build_parser().parse_args(argv)
        with warnings.catch_warnings(), _torch_threads(args.threads):
            warnings.showwarning = _show_warning
            for developer_warning in (FutureWarning, DeprecationWarning):  # not for users
                warnings.simplefilter("ignore", developer_warning)
            args.run(args)
    except KeyboardInterrupt:
        print("tsrnn: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if not _is_bad_input(exc):
            raise
        print(f"tsrnn: error: {' '.join(str(exc).split()) or type(exc).__name__}",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
