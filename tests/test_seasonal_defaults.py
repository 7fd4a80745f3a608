"""Season-aware defaults of the neural forecasters: the seasonal residual network, the
window and season resolved from the frequency, seed ensembles.

Tiny models on one thread; accuracy targets on real data live in benchmarks/.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tsrnn.datasets import make_seasonal_series
from tsrnn.forecasting import GRUForecaster, LSTMForecaster, SeasonalNaiveForecaster
from tsrnn.forecasting.neural import auto_window
from tsrnn.nn import MedianEnsemble, RecurrentNet, SeasonalResidual, seasonal_gate

TINY = dict(hidden_size=8, batch_size=32, lr=0.01, max_epochs=3, random_state=0)


@settings(max_examples=25, deadline=None)
@given(period=st.integers(3, 24), amp=st.floats(0.5, 100), seed=st.integers(0, 10**6))
def test_the_gate_finds_a_season_and_ignores_noise(period, amp, seed):
    rng = np.random.default_rng(seed)
    n = 6 * period + 10
    t = np.arange(n)
    seasonal = amp * np.sin(2 * np.pi * t / period) + 0.05 * amp * rng.standard_normal(n)
    noise = amp * rng.standard_normal(n)
    x = torch.tensor(np.stack([seasonal, noise], axis=1), dtype=torch.float32)[None]
    gate = seasonal_gate(x, period)[0, 0].tolist()
    assert gate[0] == 1.0
    # white noise tests seasonal about 5% of the time (a one-sided 90% limit)
    if seed % 4 == 0:
        gates = [seasonal_gate(torch.tensor(rng.standard_normal((1, n, 1)),
                                            dtype=torch.float32), period).item()
                 for _ in range(40)]
        assert np.mean(gates) < 0.25


def test_the_seasonal_residual_net_starts_from_seasonal_naive():
    """With its zero-initialised head, the wrapper forecasts the last season continued."""
    rng = np.random.default_rng(0)
    m, h = 6, 9
    x = np.tile(rng.standard_normal(m), 5) + 0.01 * rng.standard_normal(5 * m)
    net = SeasonalResidual(RecurrentNet(1, h, cell="gru", hidden_size=4), m, h, 1)
    out = net(torch.tensor(x, dtype=torch.float32)[None, :, None])[0].detach().numpy()
    np.testing.assert_allclose(out, x[-m:][np.arange(h) % m], rtol=1e-5, atol=1e-5)
    flat = SeasonalResidual(RecurrentNet(1, h, cell="gru", hidden_size=4), m, h, 1)
    constant = torch.full((1, 30, 1), 1.5)
    assert (flat(constant) - 1.5).abs().max().item() < 1e-6  # no season: the last value


@pytest.mark.parametrize("horizon,seasons,lengths,expected", [
    (48, [24, 168], [800], 336),    # hourly: two weeks (the base chooses day or week)
    (48, [24, 168], [380], 168),    # hourly, too short for two weeks: one week
    (48, [48, 336], [5000], 672),   # half-hourly: two weeks
    (13, [52], [80], 52),           # weekly M4: a year
    (14, [7, 365], [2000], 28),     # daily: four weeks (a year would be too long to read)
    (18, [12], [300], 36),          # monthly: three years
    (6, [1], None, 12),             # no season: 2 * horizon
    (48, [24, 168], [130], 82),     # short series: shortened so that one window fits
])
def test_the_default_window_follows_the_season(horizon, seasons, lengths, expected):
    assert auto_window(horizon, seasons, lengths) == expected


def test_without_the_longer_season_the_window_is_a_week():
    assert auto_window(48, [24, 168], [800], longer=False) == 168


# the week modulates the day so much that the day does not test seasonal on the 24 steps
# the network reads (lag-4 autocorrelation 0.49, limit 0.54): the last value, as documented
@example(day=[1.0, 0.0, 2.0, 0.0], week=[1.0, 0.0, 1.0], level=0.0, noise=0.0, seed=0)
@example(day=[3.0, 0.0, -3.0, 1.0], week=[1.0, 0.0, 0.5], level=10.0, noise=0.0, seed=0)
@settings(max_examples=30, deadline=None)
@given(day=st.lists(st.floats(-5, 5), min_size=4, max_size=4),
       week=st.lists(st.floats(-5, 5), min_size=3, max_size=3),
       level=st.floats(-100, 100), noise=st.floats(0, 0.01), seed=st.integers(0, 10**6))
def test_the_base_continues_the_season_that_fits_the_window(day, week, level, noise, seed):
    """Zero head: a window with a day-of-week pattern (days of 4 steps, weeks of 3 days)
    continues its last week; one with a daily pattern only continues its last day (the
    network reads the last two weeks either way). Both need the day, the main season, to
    test seasonal on the part the network reads (``seasonal_gate``, M4's test); a window
    where it does not (a week that blurs the day) continues its last value."""
    rng = np.random.default_rng(seed)
    m, w, h = 4, 12, 8
    daily = np.tile(day, 18)  # 6 weeks of 3 days of 4 steps
    weekly = daily + np.repeat(np.tile(week, 6), m)
    if np.ptp(week) < 0.2 or abs(day[2] - day[0]) + abs(day[3] - day[1]) < 0.5:
        return  # no week to tell apart, or a day that repeats every half day (no season)
    for x, season in ((weekly, w), (daily, m)):
        x = level + x + noise * rng.standard_normal(len(x))
        net = SeasonalResidual(RecurrentNet(1, h, cell="gru", hidden_size=4), m, h, 1,
                               seasons=(w,), net_window=2 * w)
        window = torch.tensor(x, dtype=torch.float32)[None, :, None]
        out = net(window)[0].detach().numpy()
        if not seasonal_gate(window[:, -2 * w:], m).item():
            season = 1  # the main season does not test seasonal: no seasonal base
        expected = x[-season:][np.arange(h) % season]
        np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-3 + 10 * noise)


def test_defaults_resolve_the_season_from_the_frequency():
    y = make_seasonal_series(n=24 * 14, freq="h", seasonalities=(24,), noise=0.1,
                             random_state=0)
    model = GRUForecaster(horizon=12, **TINY).fit(y)
    assert (model.season_length_, model.window_, model.seasonal_) == (24, 168, True)
    assert isinstance(model.module_, SeasonalResidual)
    weekly = pd.Series(np.arange(120.0), index=pd.date_range("2020-01-05", periods=120,
                                                             freq="W-SUN"))
    model = GRUForecaster(horizon=4, **TINY).fit(weekly)
    assert (model.season_length_, model.window_, model.seasonal_) == (52, 52, False)
    model = GRUForecaster(horizon=12, season_length=1, **TINY).fit(y)
    assert (model.season_length_, model.seasonal_) == (1, False)


@pytest.mark.slow
def test_default_gru_beats_seasonal_naive_on_a_noisy_seasonal_series():
    """Seasonal naive repeats last season's noise; the residual network learns to smooth it."""
    y = make_seasonal_series(n=24 * 30, freq="h", seasonalities=(24,), noise=0.4,
                             random_state=3)
    train, test = y.iloc[:-48], y.iloc[-48:]
    model = GRUForecaster(horizon=24, hidden_size=16, random_state=0)  # else defaults
    snaive = SeasonalNaiveForecaster(horizon=24, season_length=24).fit(train).score(test)
    assert model.fit(train).score(test) > snaive  # scores are -MASE: greater is better


def test_a_seed_ensemble_is_the_median_of_its_members_and_pickles():
    y = make_seasonal_series(n=24 * 10, freq="h", seasonalities=(24,), random_state=1)
    model = LSTMForecaster(horizon=6, n_models=3, **TINY).fit(y)
    assert isinstance(model.module_, MedianEnsemble) and len(model.module_.members) == 3
    assert len(model.n_epochs_) == 3
    again = pickle.loads(pickle.dumps(model))
    pd.testing.assert_series_equal(again.predict(), model.predict())
    members = [m(torch.zeros(2, model.window_, 1)) for m in model.module_.members]
    np.testing.assert_allclose(model.module_(torch.zeros(2, model.window_, 1)).detach(),
                               torch.stack(members).median(dim=0).values.detach())
    with pytest.raises(ValueError, match="warm_start"):
        LSTMForecaster(horizon=6, n_models=2, warm_start=True, **TINY).fit(y)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6), period=st.integers(4, 24))
