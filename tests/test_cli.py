"""The ``tsrnn`` command line: outputs written, leaderboards, errors and exit codes."""

import re
import runpy
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

from tsrnn.cli import main

PNG_MAGIC = b"\x89PNG"


@pytest.fixture(scope="module")
def hourly_csv(tmp_path_factory):
    """Two weeks of an hourly series with a daily cycle (columns ds, y, label)."""
    hours = pd.date_range("2024-03-01", periods=14 * 24, freq="h")
    rng = np.random.default_rng(0)
    y = 10 + 3 * np.sin(2 * np.pi * np.arange(len(hours)) / 24) + rng.normal(0, 0.1, len(hours))
    path = tmp_path_factory.mktemp("data") / "hourly.csv"
    pd.DataFrame({"ds": hours, "y": y, "label": "a"}).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def panel_csv(tmp_path_factory):
    """Three weekly series in long format, 60 weeks each."""
    weeks = pd.date_range("2020-01-05", periods=60, freq="W-SUN")
    rng = np.random.default_rng(1)
    frame = pd.concat([pd.DataFrame({"store": name, "week": weeks,
                                     "sales": level + rng.normal(0, 1, 60).cumsum()})
                       for name, level in (("A", 50.0), ("B", 80.0), ("C", 20.0))])
    path = tmp_path_factory.mktemp("data") / "panel.csv"
    frame.to_csv(path, index=False)
    return path


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_forecast_writes_csv_and_plot(hourly_csv, tmp_path):
    out = tmp_path / "fc.csv"
    assert main(["--quiet", "forecast", str(hourly_csv), "--target", "y", "--horizon", "5",
                 "--model", "naive", "--out", str(out)]) == 0
    table = pd.read_csv(out, parse_dates=["ds"])
    history = pd.read_csv(hourly_csv, parse_dates=["ds"])
    assert list(table.columns) == ["ds", "y", "y_lower", "y_upper"]
    assert list(table["ds"]) == list(pd.date_range(history["ds"].iloc[-1], periods=6,
                                                   freq="h")[1:])
    np.testing.assert_allclose(table["y"], history["y"].iloc[-1])
    assert (table["y_lower"] < table["y"]).all() and (table["y"] < table["y_upper"]).all()
    assert (tmp_path / "fc.png").read_bytes()[:4] == PNG_MAGIC  # default: --out with .png


def test_forecast_infers_the_daily_season_of_hourly_data(hourly_csv, tmp_path):
    out = tmp_path / "snaive.csv"
    assert main(["--quiet", "forecast", str(hourly_csv), "--target", "y", "--horizon", "24",
                 "--model", "snaive", "--out", str(out), "--no-plot"]) == 0
    history = pd.read_csv(hourly_csv)
    np.testing.assert_allclose(pd.read_csv(out)["y"], history["y"].iloc[-24:])
    assert not (tmp_path / "snaive.png").exists()


def test_forecast_long_format_with_a_neural_model(panel_csv, tmp_path, capsys):
    out = tmp_path / "panel_fc.csv"
    assert main(["forecast", str(panel_csv), "--target", "sales", "--id-col", "store",
                 "--time-col", "week", "--horizon", "3", "--model", "gru", "--epochs", "1",
                 "--out", str(out), "--plot", str(tmp_path / "p.png")]) == 0
    table = pd.read_csv(out, parse_dates=["week"])
    assert list(table.columns) == ["store", "week", "sales", "sales_lower", "sales_upper"]
    assert table.groupby("store").size().to_dict() == {"A": 3, "B": 3, "C": 3}
    assert (table.groupby("store")["week"].min() == pd.Timestamp("2021-02-28")).all()
    assert (tmp_path / "p.png").read_bytes()[:4] == PNG_MAGIC
    assert f"wrote {out}" in capsys.readouterr().out


def test_compare_prints_and_writes_the_leaderboard(hourly_csv, tmp_path, capsys):
    board_path, plot = tmp_path / "board.csv", tmp_path / "cmp.png"
    assert main(["compare", str(hourly_csv), "--target", "y", "--horizon", "24", "--models",
                 "naive,snaive,drift", "--folds", "2", "--out", str(board_path),
                 "--plot", str(plot)]) == 0
    printed = capsys.readouterr().out
    board = pd.read_csv(board_path, index_col="model")
    assert board.index.tolist()[0] == "snaive"  # the daily cycle: seasonal naive wins
    assert set(board.index) == {"naive", "snaive", "drift"}
    assert board["mase"].is_monotonic_increasing
    assert board.loc["naive", "skill"] == pytest.approx(0.0)
    assert "season length 24" in printed and "snaive" in printed
    assert plot.read_bytes()[:4] == PNG_MAGIC


