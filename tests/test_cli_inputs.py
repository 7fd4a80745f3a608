"""The command line on real data as it comes: user errors (exit 2, one line, no
traceback), internal errors (exit 1, one line, --debug), integer time columns, --freq,
--fill and covariates."""

import re

import numpy as np
import pandas as pd
import pytest

from tsrnn import cli
from tsrnn.cli import main


@pytest.fixture(scope="module")
def daily_csv(tmp_path_factory):
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    y = 10 + np.sin(2 * np.pi * np.arange(70) / 7)
    path = tmp_path_factory.mktemp("data") / "daily.csv"
    pd.DataFrame({"ds": days, "y": y}).to_csv(path, index=False)
    return str(path)


def _write(tmp_path, name, frame):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


USER_ERRORS = [
    (["forecast", "{d}", "--target", "y", "--horizon", "2", "--device", "cdua"],
     r"argument --device: 'cdua' is not a device"),
    (["forecast", "{d}", "--target", "y", "--horizon", "2", "--coverage", "1.5"],
     r"coverage must be a number strictly between 0 and 1"),
    (["forecast", "{d}", "--target", "y", "--horizon", "2", "--freq", "fortnightly"],
     r"'fortnightly' is not a pandas frequency"),
    (["forecast", "{d}", "--target", "y", "--horizon", "2", "--fill", "mean"],
     r"argument --fill: invalid choice: 'mean'"),
    (["forecast", "{d}", "--target", "y", "--horizon", "2", "--epochs", "0"],
     r"epochs must be an integer >= 1, got 0"),
    (["forecast", "{d}", "--target", "y", "--horizon", "2", "--hidden-size", "-3"],
     r"hidden size must be an integer >= 1"),
    (["forecast", "{d}", "--target", "y", "--horizon", "2", "--covariates", "temp"],
     r"column\(s\) \['temp'\] not found"),
    (["compare", "{d}", "--target", "y", "--horizon", "2", "--folds", "0"],
     r"folds must be an integer >= 1"),
    (["compare", "{d}", "--target", "y", "--horizon", "2", "--coverage", "90"],
     r"coverage must be a number strictly between 0 and 1"),
    (["tune", "{d}", "--target", "y", "--horizon", "2", "--storage", "study.db"],
     r"'study.db' is not a database URL"),
    (["tune", "{d}", "--target", "y", "--horizon", "2", "--storage", "nosuchdb://x/y"],
     r"cannot use --storage 'nosuchdb://x/y': Can't load plugin"),
    (["tune", "{d}", "--target", "y", "--horizon", "2", "--storage",
      "sqlite:////no/such/folder/s.db"], r"the folder '/no/such/folder' .* does not exist"),
    (["forecast", "{d}", "--target", "y", "--horizon", "2", "--model", "arima",
      "--future-covariates", "ds"], r"."),  # the time column is no covariate
    (["tune", "{d}", "--target", "y", "--horizon", "2", "--trials", "1", "--storage",
      "postgresql://nobody@127.0.0.1:1/x"], r"cannot use --storage 'postgresql://"),
]


@pytest.mark.parametrize("argv, message", USER_ERRORS, ids=lambda v: " ".join(v)[:60]
                         if isinstance(v, list) else None)