def test_trends_and_random_walks_are_not_seasonal_but_seasons_are(seed, period):
    """The autocorrelation test alone calls any trending window seasonal; the naive check
    keeps the seasonal base for windows whose season beats their last value."""
    rng = np.random.default_rng(seed)
    n = 7 * period
    walk = np.cumsum(rng.standard_normal(n))
    season = np.sin(2 * np.pi * np.arange(n) / period) + 0.1 * rng.standard_normal(n)
    x = torch.tensor(np.stack([walk, season], axis=1), dtype=torch.float32)[None]
    net = SeasonalResidual(RecurrentNet(2, 2 * period, cell="gru", hidden_size=4), period,
                           period, 2)
    out = net(x)[0].detach().numpy().reshape(period, 2)
    np.testing.assert_allclose(out[:, 0], walk[-1], rtol=1e-5)  # naive
    np.testing.assert_allclose(out[:, 1], season[-period:], rtol=1e-4, atol=1e-5)  # sNaive


def test_a_log_scale_model_names_the_series_whose_window_is_not_positive():
    y = make_seasonal_series(n=24 * 10, freq="h", seasonalities=(24,), random_state=1)
    model = GRUForecaster(horizon=6, **TINY).fit(y)
    assert model.log_
    history = y.copy()
    history.iloc[0] = -1.0  # outside the window the model reads: no harm
    np.testing.assert_allclose(model.predict(history), model.predict(y))
    history.iloc[-3] = 0.0
    with pytest.raises(ValueError, match="log scale.*the series has the value 0.0; refit "
                                         "with log_scale=False"):
        model.predict(history)
    standard = GRUForecaster(horizon=6, scaler="standard", **TINY).fit(y)
    with pytest.raises(ValueError, match="log_scale=False"):
        standard.predict(y.where(y.index != y.index[0], -1.0))  # its statistics read it all


