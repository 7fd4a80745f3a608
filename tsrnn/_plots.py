"""Figures a person can read: backtests (every fold) and forecasts, one panel per series.

Every panel has its axes labelled (the time column and the target), the legend sits
outside the data (right of the panels), models keep one colour across folds, intervals
say their nominal coverage, and fold origins are marked. Plots use matplotlib's object
API (no pyplot state) and need ``pip install tsrnn[plot]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._io import save_figure
from .forecasting._data import long_target


def _figure(n_panels: int, width: float = 10.0, height: float = 2.6):
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError("plots need matplotlib: pip install tsrnn[plot]") from exc
    ncols = 1 if n_panels <= 3 else 2
    nrows = -(-n_panels // ncols)
    fig = Figure(figsize=(width * (1 if ncols == 1 else 1.6), height * nrows + 0.6),
                 layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    return fig, axes[:n_panels]


def _finish(fig, axes, time_col, target, title) -> None:
    for ax in axes:
        ax.set_xlabel(str(time_col))
        ax.set_ylabel(str(target))
        ax.grid(True, alpha=0.3)
        ax.tick_params(axis="x", labelrotation=30)
    handles, labels = axes[0].get_legend_handles_labels()
    seen = dict(zip(labels, handles))
    fig.legend(list(seen.values()), list(seen), loc="outside right upper", fontsize="small")
    fig.suptitle(title)


def _history(data, target, id_col, time_col) -> pd.DataFrame:
    """``data``'s target as a long frame (id, time, value); empty when not readable."""
    try:
        return long_target(data, target, id_col, time_col)
    except (KeyError, TypeError, AttributeError):
        return pd.DataFrame(columns=[id_col, time_col, "value"])


def _target_name(data, forecaster) -> str:
    target = getattr(forecaster, "target", None)
    if isinstance(target, str):
        return target
    if isinstance(data, pd.Series):
        return data.name if data.name is not None else "y"
    return "y"


def plot_backtests(path, data, forecasts: dict, forecaster, n_series: int,
                   coverage=None) -> None:
    """Truth and every model's forecasts over every fold (intervals too), per series."""
    id_col, time_col = forecaster.id_col, forecaster.time_col
    target = _target_name(data, forecaster)
    rows = next(iter(forecasts.values()))
    ids = rows[id_col].drop_duplicates()[:n_series].tolist()
    history = _history(data, target, id_col, time_col)
    fig, axes = _figure(len(ids))
    colours = [f"C{k}" for k in range(10)]
    n_folds = int(rows["fold"].max()) + 1
    panel = isinstance(data, pd.DataFrame) and (id_col in data.columns or
                                                isinstance(data.index, pd.MultiIndex))
    for ax, sid in zip(axes, ids):
        mine = rows[rows[id_col] == sid]
        first = mine[time_col].min()
        span = mine[time_col].max() - first
        past = history[(history[id_col] == sid) if len(history) and
                       history[id_col].nunique() > 1 else slice(None)]
        past = past[(past[time_col] >= first - span) & (past[time_col] <= mine[time_col].max())] \
            if len(past) else past
        if len(past):
            ax.plot(past[time_col], past["value"], color="black", lw=1, label="actual")
        else:
            truth = mine.drop_duplicates(time_col)
            ax.plot(truth[time_col], truth["y"], color="black", lw=1, label="actual")
        for k, (name, frame) in enumerate(forecasts.items()):
            colour = colours[k % len(colours)]
            part = frame[frame[id_col] == sid]
            style = ("-", "--", "-.", ":")[k % 4]  # models that agree stay visible
            for _fold, fold_rows in part.groupby("fold"):
                ax.plot(fold_rows[time_col], fold_rows["y_pred"], color=colour, lw=1.4,
                        ls=style, label=name)
                if "y_lower" in fold_rows.columns and fold_rows["y_lower"].notna().any():
                    ax.fill_between(fold_rows[time_col], fold_rows["y_lower"],
                                    fold_rows["y_upper"], color=colour, alpha=0.15,
                                    label=f"{name} {coverage:.0%} interval")
        for _fold, fold_rows in mine.groupby("fold"):
            ax.axvline(fold_rows[time_col].min(), color="grey", ls=":", lw=0.8)
        ax.set_title(f"{target}: {sid}" if panel else str(target), fontsize="medium")
    time_label = time_col if panel or not data.index.name else data.index.name
    _finish(fig, axes, time_label, target, f"Backtest: {n_folds} fold(s), origins dotted")
    save_figure(fig, path)


