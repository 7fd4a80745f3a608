"""The ``tsrnn`` command line: ``demo``, ``forecast``, ``compare`` and ``tune``.

::

    tsrnn demo [--fast] [--out DIR] [--dataset ett|m4]
    tsrnn forecast DATA.csv --target COL --horizon H [--model auto] [--out forecast.csv]
    tsrnn compare DATA.csv --target COL --horizon H --models lstm,naive,snaive [--folds 3]
    tsrnn tune DATA.csv --target COL --horizon H [--model gru] [--trials 20]

``DATA.csv`` holds one series (a time column and the target column) or, with ``--id-col``,
many series in long format (id, time, target), and optionally covariate columns
(``--covariates``, ``--future-covariates``; rows after the last target value hold the
future covariates of the forecast period). Series ids are read as text; the time column
is parsed explicitly (integers such as years kept as they came, ISO or inferred dates,
YYYYMMDD integers and Excel serial numbers as dates). A run writes its files together at
the end, atomically (tsrnn._io): a failure leaves the previous files or none. Bad input
ends with one line ``tsrnn: error: <message>`` on stderr and exit status 2; an unexpected
internal error ends with one line and exit status 1 (``--debug`` shows its traceback);
``tsrnn COMMAND --help`` lists every option.
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

from ._cli_data import _load, _names
from ._cli_models import _BOARD_NOTE as _BOARD_NOTE
from ._cli_models import _CLASSES as _CLASSES
from ._cli_models import (
    MODELS,
    NEURAL,
    STATISTICAL,
    _auto_models,
    _forecast_table,
    _make_model,
    _model_names,
    _net,
    _note,
    _plot_forecast,
    _say,
    _season_length,
    _show_board,
    _UsageError,
    _wants_plot,
)
from ._cli_models import SEASONAL as SEASONAL
from ._cli_models import _long as _long
from ._cli_options import FILLS as FILLS
from ._cli_options import _data_args, _neural_args
from ._cli_types import _fraction, _int_at_least, _storage_url
from ._io import Outputs, figure_path


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _UsageError(f"{message} (see '{self.prog} --help')")


# -------------------------------------------------------------------------- commands
_NOT_TUNED = ("random_state", "device", "verbose", "callbacks")  # run settings


def _tuned(args) -> tuple:
    """``(model name or None, parameters)`` tuned by ``tsrnn tune``: from ``--study NAME
    --storage URL`` (the study's best trial) and/or ``--params best.json`` (which wins)."""
    import json

    model, params = None, {}
    if getattr(args, "study", None) or getattr(args, "storage", None):
        if not (args.study and args.storage):
            raise _UsageError("--study and --storage go together: the study NAME in the "
                              "database URL that tsrnn tune wrote it to.")
        from .tuning import _import_optuna

        optuna = _import_optuna()
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        try:
            study = optuna.load_study(study_name=args.study, storage=args.storage)
        except KeyError:
            raise ValueError(f"--storage {args.storage!r} holds no study {args.study!r}.") \
                from None
        try:
            best = study.best_trial
        except ValueError:
            raise ValueError(f"study {args.study!r} has no completed trial yet.") from None
        model = study.user_attrs.get("tsrnn_model")
        params.update(study.user_attrs.get("tsrnn_fixed", {}))
        params.update(best.params)
    if getattr(args, "params", None):
        try:
            content = json.loads(Path(args.params).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"cannot read --params {args.params!r}: {exc}") from None
        if not isinstance(content, dict):
            raise ValueError(f"--params {args.params!r} must hold a JSON object of parameters "
                             "(as tsrnn tune writes it).")
        if isinstance(content.get("params"), dict):  # tsrnn tune's file
            model = content.get("model", model)
            content = content["params"]
        params.update(content)
    return model, {k: v for k, v in params.items() if k not in _NOT_TUNED}


def _with_tuned(args, net: dict) -> tuple:
    """The model name and neural parameters with the tuned ones (options given on the
    command line win over the tuned values)."""
    tuned_model, tuned = _tuned(args)
    name = args.model
    if not tuned:
        return name, net
    if name == "auto" and tuned_model:
        name = tuned_model
    if name not in NEURAL:
        raise ValueError(f"the tuned parameters {sorted(tuned)} are for a neural model "
                         f"({tuned_model or 'lstm, gru or rnn'}); --model {name} does not "
                         "take them.")
    merged = dict(net)
    for key, value in tuned.items():
        if merged.get(key) is None:
            merged[key] = value
    return name, merged


def _cmd_forecast(args) -> None:
    data, layout, future = _load(args)
    season, _ = _season_length(args, data, layout)
    name, net = _with_tuned(args, _net(args))
    args.model = name
    plot = figure_path(args.plot or Path(args.out).with_suffix(".png")) \
        if _wants_plot(args) else None
    written = [p for p in (args.out, plot) if p]
    if plot and Path(plot).resolve() == Path(args.out).resolve():
        raise ValueError(f"--plot and --out name the same file ({args.out}); give the plot "
                         "another name.")
    with Outputs() as out:  # all or nothing: a failed plot leaves no new forecast file
        staged = [out.path(p) for p in written]  # folders checked before the fit
        model = _make_model(name, args.horizon, season, layout, net,
                            _names(args.future_covariates)).fit(data)
        table = _forecast_table(model, layout, args.coverage, future)
        table.to_csv(staged[0], index=False)
        if plot:
            _plot_forecast(data, table, layout, staged[1], args.model, args.coverage)
    with pd.option_context("display.width", 120):
        _say(args, table.to_string(max_rows=30, index=False))
    _say(args, "wrote " + " and ".join(str(p) for p in written))


def _cmd_compare(args) -> None:
    from .model_selection import compare

    data, layout, _ = _load(args)
    season, resolved = _season_length(args, data, layout)
    names = _auto_models(data, layout) if args.models.strip().lower() == "auto" else \
        _model_names(args.models)
    models = {n: _make_model(n, args.horizon, season, layout, _net(args),
                             _names(args.future_covariates)) for n in names}
    _say(args, f"backtesting {len(models)} model(s) on the last {args.folds} x "
               f"{args.horizon} steps (season length {resolved})")
    plot = args.plot and figure_path(args.plot)
    with Outputs() as out:  # the leaderboard and the plot: both or neither
        staged_board, staged_plot = (p and out.path(p) for p in (args.out, plot))
        board = compare(models, data, n_origins=args.folds, refit=not args.no_refit,
                        season_length=season, plot=staged_plot, coverage=args.coverage)
        if staged_board:
            board.to_csv(staged_board)
    _show_board(args, board)
    if args.out or args.plot:
        _say(args, "wrote " + " and ".join(str(p) for p in (args.out, plot) if p))


def _cmd_tune(args) -> None:
    from .model_selection import ExpandingWindowSplit
    from .tuning import OptunaSearchCV

    data, layout, _ = _load(args)
    model = _make_model(args.model, args.horizon, 1, layout, {**_net(args), "verbose": False},
                        _names(args.future_covariates))
    cv = ExpandingWindowSplit(n_splits=args.folds, test_size=args.horizon,
                              id_col=layout["id_col"], time_col=layout["time_col"])
    study = args.study or (f"tsrnn-{args.model}-h{args.horizon}" if args.storage else None)
    search = OptunaSearchCV(model, n_trials=args.trials, timeout=args.timeout, cv=cv,
                            storage=args.storage, study_name=study, random_state=args.seed,
                            refit=False, verbose=not args.quiet)
    if args.force_resume and not args.storage:
        raise _UsageError("--force-resume continues a study in --storage; give --storage.")
    try:
        if args.force_resume:
            _adopt_study(args.storage, study, model, data)
        search.fit(data)
    except Exception as exc:  # a database that cannot be used: the user's URL
        named = f"storage={args.storage!r}"
        if isinstance(exc, ValueError) and named in str(exc):  # tsrnn.tuning's wording
            raise ValueError(str(exc).replace(named, f"--storage {args.storage!r}", 1)) \
                from None
        storage_error = type(exc).__module__.startswith(
            ("sqlalchemy", "optuna.storages", "optuna.exceptions")) or (
            isinstance(exc, ImportError) and "storage" in str(exc).lower())
        if not storage_error:
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"cannot use --storage {args.storage!r}: {first}") from None
    states = search.results_["state"].value_counts().to_dict()
    print(f"best score (-MASE, {args.folds}-fold): {search.best_score_:.4f}  trials: {states}"
          + (f"  study: {study!r} in {args.storage}" if args.storage else ""))
    for name, value in search.best_params_.items():
        print(f"{name} = {value:.6g}" if isinstance(value, float) else f"{name} = {value}")
    _write_best(args, search, study)