def test_user_errors_exit_2_with_one_line(argv, message, daily_csv, tmp_path, capsys):
    argv = [a.replace("{d}", daily_csv) for a in argv]
    assert main(["--quiet", *argv, "--out", str(tmp_path / "o.csv")]
                if argv[0] != "tune" else ["--quiet", *argv]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tsrnn: error: "), err
    assert "Traceback" not in err
    assert re.search(message, lines[0]), lines[0]


def test_internal_error_is_one_line_with_a_debug_hint(daily_csv, tmp_path, monkeypatch,
                                                      capsys):
    def broken(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(cli, "_forecast_table", broken)
    argv = ["--quiet", "forecast", daily_csv, "--target", "y", "--horizon", "2", "--model",
            "naive", "--out", str(tmp_path / "o.csv"), "--no-plot"]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "internal error (KeyError" in err[0] and "--debug" in err[0]
    with pytest.raises(KeyError):
        main(["--debug", *argv])


def test_integer_time_column_is_kept_in_the_forecast_and_plot(tmp_path):
    years = pd.DataFrame({"year": np.arange(1990, 2021), "sales": np.arange(31.0) * 2 + 5})
    out = tmp_path / "fc.csv"
    assert main(["--quiet", "forecast", _write(tmp_path, "years.csv", years), "--target",
                 "sales", "--horizon", "3", "--model", "drift", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert table["year"].tolist() == [2021, 2022, 2023]
    assert (tmp_path / "fc.png").stat().st_size > 1000


def test_fill_regularises_gaps_and_freq_is_used(tmp_path):
    days = pd.bdate_range("2024-01-01", periods=40)
    frame = pd.DataFrame({"ds": days, "y": np.arange(40.0)}).drop(index=[10, 11])
    path = _write(tmp_path, "gaps.csv", frame)
    out = tmp_path / "fc.csv"
    argv = ["--quiet", "forecast", path, "--target", "y", "--horizon", "2", "--model",
            "naive", "--out", str(out), "--no-plot", "--freq", "B"]
    assert main(argv) == 2  # strict by default: the gap is an error
    assert main([*argv, "--fill", "interpolate"]) == 0
    assert pd.read_csv(out, parse_dates=["ds"])["ds"].dt.day_of_week.max() < 5  # weekdays


def test_future_covariates_from_the_rows_after_the_target(tmp_path):
    hours = pd.date_range("2024-01-01", periods=24 * 10, freq="h")
    rng = np.random.default_rng(0)
    x = rng.normal(size=len(hours))
    y = 5 + 2 * x + 0.05 * rng.normal(size=len(hours))
    frame = pd.DataFrame({"ds": hours, "y": y, "x": x})
    frame.loc[frame.index[-6:], "y"] = np.nan  # the forecast period: x known, y not
    out = tmp_path / "fc.csv"
    assert main(["--quiet", "forecast", _write(tmp_path, "cov.csv", frame), "--target", "y",
                 "--horizon", "6", "--model", "arima", "--future-covariates", "x",
                 "--season-length", "1", "--out", str(out), "--no-plot"]) == 0
    table = pd.read_csv(out, parse_dates=["ds"])
    assert table["ds"].tolist() == list(hours[-6:])
    np.testing.assert_allclose(table["y"], 5 + 2 * x[-6:], atol=0.3)


def test_compare_auto_models_for_sub_daily_data(tmp_path, capsys):
    halfhours = pd.date_range("2024-01-01", periods=48 * 14, freq="30min")
    load = 10 + np.sin(2 * np.pi * np.arange(len(halfhours)) / 48)
    path = _write(tmp_path, "load.csv", pd.DataFrame({"ds": halfhours, "load": load}))
    assert main(["compare", path, "--target", "load", "--horizon", "48", "--models", "auto",
                 "--folds", "1", "--coverage", "0.8"]) == 0
    out = capsys.readouterr().out
    assert "season length 48" in out
    for name in ("naive", "snaive", "theta", "mstl", "msis"):
        assert name in out


def test_ids_keep_their_leading_zeros_and_mid_month_dates_work(tmp_path):
    months = pd.DatetimeIndex([f"{y}-{m:02d}-15" for y in (2021, 2022) for m in range(1, 13)])
    frame = pd.DataFrame({"store": np.repeat(["001", "010"], 24), "ds": np.tile(months, 2),
                          "y": np.arange(48.0)})
    out = tmp_path / "fc.csv"
    assert main(["--quiet", "forecast", _write(tmp_path, "stores.csv", frame), "--target",
                 "y", "--id-col", "store", "--horizon", "2", "--model", "snaive",
                 "--no-plot", "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype={"store": str}, parse_dates=["ds"])
    assert table["store"].tolist() == ["001", "001", "010", "010"]
    assert table["ds"].dt.strftime("%Y-%m-%d").tolist()[:2] == ["2023-01-15", "2023-02-15"]


def test_tune_refuses_a_study_of_other_data_unless_forced(daily_csv, tmp_path, capsys,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)  # tune writes best.json in the working folder
    other = pd.read_csv(daily_csv).assign(y=lambda f: f["y"] * 2)
    url = f"sqlite:///{tmp_path / 'study.db'}"
    argv = ["--quiet", "tune", "--target", "y", "--horizon", "2", "--trials", "1",
            "--epochs", "1", "--window", "7", "--hidden-size", "4", "--storage", url]
    assert main([*argv[:2], daily_csv, *argv[2:]]) == 0
    capsys.readouterr()
    other_csv = _write(tmp_path, "other.csv", other)
    assert main([*argv[:2], other_csv, *argv[2:]]) == 2
    err = capsys.readouterr().err
    assert "other data" in err and "--study NAME" in err and "--force-resume" in err
    assert main([*argv[:2], other_csv, *argv[2:], "--force-resume"]) == 0
    assert "trials: {'COMPLETE': 2}" in capsys.readouterr().out
    assert main([*argv[:2], other_csv, *argv[2:]]) == 0  # now the study's own data
    assert main(["--quiet", "tune", daily_csv, "--target", "y", "--horizon", "2",
                 "--force-resume"]) == 2
    assert "give --storage" in capsys.readouterr().err


def test_tune_on_a_storage_that_is_a_folder_names_it(daily_csv, tmp_path, capsys,
                                                    monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "db").mkdir()
    assert main(["--quiet", "tune", daily_csv, "--target", "y", "--horizon", "2",
                 "--trials", "1", "--storage", f"sqlite:///{tmp_path / 'db'}"]) == 2
    err = capsys.readouterr().err
    assert re.search(r"cannot use --storage 'sqlite:///.*db'.*\(it is a folder\)", err), err