def test_tune_prints_best_params_and_resumes_a_stored_study(hourly_csv, tmp_path, capsys):
    pytest.importorskip("optuna")
    argv = ["--quiet", "tune", str(hourly_csv), "--target", "y", "--horizon", "6",
            "--trials", "1", "--epochs", "1", "--storage", f"sqlite:///{tmp_path / 's.db'}",
            "--out", str(tmp_path / "best.json")]
    assert main(argv) == 0
    assert "'COMPLETE': 1" in capsys.readouterr().out
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "'COMPLETE': 2" in printed and "study: 'tsrnn-gru-h6'" in printed
    assert "hidden_size = " in printed and "window = " in printed


BAD_INPUTS = [
    (lambda d, t: ["forecast", str(t / "nope.csv"), "--target", "y", "--horizon", "2"],
     r"no such file: .*nope\.csv"),
    (lambda d, t: ["forecast", d, "--target", "sales", "--horizon", "2"],
     r"column\(s\) \['sales'\] not found in hourly\.csv; its columns are \['ds', 'y'"),
    (lambda d, t: ["forecast", _write(t, "dates.csv", "ds,y\nmonday,1\ntuesday,2\n"),
                   "--target", "y", "--horizon", "1", "--model", "naive"],
     r"cannot parse the time column 'ds' as dates"),
    (lambda d, t: ["forecast", _write(t, "short.csv", "ds,y\n2024-01-01,1\n2024-01-02,2\n"
                                      "2024-01-03,3\n"), "--target", "y", "--horizon", "2",
                   "--model", "lstm"],
     r"no training window: the longest series has 3 observations"),
    (lambda d, t: ["forecast", d, "--target", "label", "--horizon", "2", "--model", "naive"],
     r"non-numeric column\(s\) \['label'\]"),
    (lambda d, t: ["forecast", _write(t, "gap.csv", "ds,y\n2024-01-01,1\n2024-01-02,2\n"
                                      "2024-01-04,3\n2024-01-05,4\n"), "--target", "y",
                   "--horizon", "1", "--model", "naive"], r"2024-01-03"),
    (lambda d, t: ["forecast", _write(t, "empty.csv", ""), "--target", "y", "--horizon", "1"],
     r"cannot read empty\.csv as CSV"),
    (lambda d, t: ["forecast", d, "--target", "y", "--horizon", "0", "--model", "naive"],
     r"horizon must be an integer >= 1, got 0"),
    (lambda d, t: ["compare", d, "--target", "y", "--horizon", "2", "--models", "naive,prophet"],
     r"unknown model\(s\) \['prophet'\]"),
    (lambda d, t: ["forecast", d, "--target", "y"],
     r"required: --horizon \(see 'tsrnn forecast --help'\)"),
    (lambda d, t: ["tune", d, "--target", "y", "--horizon", "2", "--model", "naive"],
     r"argument --model: invalid choice: 'naive'"),
    (lambda d, t: ["--threads", "-1", "demo", "--fast"], r"--threads must be 0 or more"),
]


@pytest.mark.parametrize("make_argv, message", BAD_INPUTS)
def test_bad_input_ends_with_one_error_line_and_status_2(make_argv, message, hourly_csv,
                                                         tmp_path, capsys):
    assert main(["--quiet", *make_argv(str(hourly_csv), tmp_path)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tsrnn: error: "), captured.err
    assert re.search(message, lines[0]), lines[0]
    assert captured.out == ""


def test_torch_threads_are_restored(hourly_csv, tmp_path):
    before = torch.get_num_threads()
    assert main(["--quiet", "--threads", "2", "forecast", str(hourly_csv), "--target", "y",
                 "--horizon", "2", "--model", "naive", "--out", str(tmp_path / "t.csv"),
                 "--no-plot"]) == 0
    assert torch.get_num_threads() == before


def test_python_m_tsrnn_runs_the_command_line(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["tsrnn", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("tsrnn", run_name="__main__")
    assert exit_info.value.code == 0
    printed = capsys.readouterr().out
    assert all(f"    {command} " in printed for command in ("demo", "forecast", "compare", "tune"))


@pytest.mark.slow
def test_demo_fast_in_a_subprocess(tmp_path):
    out = tmp_path / "demo"
    run = subprocess.run([sys.executable, "-m", "tsrnn.cli", "demo", "--fast", "--out",
                          str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    board = pd.read_csv(out / "leaderboard.csv", index_col="model")
    assert {"naive", "snaive", "lstm", "gru"} <= set(board.index)
    assert board["mase"].is_monotonic_increasing
    forecast = pd.read_csv(out / "forecast.csv", parse_dates=["date"])
    assert len(forecast) == 24 and forecast["date"].iloc[0] == pd.Timestamp("2018-06-26 20:00")
    assert forecast["OT"].notna().all()
    for name in ("backtest.png", "forecast.png"):
        assert (out / name).read_bytes()[:4] == PNG_MAGIC
    assert "mase" in run.stdout and f"best: {board.index[0]}" in run.stdout
    assert "Traceback" not in run.stderr