def _write_best(args, search, study) -> None:
    """``--out best.json``: the model and every parameter ``tsrnn forecast --params``
    needs to rebuild the best trial (the searched ones and the fixed options of the run);
    a stored study keeps them too, for ``tsrnn forecast --study --storage``."""
    import json

    from ._io import Outputs

    fixed = {k: v for k, v in _net(args).items() if k not in _NOT_TUNED and v is not None}
    params = {**fixed, **search.best_params_}
    if args.storage:
        search.study_.set_user_attr("tsrnn_model", args.model)
        search.study_.set_user_attr("tsrnn_fixed", fixed)
    best = {"model": args.model, "horizon": args.horizon, "params": params,
            "best_score": search.best_score_, "folds": args.folds,
            "study": study, "storage": args.storage}
    with Outputs() as out:
        out.path(args.out).write_text(json.dumps(best, indent=2) + "\n")
    _say(args, f"wrote {args.out} (tsrnn forecast ... --params {args.out})")


def _adopt_study(storage: str, name: str, model, data) -> None:
    """``--force-resume``: tie a stored study to this data, keeping its earlier trials (a
    study refuses to resume on data other than its own: tsrnn.tuning.data_fingerprint)."""
    import optuna

    from .tuning import data_fingerprint

    try:
        study = optuna.load_study(study_name=name, storage=storage)
    except KeyError:  # no such study yet: nothing to adopt
        return
    mine = data_fingerprint(type(model).__name__, data)
    if study.user_attrs.get("tsrnn_data") not in (None, mine):
        _note(f"--force-resume: study {name!r} was run on other data; its trials and this "
              "data's are now mixed, and it resumes on this data from now on.")
    study.set_user_attr("tsrnn_data", mine)


