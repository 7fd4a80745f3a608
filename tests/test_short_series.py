"""Short series, the level base, the residual gain and the bring-your-own module hook."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tsrnn.forecasting import GRUForecaster, NeuralForecaster
from tsrnn.forecasting.neural import MIN_OBSERVED, level_window, tail_index
from tsrnn.nn import LevelResidual, RecurrentNet
from tsrnn.nn.level import ALPHAS, ses_weights, theta_base

TINY = dict(hidden_size=4, max_epochs=2, random_state=0)


def _panel(lengths, freq="MS", seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for i, n in enumerate(lengths):
        t = np.arange(n)
        y = 50 + 0.5 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, n)
        parts.append(pd.DataFrame({"unique_id": f"s{i}", "y": y,
                                   "ds": pd.date_range("2001-01-01", periods=n, freq=freq)}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("lengths", [[1, 40, 60], [3, 5, 9], [12, 13, 80]])
def test_every_series_of_a_panel_with_short_series_gets_a_forecast(lengths):
    data = _panel(lengths)
    model = GRUForecaster(horizon=4, **TINY).fit(data)
    pred = model.predict()
    assert pred.groupby("unique_id").size().to_dict() == {f"s{i}": 4
                                                          for i in range(len(lengths))}
    assert np.isfinite(pred["y"]).all()
    assert model.masked_
    bounds = model.predict_interval(coverage=0.8)
    assert (bounds["y_lower"] <= bounds["y_upper"]).all()


def test_an_explicit_window_longer_than_every_series_is_honoured():
    model = GRUForecaster(horizon=2, window=30, **TINY).fit(_panel([10, 12]))
    assert model.window_ == 30 and model.predict().shape == (4, 3)


def test_no_training_window_says_what_to_change():
    with pytest.raises(ValueError, match="no training window.*lower horizon"):
        GRUForecaster(horizon=5, **TINY).fit(_panel([3, 4]))


def test_tail_index_pads_on_the_left_with_the_first_observation():
    values = np.array([10.0, 11.0, 20.0, 21.0, 22.0, 23.0])  # series of 2 and 4 points
    src, observed = tail_index(np.array([0, 2]), np.array([2, 4]), 3)
    assert values[src].tolist() == [[10.0, 10.0, 11.0], [21.0, 22.0, 23.0]]
    assert observed.tolist() == [[False, True, True], [True, True, True]]


def test_padding_matches_a_hand_computation():
    model = GRUForecaster(horizon=1, window=4, **TINY)
    model.window_, model.masked_ = 4, True  # padding of window - MIN_OBSERVED steps
    values = np.array([[1.0], [2.0], [3.0], [7.0]])
    padded, lengths = model._pad(values, np.array([3, 1]))
    pad = 4 - MIN_OBSERVED
    assert lengths.tolist() == [3 + pad, 1 + pad]
    assert padded[:, 0].tolist() == [1.0] * pad + [1.0, 2.0, 3.0] + [7.0] * pad + [7.0]
    assert padded[:, 1].tolist() == [0.0] * pad + [1.0] * 3 + [0.0] * pad + [1.0]


def _numpy_theta(x, horizon):
    """Theta (SES on the ALPHAS grid from the first value, plus half the OLS slope)."""
    fits = []
    for a in ALPHAS:
        level, err = x[0], 0.0
        for v in x[1:]:
            err += abs(v - level)
            level = a * v + (1 - a) * level
        fits.append((err, a, level))
    fits.sort(key=lambda f: f[0])
    assume(len(fits) == 1 or fits[1][0] - fits[0][0] > 1e-4)  # one best smoothing constant
    _, a, level = fits[0]
    slope = np.polyfit(np.arange(len(x)), x, 1)[0] if len(x) > 1 else 0.0
    steps = np.arange(horizon)
    return level + 0.5 * slope * (steps + 1 / a - (1 - a) ** len(x) / a)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=20), st.integers(0, 10),
       st.integers(1, 4))
def test_the_level_base_reads_only_the_observed_steps(observed, pad, horizon):
    """Metamorphic: left padding under the mask leaves the Theta base unchanged, and the
    base equals a plain numpy Theta of the observed steps (no season)."""
    x = np.array(observed)
    window = len(x) + pad
    padded = np.r_[np.full(pad, x[0]) + 3.0, x]  # any values under the mask
    mask = np.r_[np.zeros(pad), np.ones(len(x))]
    to_t = lambda a: torch.tensor(a, dtype=torch.float64)[None, :, None]  # noqa: E731
    base, _ = theta_base(to_t(padded), to_t(mask), horizon, 1,
                         ses_weights(window).double(), torch.tensor(ALPHAS).double())
    np.testing.assert_allclose(base[0, :, 0].numpy(), _numpy_theta(x, horizon), atol=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 60), st.sampled_from([1, 4, 12]),
       st.lists(st.integers(1, 500), min_size=1, max_size=5))
def test_level_window_is_a_pure_function_within_its_bounds(horizon, season, lengths):
    window = level_window(horizon, season, lengths)
    assert window == level_window(horizon, season, list(reversed(lengths)))
    assert MIN_OBSERVED <= window <= max(7 * horizon, 3 * season, 8)
    assert window <= max(max(lengths) - horizon, MIN_OBSERVED)


def test_the_level_base_continues_a_seasonal_trend():
    t = np.arange(48.0)
    x = torch.tensor(0.1 * t + np.sin(2 * np.pi * t / 12))[None, :, None].float()
    net = LevelResidual(RecurrentNet(1, 12, cell="gru", hidden_size=4), 48, 12, 1, season=12)
    future = 0.1 * np.arange(48, 60) + np.sin(2 * np.pi * np.arange(48, 60) / 12)
    pred = net(x)[0].detach().numpy()
    # the season continued (Theta's trend is half the fitted slope: 0.05 a step here)
    np.testing.assert_allclose(np.diff(pred), np.diff(future) - 0.05, atol=0.05)


def test_the_residual_gain_is_fitted_and_zero_gives_the_base():
    data = _panel([30, 40, 50], seed=1)
    model = GRUForecaster(horizon=3, **TINY).fit(data)
    assert model.base_ == "level" and 0.0 <= model.residual_gain_ <= 1.0
    assert model.interval_calibration_ == "held-out"
    model._set_gain(0.0)
    zero = model.predict()["y"].to_numpy()
    model._set_gain(1.0)
    one = model.predict()["y"].to_numpy()
    assert not np.allclose(zero, one)


class MLP(torch.nn.Module):
    def __init__(self, n_features, n_outputs, window, hidden=8):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Flatten(),
                                        torch.nn.Linear(window * n_features, hidden),
                                        torch.nn.ReLU())
        self.head = torch.nn.Linear(hidden, n_outputs)

    def forward(self, x):
        return self.head(self.body(x))


class Conv(torch.nn.Module):
    def __init__(self, n_features, n_outputs):
        super().__init__()
        self.conv = torch.nn.Conv1d(n_features, 4, kernel_size=3, padding=1)
        self.head = torch.nn.Linear(4, n_outputs)

    def forward(self, x):  # (batch, window, features)
        return self.head(self.conv(x.transpose(1, 2)).mean(dim=2))


@pytest.mark.parametrize("module, params", [(MLP, {"hidden": 6}), (Conv, None),
                                            (Conv(2, 3), None)])
def test_a_user_module_is_trained_and_forecasts(module, params):
    data = _panel([40, 50])
    model = NeuralForecaster(horizon=3, module=module, module_params=params,
                             max_epochs=3, random_state=0).fit(data)
    assert isinstance(model.module_.net, (MLP, Conv))
    assert model.module_.net is not module  # an instance is copied, never trained in place
    pred = model.predict()
    assert pred.shape == (6, 3) and np.isfinite(pred["y"]).all()
    again = NeuralForecaster(horizon=3, module=module, module_params=params,
                             max_epochs=3, random_state=0).fit(data).predict()
    np.testing.assert_allclose(pred["y"], again["y"], rtol=1e-5)


def test_a_user_module_of_the_wrong_output_is_refused():
    class Wrong(torch.nn.Module):
        def __init__(self, n_features):
            super().__init__()
            self.lin = torch.nn.Linear(n_features, 5)

        def forward(self, x):
            return self.lin(x[:, -1])

    with pytest.raises(ValueError, match=r"must return \(batch, n_outputs=3\)"):
        NeuralForecaster(horizon=3, module=Wrong, max_epochs=1).fit(_panel([30]))
