"""Property tests of files and labels (issue 21, part A): every file tsrnn writes is written
atomically (a failure injected anywhere leaves the previous file or none), the command
line reads ids as strings and dates explicitly, metrics compare pandas inputs by label,
timestamps that are missing, duplicated or stamped mid-month are named (or understood),
and backtest takes what scikit-learn's ``cv`` takes."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tsrnn import _io, cli, metrics
from tsrnn._io import Outputs, atomic_path, atomic_write, atomic_write_text
from tsrnn.cli import main
from tsrnn.forecasting import NaiveForecaster
from tsrnn.model_selection import ExpandingWindowSplit, backtest
from tsrnn.preprocessing import regularize

PACKAGE = Path(cli.__file__).parent
# CHEAP: the profile's number of examples (200 in CI); FAST: a command-line run or a fit
# per example, capped
CHEAP = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FAST = settings(CHEAP, max_examples=25)


def _leftovers(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".tmp-"))


class Injected(RuntimeError):
    """The failure a test injects."""


# ------------------------------------------------------------------ atomic writes
@CHEAP
@given(before=st.one_of(st.none(), st.text(max_size=50)), partial=st.text(max_size=50),
       after=st.text(max_size=50))
@example(before="\r", partial="", after="\r\n")  # bytes, not newline-translated text
def test_a_failed_write_leaves_the_previous_file_or_none(tmp_path, before, partial, after):
    path = tmp_path / "out.txt"
    path.unlink(missing_ok=True)
    if before is not None:
        path.write_bytes(before.encode())

    def failing(tmp):
        tmp.write_bytes(partial.encode())  # half the work done, then the failure
        raise Injected("disk full")

    with pytest.raises(Injected):
        atomic_write(path, failing)
    assert (path.read_bytes().decode() if path.exists() else None) == before
    assert _leftovers(tmp_path) == []
    atomic_write_text(path, after)
    assert path.read_bytes() == after.encode() and _leftovers(tmp_path) == []


@CHEAP
@given(n_files=st.integers(1, 4), fail_at=st.integers(0, 4),
       existed=st.lists(st.booleans(), min_size=4, max_size=4))
def test_outputs_of_a_run_are_published_all_or_none(tmp_path, n_files, fail_at, existed):
    names = [tmp_path / f"f{k}.csv" for k in range(n_files)]
    for k, name in enumerate(names):
        name.unlink(missing_ok=True)
        if existed[k]:
            name.write_text(f"old {k}")
    before = {n: n.read_text() if n.exists() else None for n in names}
    fails = fail_at < n_files
    try:
        with Outputs() as out:
            for k, name in enumerate(names):
                if k == fail_at:
                    raise Injected(f"file {k}")
                out.path(name).write_text(f"new {k}")
    except Injected:
        assert fails
    after = {n: n.read_text() if n.exists() else None for n in names}
    assert after == (before if fails else {n: f"new {k}" for k, n in enumerate(names)})
    assert _leftovers(tmp_path) == []


def test_atomic_path_keeps_the_extension_and_refuses_a_missing_folder(tmp_path):
    with atomic_path(tmp_path / "forecast.csv.gz") as tmp:
        assert tmp.parent == tmp_path and tmp.name.endswith("forecast.csv.gz")
        pd.DataFrame({"a": [1]}).to_csv(tmp, index=False)  # gzip from the extension
    assert pd.read_csv(tmp_path / "forecast.csv.gz")["a"].tolist() == [1]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        atomic_write_text(tmp_path / "no" / "x.txt", "x")
    with pytest.raises(FileNotFoundError, match="nothing was written"):
        atomic_write(tmp_path / "y.txt", lambda tmp: None)
    assert _leftovers(tmp_path) == []


def test_a_replaced_file_keeps_its_mode_and_a_link_stays_a_link(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert real.stat().st_mode & 0o777 == 0o640


def test_an_output_folder_that_does_not_exist_fails_before_the_fit(daily_csv, tmp_path,
                                                                   monkeypatch, capsys):
    def no_fit(*args, **kwargs):
        raise AssertionError("the model was built before the output was checked")

    monkeypatch.setattr(cli, "_make_model", no_fit)
    assert main(["--quiet", "forecast", daily_csv, "--target", "y", "--horizon", "2",
                 "--model", "naive", "--out", str(tmp_path / "no" / "f.csv")]) == 2
    assert re.search(r"cannot write .*f\.csv: the folder .* does not exist",
                     capsys.readouterr().err)


_WRITES = re.compile(r"\.to_csv\(|\.to_parquet\(|\.to_json\(|savefig\(|\.write_text\(|"
                     r"\.write_bytes\(|ParquetWriter\(|open\([^)]*['\"][wax]b?['\"]|"
                     r"json\.dump\(|torch\.save\(|pickle\.dump\(|joblib\.dump\(")
# a write is allowed only to a staged path (Outputs.path, a name starting with "staged")
# or inside atomic_path
_STAGED = re.compile(r"\b(out|files)\.path\(|\(staged|ParquetWriter\(where|savefig\(tmp")


def test_every_file_the_package_writes_goes_through_the_atomic_helper():
    """The mechanism, checked on the source: a new direct write fails this test."""
    direct = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_io.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.strip()
            if code.startswith((">>>", "...", "#")) or not _WRITES.search(code):
                continue
            if not _STAGED.search(code):
                direct.append(f"{path.relative_to(PACKAGE)}:{number}: {code}")
    assert direct == [], "write these through tsrnn._io:\n" + "\n".join(direct)


@pytest.fixture(scope="module")
def daily_csv(tmp_path_factory):
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    path = tmp_path_factory.mktemp("data") / "daily.csv"
    pd.DataFrame({"ds": days, "y": 10 + np.sin(np.arange(40))}).to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize("had_file", [False, True])
def test_a_failed_plot_leaves_no_new_forecast_file(daily_csv, tmp_path, monkeypatch,
                                                   capsys, had_file):
    pytest.importorskip("matplotlib")
    out = tmp_path / "forecast.csv"
    if had_file:
        out.write_text("previous run\n")

    def broken(*args, **kwargs):
        raise Injected("the plot failed")

    monkeypatch.setattr("tsrnn._plots.plot_forecast", broken)
    argv = ["--quiet", "forecast", daily_csv, "--target", "y", "--horizon", "3", "--model",
            "naive", "--out", str(out)]
    assert main(argv) == 1  # an internal error: one line, no traceback
    assert "the plot failed" in capsys.readouterr().err
    assert (out.read_text() if out.exists() else None) == ("previous run\n" if had_file
                                                           else None)
    assert not (tmp_path / "forecast.png").exists() and _leftovers(tmp_path) == []
    monkeypatch.undo()
    assert main(argv) == 0  # without the failure: both files, nothing left over
    assert out.exists() and (tmp_path / "forecast.png").exists()
    assert _leftovers(tmp_path) == []


def test_a_failed_backtest_plot_leaves_no_leaderboard(daily_csv, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")

    def broken(*args, **kwargs):
        raise Injected("no plot")

    monkeypatch.setattr("tsrnn._plots.plot_backtests", broken)
    board = tmp_path / "board.csv"
    assert main(["--quiet", "compare", daily_csv, "--target", "y", "--horizon", "2",
                 "--models", "naive,drift", "--out", str(board), "--plot",
                 str(tmp_path / "bt.png")]) == 1
    assert not board.exists() and _leftovers(tmp_path) == []


def test_a_writer_failing_inside_the_figure_save_keeps_the_old_plot(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    target = tmp_path / "plot.png"
    target.write_bytes(b"old")

    def broken(self, fname, **kwargs):
        Path(fname).write_bytes(b"half a png")
        raise Injected("renderer died")

    fig = Figure()
    fig.subplots()
    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(Injected):
        _io.save_figure(fig, target)
    assert target.read_bytes() == b"old" and _leftovers(tmp_path) == []
    monkeypatch.undo()
    assert _io.save_figure(fig, tmp_path / "noext") == tmp_path / "noext.png"
    assert (tmp_path / "noext.png").read_bytes()[:4] == b"\x89PNG"


# ------------------------------------------------------- command line: ids and dates
def _csv(tmp_path, frame, name="data.csv") -> str:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


@FAST
@given(ids=st.lists(st.text("0123456789", min_size=1, max_size=5), min_size=1, max_size=3,
                    unique=True))
@example(ids=["001", "1", "01"])
def test_series_ids_come_back_as_written(tmp_path, ids):
    days = pd.date_range("2024-01-01", periods=8, freq="D")
    frame = pd.DataFrame({"store": np.repeat(ids, len(days)), "ds": np.tile(days, len(ids)),
                          "y": np.arange(len(ids) * len(days), dtype=float)})
    out = tmp_path / "f.csv"
    assert main(["--quiet", "forecast", _csv(tmp_path, frame), "--target", "y", "--id-col",
                 "store", "--horizon", "2", "--model", "naive", "--no-plot", "--out",
                 str(out)]) == 0
    got = pd.read_csv(out, dtype={"store": str})["store"].unique().tolist()
    assert sorted(got) == sorted(ids)


@FAST
@given(start=st.integers(20_000, 60_000), n=st.integers(6, 20),
       fraction=st.sampled_from([0.0, 0.25, 0.5]))
def test_excel_serial_dates_are_read_as_dates(tmp_path, start, n, fraction):
    serials = start + fraction + np.arange(n, dtype=float)
    out = tmp_path / "f.csv"
    argv = ["--quiet", "forecast", _csv(tmp_path, pd.DataFrame({"ds": serials,
                                                                "y": np.arange(n) + 1.0})),
            "--target", "y", "--horizon", "2", "--model", "naive", "--no-plot", "--out",
            str(out)]
    assert main(argv) == 0
    last = pd.Timestamp("1899-12-30") + pd.Timedelta(days=float(serials[-1]))
    assert pd.to_datetime(pd.read_csv(out)["ds"]).tolist() == \
        [last + pd.Timedelta(days=k) for k in (1, 2)]


@pytest.mark.parametrize("values, message", [
    ([0.5, 1.5, 2.5, 3.5, 4.5], r"neither whole numbers .* nor Excel serial dates"),
    ([45000.0, 45001.0, 0.5, 2.5, 3.5], r"such as 0.5"),
])
def test_other_numeric_time_columns_are_refused(tmp_path, capsys, values, message):
    data = _csv(tmp_path, pd.DataFrame({"ds": values, "y": np.arange(5.0)}))
    assert main(["--quiet", "forecast", data, "--target", "y", "--horizon", "1", "--model",
                 "naive", "--no-plot", "--out", str(tmp_path / "o.csv")]) == 2
    assert re.search(message, capsys.readouterr().err)


def test_whole_float_times_are_steps_or_years(tmp_path):
    data = _csv(tmp_path, pd.DataFrame({"ds": [2001.0, 2002.0, 2003.0, 2004.0],
                                        "y": [1.0, 2.0, 3.0, 4.0]}))
    out = tmp_path / "o.csv"
    assert main(["--quiet", "forecast", data, "--target", "y", "--horizon", "2", "--model",
                 "naive", "--no-plot", "--out", str(out)]) == 0
    assert pd.read_csv(out)["ds"].tolist() == [2005, 2006]


@FAST
@given(start=st.dates(pd.Timestamp("1950-01-01").date(), pd.Timestamp("2150-01-01").date()),
       n=st.integers(3, 40))
def test_compact_yyyymmdd_integers_are_dates(tmp_path, start, n):
    days = pd.date_range(start, periods=n, freq="D")
    frame = pd.DataFrame({"ds": days.strftime("%Y%m%d").astype(int), "y": np.arange(n) + 1.0})
    out = tmp_path / "f.csv"
    assert main(["--quiet", "forecast", _csv(tmp_path, frame), "--target", "y", "--horizon",
                 "1", "--model", "naive", "--no-plot", "--out", str(out)]) == 0
    assert pd.to_datetime(pd.read_csv(out)["ds"]).tolist() == [days[-1] + pd.Timedelta(days=1)]


def test_dates_with_daylight_saving_offsets_are_read_in_utc(tmp_path, capsys):
    hours = pd.date_range("2024-03-30", periods=72, freq="h", tz="Europe/Paris")
    frame = pd.DataFrame({"ds": [t.isoformat() for t in hours], "y": np.arange(72.0)})
    out = tmp_path / "f.csv"
    assert main(["--quiet", "forecast", _csv(tmp_path, frame), "--target", "y", "--horizon",
                 "2", "--model", "naive", "--no-plot", "--out", str(out)]) == 0
    assert "several UTC offsets" in capsys.readouterr().err
    assert pd.to_datetime(pd.read_csv(out)["ds"]).tolist() == [
        hours[-1].tz_convert("UTC") + pd.Timedelta(hours=k) for k in (1, 2)]


def test_plot_and_forecast_cannot_share_a_file(daily_csv, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    same = str(tmp_path / "f.png")
    assert main(["--quiet", "forecast", daily_csv, "--target", "y", "--horizon", "2",
                 "--model", "naive", "--out", same, "--plot", same]) == 2
    assert "name the same file" in capsys.readouterr().err


# ------------------------------------------------------------------------ metrics
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def paired_series(draw, min_size=1):
    n = draw(st.integers(min_size, 12))
    a = np.array(draw(st.lists(finite, min_size=n, max_size=n)))
    b = np.array(draw(st.lists(finite, min_size=n, max_size=n)))
    index = pd.date_range("2024-01-01", periods=n, freq="D")
    return pd.Series(a, index=index), pd.Series(b, index=index), draw(st.permutations(range(n)))


POINT = [metrics.mae, metrics.mse, metrics.rmse, metrics.smape]


@CHEAP
@given(pair=paired_series())
def test_metrics_ignore_a_common_reordering_and_align_by_label(pair):
    a, b, order = pair
    for metric in POINT:
        expected = metric(a, b)
        assert metric(a.iloc[order], b.iloc[order]) == pytest.approx(expected, rel=1e-9,
                                                                     abs=1e-9)
        assert metric(a, b.iloc[order]) == pytest.approx(expected, rel=1e-9, abs=1e-9)


@CHEAP
@given(pair=paired_series(), c=st.floats(1e-3, 1e3))
def test_mae_is_zero_on_itself_and_scales_with_the_data(pair, c):
    a, b, _ = pair
    assert metrics.mae(a, a) == 0.0
    assert metrics.mae(c * a, c * b) == pytest.approx(c * metrics.mae(a, b), rel=1e-9,
                                                      abs=1e-6)


@CHEAP
@given(pair=paired_series(min_size=2), shift=st.integers(1, 5))
def test_series_on_other_labels_are_refused_not_compared_by_position(pair, shift):
    a, b, _ = pair
    moved = b.set_axis(b.index + pd.Timedelta(days=shift))
    for metric in POINT:
        with pytest.raises(ValueError, match=r"different index labels: .* only in y_true"):
            metric(a, moved)
    assert metrics.mae(a, moved.to_numpy()) == metrics.mae(a, b)  # arrays: by position


def test_metrics_refuse_text_and_frames_align_by_row_and_column():
    with pytest.raises(TypeError, match="y_pred must be numeric"):
        metrics.mae([1.0, 2.0], ["1.0", "2.0"])
    with pytest.raises(TypeError, match="holds text such as 'x'"):
        metrics.mae(pd.Series([1.0, 2.0]), pd.Series(["x", "y"]))
    truth = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=["s1", "s2"], columns=[1, 2])
    pred = pd.DataFrame([[4.0, 3.0], [2.0, 1.0]], index=["s2", "s1"], columns=[2, 1])
    assert metrics.mae(truth, pred) == 0.0
    with pytest.raises(ValueError, match="different column labels"):
        metrics.mae(truth, pred.set_axis([2, 3], axis=1))


@CHEAP
@given(values=st.lists(st.tuples(st.floats(0, 200), st.floats(0, 50), st.floats(0.1, 200),
                                 st.floats(0.1, 50)), min_size=1, max_size=6))
def test_owa_of_arrays_is_the_owa_of_each_series(values):
    s, m, s2, m2 = (np.array(v) for v in zip(*values))
    per_series = metrics.owa(s, m, s2, m2)
    assert per_series.shape == (len(values),)
    assert per_series == pytest.approx([metrics.owa(*row) for row in values])


@pytest.mark.parametrize("args, message", [
    ((-5.0, 1.0, 10.0, 2.0), r"sMAPE in \[0, 200\] for the model; smape_model is -5"),
    ((5.0, -1.0, 10.0, 2.0), r"MASE >= 0 for the model; mase_model is -1"),
    ((250.0, 1.0, 10.0, 2.0), r"smape_model is 250"),
    (([1.0, 2.0], [1.0, 2.0, 3.0], 1.0, 1.0), r"arrays of one shape"),
    ((1.0, 1.0, np.nan, 1.0), r"finite inputs"),
])
def test_owa_refuses_impossible_values(args, message):
    with pytest.raises(ValueError, match=message):
        metrics.owa(*args)


# --------------------------------------------------- timestamps: NaT, duplicates, months
@CHEAP
@given(n=st.integers(3, 15), data=st.data())
def test_regularize_names_the_first_duplicated_timestamp(n, data):
    index = pd.date_range("2024-01-01", periods=n, freq="D")
    dup = data.draw(st.integers(0, n - 1))
    stamps = index.insert(dup, index[dup])
    y = pd.Series(np.arange(n + 1, dtype=float), index=stamps)
    with pytest.raises(ValueError, match=re.escape(f"duplicated timestamps (first: "
                                                   f"{index[dup]})")):
        regularize(y)
    long = pd.DataFrame({"unique_id": "a", "ds": stamps, "y": y.to_numpy()})
    with pytest.raises(ValueError, match=r"series 'a' has duplicated timestamps"):
        regularize(long)


@FAST
@given(n_series=st.integers(1, 3), data=st.data())
def test_a_missing_timestamp_is_named_with_its_series_and_row(n_series, data):
    days = pd.date_range("2024-01-01", periods=6, freq="D")
    frame = pd.DataFrame({"unique_id": np.repeat([f"s{k}" for k in range(n_series)], 6),
                          "ds": np.tile(days, n_series),
                          "y": np.arange(6.0 * n_series)})
    row = data.draw(st.integers(0, len(frame) - 1))
    frame.loc[row, "ds"] = pd.NaT
    with pytest.raises(ValueError, match=rf"missing timestamp \(NaT\) in series "
                                         rf"'s{row // 6}' at row {row}"):
        NaiveForecaster(horizon=1).fit(frame)


@FAST
@given(day=st.integers(2, 28), months=st.sampled_from([1, 3, 6]), n=st.integers(6, 30),
       hour=st.sampled_from([0, 9]))
def test_monthly_data_on_any_day_is_understood(day, months, n, hour):
    start = pd.Timestamp(2020, 1, day, hour)
    index = pd.DatetimeIndex([start + pd.DateOffset(months=months * k) for k in range(n)])
    y = pd.Series(np.arange(n, dtype=float), index=index)
    model = NaiveForecaster(horizon=2).fit(y)
    assert model.freq_ == pd.DateOffset(months=months)
    assert model.predict().index.tolist() == [index[-1] + pd.DateOffset(months=months * k)
                                              for k in (1, 2)]
    gap = y.drop(index[n // 2])
    with pytest.raises(ValueError, match=re.escape(f"first missing: {index[n // 2]}")):
        NaiveForecaster(horizon=2).fit(gap)


def test_monthly_data_on_varying_days_is_told_how_to_fix_it():
    index = pd.DatetimeIndex(["2024-01-30", "2024-02-28", "2024-03-30", "2024-04-30",
                              "2024-05-30"])
    with pytest.raises(ValueError, match=r"1 month\(s\) apart on varying days .*"
                                         r"to_period\('M'\)") as error:
        NaiveForecaster(horizon=1).fit(pd.Series(np.arange(5.0), index=index))
    assert "first missing timestamp" not in str(error.value)


# ----------------------------------------------------------------- backtest's cv
@FAST
@given(n_splits=st.integers(1, 3), test_size=st.integers(1, 3), n_series=st.integers(1, 3))
def test_backtest_takes_index_pairs_like_the_splitter_they_come_from(n_splits, test_size,
                                                                     n_series):
    days = pd.date_range("2024-01-01", periods=20, freq="D")
    panel = pd.DataFrame({"unique_id": np.repeat([f"s{k}" for k in range(n_series)], 20),
                          "ds": np.tile(days, n_series),
                          "y": np.sin(np.arange(20.0 * n_series)) + 5})
    forecaster = NaiveForecaster(horizon=test_size)
    splitter = ExpandingWindowSplit(n_splits=n_splits, test_size=test_size)
    pairs = [(list(tr), list(te)) for tr, te in splitter.split(panel)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        by_pairs = backtest(forecaster, panel, cv=pairs).forecasts
        by_splitter = backtest(forecaster, panel, cv=splitter).forecasts
        by_int = backtest(forecaster, panel, cv=n_splits).forecasts
    pd.testing.assert_frame_equal(by_pairs, by_splitter)
    assert len(by_int) == n_splits * test_size * n_series


def test_backtest_pairs_out_of_time_order_or_range_are_refused():
    y = pd.Series(np.arange(20.0), index=pd.date_range("2024-01-01", periods=20, freq="D"))
    for cv, message in (([(np.arange(10, 20), np.arange(2))], "test timestamps after every"),
                        ([(np.arange(5), np.arange(18, 25))], "row position 20 .* out of range"),
                        ([(np.arange(5),)], r"must be a \(train, test\) pair"),
                        ([(np.arange(5), np.array([5.5]))], "row positions \\(integers\\)")):
        with pytest.raises((ValueError, TypeError), match=message):
            backtest(NaiveForecaster(horizon=2), y, cv=cv)