@settings(max_examples=30, deadline=None)
@given(n_series=st.integers(1, 40), length=st.integers(30, 400),
       budget=st.sampled_from([200, 5_000, 10**6]))
def test_the_auto_budget_trains_on_the_oldest_windows_too(n_series, length, budget):
    """max_windows_per_series="auto" keeps every window of a panel up to the epoch bound
    (older windows were worth 0.03-0.1 OWA on M4), else the newest ones, at least 16 a
    series; every kept window lies inside its own series."""
    import tsrnn.forecasting.neural as neural

    old, neural.AUTO_WINDOWS = neural.AUTO_WINDOWS, budget
    try:
        model = GRUForecaster(horizon=5, window=10)
        model.horizon_, model.window_ = 5, 10
        lengths = np.full(n_series, length)
        train, valid = model._split_starts(lengths)
    finally:
        neural.AUTO_WINDOWS = old
    per_series = length - 10 - 5 + 1
    cap = max(16, -(-budget // n_series))
    assert len(train) == n_series * min(per_series, cap) and not len(valid)
    series = train // length
    assert np.all(train - series * length + 15 <= length)  # inside its series
    newest = [train[series == s].max() - s * length for s in range(n_series)]
    assert newest == [per_series - 1] * n_series  # the newest window is always kept


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 10**7), batch=st.integers(1, 4096))
def test_the_auto_epochs_are_a_few_passes_within_the_step_bounds(n, batch):
    from tsrnn.forecasting.neural import AUTO_MIN_STEPS, AUTO_PASSES, AUTO_STEPS, auto_epochs

    epochs, per_epoch = auto_epochs(n, batch), -(-n // batch)
    assert 2 <= epochs <= 100
    if 2 < epochs < 100:  # not at a bound on passes: within the step bounds
        assert AUTO_MIN_STEPS <= epochs * per_epoch < max(AUTO_MIN_STEPS, AUTO_STEPS) + per_epoch
    assert epochs <= AUTO_PASSES or epochs * per_epoch < AUTO_MIN_STEPS + per_epoch
    assert auto_epochs(2 * n, batch) <= epochs  # more windows, never more passes


def test_the_auto_epochs_follow_the_step_budget_down_to_two_epochs(monkeypatch):
    import tsrnn.forecasting.neural as neural

    walks = np.random.default_rng(0).standard_normal((6, 120)).cumsum(1)
    panel = pd.DataFrame({"unique_id": np.repeat(np.arange(6), 120),
                          "ds": np.tile(pd.date_range("2020", periods=120, freq="D"), 6),
                          "y": walks.ravel()})  # six series
    kw = dict(horizon=3, window=12, hidden_size=4, batch_size=32, random_state=0)
    steps = -(-6 * (120 - 15 + 1) // 32)  # 20 optimizer steps an epoch
    assert GRUForecaster(**kw).fit(panel).max_epochs_ == 10 == -(-200 // steps)  # 200 steps
    monkeypatch.setattr(neural, "AUTO_MIN_STEPS", 50)
    assert GRUForecaster(**kw).fit(panel).max_epochs_ == 5  # five passes
    monkeypatch.setattr(neural, "AUTO_STEPS", 50)
    assert GRUForecaster(**kw).fit(panel).max_epochs_ == 3 == -(-50 // steps)
    monkeypatch.setattr(neural, "AUTO_STEPS", 5)
    model = GRUForecaster(**kw).fit(panel)
    assert model.max_epochs_ == 2 and len(model.history_) == 2  # every window twice, no 8



@settings(max_examples=30, deadline=None)
@given(scale=st.floats(0.01, 1000), shift=st.floats(-1000, 1000), seed=st.integers(0, 10**6),
       net_window=st.sampled_from([None, 24]))
def test_the_seasonal_base_is_equivariant_to_affine_changes_of_the_window(scale, shift, seed,
                                                                          net_window):
    """Zero head: the base forecast of ``a * x + b`` is ``a`` times that of ``x``, plus
    ``b`` (the tests, the choice of season and the profiles ignore the units)."""
    rng = np.random.default_rng(seed)
    t = np.arange(48)
    x = np.sin(2 * np.pi * t / 4) + 0.5 * np.repeat(rng.standard_normal(4), 12) + \
        0.3 * rng.standard_normal(48)
    net = SeasonalResidual(RecurrentNet(1, 8, cell="gru", hidden_size=4), 4, 8, 1,
                           seasons=(12,), net_window=net_window)

    def base(values):
        return net(torch.tensor(values, dtype=torch.float64)[None, :, None].float())[0]

    with torch.no_grad():
        expected = scale * base(x).double().numpy() + shift
        got = base(scale * x + shift).double().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-3 * (scale + abs(shift)))
