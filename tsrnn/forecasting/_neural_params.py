"""The neural forecasters' own defaults (where they differ from the window estimators')
and their generated documentation; used by :mod:`tsrnn.forecasting.neural`."""

from __future__ import annotations

from .._neural import NEURAL_PARAMS_DOC

_FORECASTER_PARAMS = """
    Parameters
    ----------
    horizon : int, default=1
        Steps forecast by ``predict``; longer horizons continue recursively (with a warning).
    window : int or None, default=None
        Past steps the model reads. None: ``max(2 * horizon, 8)`` rounded up to whole
        seasons, at least three main seasons and up to a week of sub-daily data, and with
        ``seasonal="auto"`` two of that week (336 hourly) for the seasonal base, all
        shortened to fit the shortest series (``auto_window``; resolved into ``window_``;
        the network itself reads the last week, ``network_window_``). A window covering
        the season matters: on M4 Weekly, 52 instead of 26 took the OWA from 0.92 to 0.76.
    strategy : {"direct", "recursive", "seq2seq"}, default="direct"
        ``direct``: all ``horizon`` steps from one multi-output head; ``recursive``: one
        step, fed back; ``seq2seq``: an encoder-decoder unrolled over the horizon.
    attention : bool, default=False
        ``strategy="seq2seq"`` only: each decoder step attends over the encoder states
        (Luong). M4 Hourly OWA 0.576 -> 0.531 over plain seq2seq, behind direct (0.516).
    scaler : {"window", "standard", "robust", "none"}, default="window"
        Per-series scaling of the targets, inverted on output (``window``: each input
        window by its own mean and std, so one model serves series of any level).
    season_length : int or "auto", default="auto"
        Main season in steps; "auto" reads it from the frequency (24 hourly, 7 daily, 52
        weekly, 12 monthly; ``tsrnn.forecasting.season_lengths``). Resolved into
        ``season_length_`` (and every season of the frequency into ``season_lengths_``).
    seasonal : "auto" or None, default="auto"
        "auto": a base the network forecasts the residual over (``base_``). The level base
        (``tsrnn.nn.LevelResidual``, each window's Theta forecast, left padding masked)
        where the frequency has one season of at most 12 steps or none (monthly,
        quarterly, yearly, business-daily and integer data; see the neural defaults
        guide). Otherwise, when the window holds three main seasons, the network reads
        each window deseasonalised and forecasts the residual over seasonal naive (over
        naive where a window shows no season; ``tsrnn.nn.SeasonalResidual``): M4 Hourly OWA 0.681 ->
        0.581. Where the window holds two weeks of sub-daily data, each window repeats
        the day or the week, whichever its own differences favour (M4 Hourly 0.501 ->
        0.440, GRU seed 0). None: a plain network. Resolved into ``seasonal_``.
    log_scale : "auto" or bool, default="auto"
        Model ``log(y)``: "auto" when every training target is positive (M4 Hourly OWA
        0.581 -> 0.543: errors relative to the level are what sMAPE counts). Resolved
        into ``log_``; a later non-positive history is then an error naming the series.
    n_models : int, default=1
        Train this many networks from different seeds and forecast their median (M4
        Hourly OWA 0.481 with 3 against 0.483-0.503 for single seeds, at three times the
        fit time).
    max_windows_per_series : int, "auto" or None, default="auto"
        Train on only the most recent windows of each series (all when None); "auto": all
        of them up to about 512,000 windows an epoch over the panel (at least 16 a series),
        which bounds an epoch on very large panels. Older windows are worth their cost:
        capping M4 at ~40,000 an epoch (8 epochs) cost 0.03 OWA hourly, 0.1 weekly.
    future_covariates : list of str or None, default=None
        Covariate columns whose future values are known (calendar, planned prices): they
        must be given in ``X`` for the forecast period. Other covariates are past-only.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); default every column of a time-indexed frame (the others are
        covariates only when ``target`` is given), ``"y"`` in long format.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.
    quantiles : tuple of float or None, default=None
        Quantile levels in (0, 1) trained with ``loss="pinball"`` (must include 0.5, the
        point forecast); None: (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95). Resolved into
        ``quantiles_``; ``predict_interval(coverage=c)`` uses the levels (1 - c) / 2 and
        (1 + c) / 2 when trained, else conformal intervals.
    interval_calibration : {"pooled", "series"}, default="pooled"
        Conformal intervals: one error quantile per step pooled over all series, or scaled
        per series by its own calibration errors (wider for noisy series, pooled for series
        new at predict; applied at ``predict_interval``). Pooled by default: calibrated
        in-sample (the default), "series" covered less (M4 Hourly 81% against 85%, Weekly
        85% against 91%); held out (``validation_fraction="auto"``) it kept the Hourly
        coverage (90.6% against 91.4%) with a 25% lower scaled pinball loss.
    module : torch.nn.Module class or instance, or None, default=None
        Bring your own network (skorch's ``module``): it reads windows ``(batch, window,
        n_features)`` (and ``extra``, the known future covariates flattened, when there
        are any) and returns ``(batch, horizon * n_targets)``. A class is called with
        the sizes its signature names among ``n_features``, ``n_outputs``, ``window``,
        ``horizon``, ``n_targets``, ``n_extra``, and ``module_params``; an instance is
        copied at every fit. Everything else (windows, scaling, the seasonal or level
        base around it, training, intervals, backtests, pickling) is as for the built-in
        network. None: the class's recurrent network (``NeuralForecaster``: a GRU).
    module_params : dict or None, default=None
        Keyword arguments of ``module`` when it is a class."""