class _Demo(NamedTuple):
    data: object
    layout: dict
    horizon: int
    season: object  # "auto" (from the frequency) or an int
    folds: int
    net: dict  # neural forecaster parameters
    title: str


def _demo_setup(dataset: str, fast: bool) -> _Demo:
    from .datasets import load_ett, load_m4_finance

    # the neural models' own defaults are the recipe (docs/guide/neural-defaults.md)
    net = {"window": 48, "hidden_size": 16, "max_epochs": 2} if fast else {}
    net.update(random_state=0, device="auto")
    if dataset == "ett":
        n = 600 if fast else 2000
        return _Demo(load_ett()["OT"].iloc[-n:], {"target": "OT", "time_col": "date",
                     "id_col": "unique_id"}, 24, "auto", 3 if fast else 7,
                     net,
                     f"ETTh1 oil temperature (OT), last {n} hours")
    data = load_m4_finance()
    if fast:
        data = data[data["unique_id"].isin(data["unique_id"].unique()[:4])]
        data = data.groupby("unique_id").tail(200).reset_index(drop=True)
    return _Demo(data, {"target": "y", "time_col": "ds", "id_col": "unique_id"}, 13, 1, 3,
                 net, f"{data['unique_id'].nunique()} weekly M4 finance "
                 "series (one network for all of them)")