def plot_forecast(path, history: pd.DataFrame, table: pd.DataFrame, layout: dict,
                  model_name: str, coverage=None, n_series: int = 6):
    """History (its last part) and the forecast with its interval, one panel per series.

    ``history`` and ``table`` are long frames with the time column, the target (and
    ``<target>_lower``/``_upper`` in ``table``) and, for panels, the id column.
    """
    t, y, sid = layout["time_col"], layout["target"], layout["id_col"]
    groups = [(None, history, table)] if sid not in table.columns else \
        [(k, history[history[sid] == k], part)
         for k, part in table.groupby(sid, sort=False)][:n_series]
    fig, axes = _figure(len(groups))
    for ax, (key, past, future) in zip(axes, groups):
        past = past.tail(max(4 * len(future), 96))
        ax.plot(past[t], past[y], color="black", lw=1, label="history")
        ax.plot(future[t], future[y], marker=".", color="C0", label=f"{model_name} forecast")
        if f"{y}_lower" in future.columns:
            level = "" if coverage is None else f"{coverage:.0%} "
            ax.fill_between(future[t], future[f"{y}_lower"], future[f"{y}_upper"],
                            color="C0", alpha=0.2, label=f"{level}prediction interval")
        ax.set_title(y if key is None else f"{y}: {key}", fontsize="medium")
        if not np.issubdtype(np.asarray(past[t]).dtype, np.datetime64):
            ax.xaxis.get_major_locator().set_params(integer=True)
    _finish(fig, axes, t, y, f"{model_name}: {len(table) // max(len(groups), 1)}-step forecast")
    return save_figure(fig, path)


# ------------------------------------------------------------ tuning studies (tsrnn.tuning)
def _rows_figure(nrows: int, figsize: tuple):
    try:
        from matplotlib.figure import Figure  # no pyplot: no global backend is touched
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install tsrnn[plot]") from exc
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows)


def plot_study_history(study, path) -> str:
    """Save a study's history to ``path``: completed scores, best so far and pruned trials
    (top); the per-epoch values reported by every trial, pruned ones in red (bottom)."""
    trials = study.get_trials(deepcopy=False)
    done = [t for t in trials if t.state.name == "COMPLETE"]
    pruned = [t.number for t in trials if t.state.name == "PRUNED"]
    if not done:
        raise ValueError(f"study {study.study_name!r} has no completed trial to plot.")
    fig, (top, bottom) = _rows_figure(2, (7, 6))
    values = [t.value for t in done]
    top.scatter([t.number for t in done], values, s=14, label="trial")
    top.step([t.number for t in done], np.maximum.accumulate(values), where="post",
             color="C1", label="best so far")
    if pruned:
        top.scatter(pruned, [min(values)] * len(pruned), marker="x", color="C3",
                    label="pruned")
    top.set(xlabel="trial", ylabel="mean CV score", title=study.study_name)
    top.legend()
    for t in trials:
        if t.intermediate_values:
            steps, vals = zip(*sorted(t.intermediate_values.items()))
            bottom.plot(steps, vals, color="C3" if t.number in pruned else "C0", lw=1,
                        alpha=0.6)
    bottom.set(xlabel="epoch (first fold)", ylabel="reported -loss")
    return str(save_figure(fig, path))


def plot_study_importances(study, path) -> str:
    """Save the fANOVA importances of a study's parameters (seeded) as a bar chart."""
    try:
        import optuna
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("tuning needs optuna: pip install tsrnn[tune]") from exc
    evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)
    importances = optuna.importance.get_param_importances(study, evaluator=evaluator)
    names = list(importances)[::-1]
    fig, ax = _rows_figure(1, (6, 1 + 0.4 * len(names)))
    ax.barh(names, [importances[n] for n in names])
    ax.set(xlabel="importance (fANOVA, share of the score's variance)")
    return str(save_figure(fig, path))