# The forecasters' own defaults where they differ from the window estimators' (the M4
# recipe, measured in benchmarks/README.md), with the one line of why shown in the docs.
FORECASTER_DEFAULTS = {
    "loss": ("mae", '{"mse", "mae", "huber", "pinball"}',
             "Training loss. MAE is the closest to the M4 metrics (sMAPE, MASE).\n        "
             '"pinball": quantile forecasts of ``quantiles`` from one head '
             "(``predict_quantiles``);\n        ``predict`` is then the median."),
    "lr": (3e-3, "float", "Learning rate (with batches of 256, the M4 recipe)."),
    "batch_size": (256, "int", "Windows per optimizer step."),
    "max_epochs": ("auto", 'int or "auto"',
                   'Passes over the training windows; "auto": about five, within 200 to '
                   "1,000 optimizer\n        steps and 2 to 100 passes (``auto_epochs``: "
                   "2-3 on the M4 panels, where one pass\n        on M4 Weekly scored OWA "
                   "0.77 and two 0.72; 5 on 20 weekly finance series, where 24\n        "
                   "overfit them). Resolved into ``max_epochs_``."),
    "validation_fraction": (0.0, 'float or "auto"',
                            "Last part of every series (in time order) held out to monitor "
                            'the validation loss,\n        fit the weight of the residual '
                            'over the base and calibrate intervals; "auto" holds\n        '
                            "out the last ``horizon`` steps. 0 by default: the model trains "
                            "on the newest data\n        (M4 Hourly OWA 0.581 against 0.612 "
                            "with the last horizon held out); on up to\n        60,000 "
                            "training windows a first network trained without the end of "
                            "every series\n        fits that weight (``residual_gain_``) "
                            "and the intervals, then the model is trained\n        on "
                            "everything; larger panels calibrate in-sample."),
    "patience": (None, 'int, "auto" or None',
                 "Early stopping: stop after this many epochs without improvement of the "
                 'validation\n        loss and restore the best weights; "auto": 3 when '
                 "there is held-out data. Off by\n        default: with a fixed budget of "
                 "about 1,000 steps it did not help on M4 Hourly."),
}


def _override_doc(doc: str) -> str:
    lines = doc.split("\n")
    for name, (default, kind, text) in FORECASTER_DEFAULTS.items():
        i = next(k for k, line in enumerate(lines) if line.startswith(f"    {name} : "))
        j = i + 1
        while j < len(lines) and lines[j].startswith("        "):
            j += 1
        head = f"    {name} : {kind}, default={default!r}".replace("'", '"')
        lines[i:j] = [head, f"        {text}"]
    return "\n".join(lines)


_NEURAL_DOC = _override_doc(NEURAL_PARAMS_DOC)


def _forecaster_doc(name: str, cell: str) -> str:
    return f"""Global {cell} forecaster of one or many time series.

    ``fit(X)`` takes a Series or DataFrame with a DatetimeIndex, PeriodIndex or integer
    index, a long-format DataFrame (``unique_id``, ``ds``, ``y``) or an (id, time)
    MultiIndex frame; ``fit(X, y)`` takes covariates ``X`` and target ``y``. One network
    learns from every window of every series. ``predict()`` returns the next ``horizon``
    values at the right timestamps, in the input's layout; ``predict_interval()`` gives
    conformal intervals calibrated on the held-out (last, time-ordered) windows, or the
    trained quantiles of a ``loss="pinball"`` model (``predict_quantiles()``); ``score``
    is the negative MASE of rolling-origin forecasts.
{_FORECASTER_PARAMS}
{_NEURAL_DOC}
    Attributes
    ----------
    module_ : torch.nn.Module
    history_ : list of dict
        Per-epoch ``train_loss``, ``valid_loss``, ``lr``, ``time``.
    freq_, window_, horizon_, targets_, covariates_, device_, precision_
        Resolved settings.
    network_window_ : int
        Past steps the network reads (the last of ``window_``; shorter than ``window_``
        when the seasonal base reads two weeks of sub-daily data).
    quantiles_ : tuple of float or None
        The trained quantile levels (sorted) with ``loss="pinball"``, else None.

    Examples
    --------
    >>> from tsrnn.datasets import make_sine
    >>> y = make_sine(n=120, period=12)
    >>> model = {name}(horizon=6, window=24, hidden_size=8, max_epochs=2, random_state=0)
    >>> model.fit(y).predict().shape
    (6,)
    """