def _demo_models(args, demo: _Demo) -> dict:
    # sub-daily data (ETTh1, hourly: a daily and a weekly cycle): MSTL instead of ETS
    seasonal = "mstl" if demo.season == "auto" else "ets"
    names = ["naive", "drift" if demo.season == 1 else "snaive", "theta", seasonal, "lstm",
             "gru"]
    if args.fast and seasonal == "ets":
        names.remove("ets")
    if importlib.util.find_spec("statsmodels") is None:
        _note("statsmodels is not installed: no Theta, ETS or MSTL (pip install tsrnn[stats]).")
        names = [n for n in names if n not in STATISTICAL]
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
    with Outputs() as files:  # every file of the run, renamed into place at the end
        board = compare(models, demo.data, n_origins=demo.folds, refit=False,
                        season_length=demo.season,
                        plot=files.path(out / "backtest.png") if plot else None)
        _show_board(args, board)
        board.to_csv(files.path(out / "leaderboard.csv"))
        _say(args, f"best: {board.index[0]}; refitting it on all the data to forecast the "
                   f"next {h}")
        model = clone(models[board.index[0]]).fit(demo.data)
        table = _forecast_table(model, demo.layout, coverage=0.9)
        table.to_csv(files.path(out / "forecast.csv"), index=False)
        if plot:
            _plot_forecast(demo.data, table, demo.layout, files.path(out / "forecast.png"),
                           board.index[0], 0.9)
    written = ["leaderboard.csv", "forecast.csv"] + (["backtest.png", "forecast.png"] * plot)
    _say(args, f"wrote {', '.join(written)} in {out}/")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``tsrnn`` command."""
    parser = _Parser(prog="tsrnn", description="Forecast time series with recurrent "
                     "networks and classical baselines.")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bars or messages (results are still printed)")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an unexpected error")
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
    fc.add_argument("--model", choices=MODELS, default="auto",
                    help="(default auto: per series, the best of a GRU, Theta, ETS, naive "
                         "and seasonal naive by backtest, or their combination; see "
                         "AutoForecaster)")
    _neural_args(fc)
    fc.add_argument("--coverage", type=_fraction, default=0.9,
                    help="nominal coverage of the prediction interval (default 0.9)")
    fc.add_argument("--params", default=None,
                    help="JSON file of tuned parameters (the best.json of tsrnn tune: its "
                         "model, unless --model names a neural one, and its parameters; "
                         "options given here win)")
    fc.add_argument("--study", default=None,
                    help="take the best trial of this tsrnn tune study (with --storage)")
    fc.add_argument("--storage", type=_storage_url, default=None,
                    help="Optuna storage URL of --study, e.g. sqlite:///study.db")
    fc.add_argument("--out", default="forecast.csv", help="forecast CSV (default forecast.csv)")
    fc.add_argument("--plot", default=None, help="PNG file (default: --out with .png)")
    fc.add_argument("--no-plot", action="store_true", help="make no plot")
    fc.set_defaults(run=_cmd_forecast)

    cmp = sub.add_parser("compare", help="backtest models on a CSV, print a leaderboard")
    _data_args(cmp)
    cmp.add_argument("--models", default="naive,snaive,lstm",
                     help=f"comma-separated, from {','.join(MODELS)} (default "
                          "naive,snaive,lstm), or auto alone: seasonal baselines for the "
                          "frequency (naive, snaive, theta, and ets, or mstl for sub-daily "
                          "data); auto in a list is the automatic forecaster")
    cmp.add_argument("--folds", type=_int_at_least(1, "folds"), default=3,
                     help="rolling origins (default 3)")
    cmp.add_argument("--coverage", type=_fraction, default=None,
                     help="also score prediction intervals of this coverage (coverage, "
                          "width, msis)")
    cmp.add_argument("--no-refit", action="store_true",
                     help="fit once on the first fold, forecast later folds without refit")
    _neural_args(cmp)
    cmp.add_argument("--out", default=None, help="leaderboard CSV")
    cmp.add_argument("--plot", default=None, help="PNG file of the last fold's forecasts")
    cmp.set_defaults(run=_cmd_compare)

    tune = sub.add_parser("tune", help="search a neural model's hyperparameters (Optuna)")
    _data_args(tune, season=False)
    tune.add_argument("--model", choices=NEURAL, default="gru", help="(default gru)")
    tune.add_argument("--trials", type=_int_at_least(1, "trials"), default=20,
                      help="trials to add (default 20)")
    tune.add_argument("--timeout", type=float, default=None, help="seconds")
    tune.add_argument("--folds", type=_int_at_least(1, "folds"), default=2,
                      help="time-based CV folds (default 2)")
    tune.add_argument("--storage", type=_storage_url, default=None,
                      help="Optuna storage URL, e.g. sqlite:///study.db (resumable)")
    tune.add_argument("--study", default=None, help="study name in --storage")
    tune.add_argument("--force-resume", action="store_true",
                      help="continue the --storage study even if it was run on other data "
                           "(a study keeps a fingerprint of its data and refuses otherwise)")
    tune.add_argument("--out", default="best.json",
                      help="JSON file of the best parameters, for tsrnn forecast --params "
                           "(default best.json)")
    _neural_args(tune)  # the model's own defaults: the first trial is the untuned model
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
    exit status: 0 on success, 2 on bad input (one ``tsrnn: error:`` line on stderr), 1 on
    an unexpected internal error (one line; ``--debug`` raises it with its traceback)."""
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
        text = " ".join(str(exc).split()) or type(exc).__name__
        if _is_bad_input(exc):
            print(f"tsrnn: error: {text}", file=sys.stderr)
            return 2
        if "--debug" in (sys.argv[1:] if argv is None else argv):
            raise
        print(f"tsrnn: error: internal error ({type(exc).__name__}: {text}); please report "
              "it, and rerun with --debug for the traceback", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
