"""The vectorised analysis gives exactly the results of the per-row code it replaced.

The expectations under ``tests/fixtures/scale_equivalence/`` were computed by the earlier
(per-row) :func:`geo.landuse.pipeline.analyse` on the bundled sample and on a small synthetic
city (``scripts/benchmark.py``'s ``write_city_files``), the latter with holders, several parcel
ids per enterprise, enterprises without coordinates and 乡镇（街道） names mixed in so every
placement path runs. Every column of the parcels, the enterprises and the report is compared:
text exactly, numbers to 1e-9 relative (sums may be added in another order), geometry by WKB.

Regenerate (only when a change of results is intended) with
``python tests/landuse/test_scale_equivalence.py``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.landuse.pipeline import Analysis, Inputs, analyse, load_inputs, load_sample
from geo.landuse.scoring import load_profile
from geo.zones.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "scale_equivalence"
CITY_PARCELS = 2000


def _city_inputs(folder: Path) -> Inputs:
    """A 2,000-parcel synthetic city with every placement path exercised."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from benchmark import write_city_files  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    parcels_path, enterprises_path = write_city_files(load_catalog(), CITY_PARCELS, folder)
    inputs = load_inputs(parcels_path, enterprises_path)
    par = inputs.parcels.copy()
    ent = inputs.enterprises.copy()
    # Holders: every 7th parcel is held by an enterprise's name, and one name holds two.
    par["holder"] = par["holder"].astype(object)
    ent["parcel_id"] = ent["parcel_id"].astype(object)
    ent["township"] = ent["township"].astype(object)
    n = len(ent)
    rows = np.arange(n)
    held = rows[rows % 11 == 3]
    for k, i in enumerate(held):
        p = (k * 7) % len(par)
        par.iloc[p, par.columns.get_loc("holder")] = f"  {ent['name'].iloc[i]} "
    par.iloc[5, par.columns.get_loc("holder")] = ent["name"].iloc[held[0]]
    # Those enterprises lose their parcel id and coordinates: placed by holder name.
    ent.loc[ent.index[held], "parcel_id"] = None
    ent.loc[ent.index[held], ["lon", "lat"]] = np.nan
    # Several ids in one cell, with every separator and unknown ids.
    pid = ent["parcel_id"]
    seps = ["；", ";", "、", "，", ","]
    for j, i in enumerate(rows[rows % 13 == 1]):
        if pid.iloc[i] is None:
            continue
        other = par["parcel_id"].iloc[(i * 3) % len(par)]
        form = j % 4
        ent.iloc[i, ent.columns.get_loc("parcel_id")] = (
            f"X{i}{seps[j % 5]} {pid.iloc[i]}{seps[(j + 1) % 5]}{other}" if form == 0 else
            f"{pid.iloc[i]}{seps[j % 5]}{other}" if form == 1 else
            f"{other}{seps[j % 5]}{seps[j % 5]}{pid.iloc[i]} " if form == 2 else f"X{i}")
    # Coordinates only; and neither id nor coordinates but a 乡镇（街道）.
    only_point = rows[rows % 17 == 2]
    ent.loc[ent.index[only_point], "parcel_id"] = None
    nothing = rows[rows % 19 == 4]
    ent.loc[ent.index[nothing], "parcel_id"] = "NOPE"
    ent.loc[ent.index[nothing], ["lon", "lat"]] = np.nan
    towns = ["北仑区大碶街道", "镇海区骆驼街道", "不知道镇", "", None]
    ent.loc[ent.index[nothing], "township"] = [towns[k % 5] for k in range(len(nothing))]
    return replace(inputs, parcels=par, enterprises=ent)


def _run(inputs: Inputs) -> Analysis:
    return analyse(inputs.parcels, inputs.enterprises, load_catalog(), load_profile(),
                   data_label="x", year=inputs.year)


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame parquet can store: geometry as WKB digests, other objects as text or None."""
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for col in frame.columns:
        s = frame[col]
        if hasattr(s, "geom_type"):
            out[col] = [hashlib.sha1(g.wkb).hexdigest() if g is not None else None
                        for g in s]
        elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            out[col] = pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()
        else:
            out[col] = [None if v is None or (isinstance(v, float) and np.isnan(v))
                        or v is pd.NA else repr(v) if not isinstance(v, str) else v
                        for v in s.astype(object)]
    return out


def _frames(result: Analysis) -> dict[str, pd.DataFrame]:
    return {"parcels": result.parcels, "enterprises": result.enterprises,
            "report": result.report}


def _meta(frame: pd.DataFrame) -> dict[str, object]:
    return {"columns": [str(c) for c in frame.columns],
            "dtypes": [str(t) for t in frame.dtypes],
            "index": [str(i) for i in frame.index[:50]] + [str(len(frame))]}


def _digest(values: pd.Series) -> str:
    """One digest of a text column (None written as a NUL byte)."""
    text = "\x1f".join(v if isinstance(v, str) else "\x00" for v in values.astype(object))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _split(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Numbers (compared to 1e-9) and digests of every text and geometry column."""
    canon = _canonical(frame)
    numeric = [c for c in canon.columns if canon[c].dtype == "float64"]
    texts = {c: _digest(canon[c]) for c in canon.columns if c not in numeric}
    return canon[numeric], texts


def _write(name: str, result: Analysis) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    meta = {}
    for part, frame in _frames(result).items():
        numbers, texts = _split(frame)
        numbers.to_parquet(FIXTURES / f"{name}_{part}.parquet", compression="zstd")
        meta[part] = {**_meta(frame), "texts": texts}
    (FIXTURES / f"{name}_meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=0),
                                               encoding="utf-8")


def _check(name: str, result: Analysis) -> None:
    meta = json.loads((FIXTURES / f"{name}_meta.json").read_text(encoding="utf-8"))
    for part, frame in _frames(result).items():
        want_texts = meta[part].pop("texts")
        assert _meta(frame) == meta[part], f"{name} {part}: columns, dtypes or index changed"
        numbers, texts = _split(frame)
        changed = [c for c in want_texts if texts.get(c) != want_texts[c]]
        assert not changed, f"{name} {part}: text columns changed: {changed}"
        want = pd.read_parquet(FIXTURES / f"{name}_{part}.parquet")
        assert list(numbers.columns) == list(want.columns)
        for col in want.columns:
            np.testing.assert_allclose(numbers[col].to_numpy(float), want[col].to_numpy(float),
                                       rtol=1e-9, atol=1e-9, equal_nan=True,
                                       err_msg=f"{name} {part}.{col}")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    return _city_inputs(tmp_path_factory.mktemp("city"))


def test_sample_results_unchanged() -> None:
    _check("sample", _run(load_sample()))


def test_city_results_unchanged(city: Inputs) -> None:
    _check("city", _run(city))


if __name__ == "__main__":  # regenerate the expectations
    import tempfile
    _write("sample", _run(load_sample()))
    with tempfile.TemporaryDirectory() as tmp:
        _write("city", _run(_city_inputs(Path(tmp))))


# The vectorised steps against the per-row code they replaced, on awkward cells.

_CELLS = ["A;B", "A、B", "A，B，A", None, np.nan, "", " ; ;", "  X\u3000 ；Y\t", 12, 1.5,
          "a b;\xa0c\xa0", "C,D,,C", "P1；P2", "P2", "P3;P1", "Q"]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_id_pairs_reads_cells_as_split_ids(dtype: object) -> None:
    from geo.landuse.model import id_pairs, split_ids
    cells = _CELLS if dtype is object else [c for c in _CELLS if isinstance(c, str) or c is None]
    values = pd.Series(cells * 3, dtype=dtype)  # type: ignore[call-overload]
    want = [(i, p) for i, v in enumerate(values) for p in dict.fromkeys(split_ids(v))]
    assert list(id_pairs(values).itertuples(index=False, name=None)) == want



def test_id_pairs_of_cells_of_one_id_each() -> None:
    from geo.landuse.model import id_pairs, split_ids
    values = pd.Series(["A", None, " B ", "", "A", "C；"], dtype=object)
    want = [(i, p) for i, v in enumerate(values) for p in dict.fromkeys(split_ids(v))]
    assert list(id_pairs(values).itertuples(index=False, name=None)) == want

def _old_construction(parcel_ids: pd.Series, parcels: pd.DataFrame, data_year: pd.Series,
                      within: int) -> tuple[list[bool], list[str]]:
    """The per-enterprise loop of geo.landuse.scheme._construction before vectorising."""
    from geo.labels import SCHEME_TEXTS
    from geo.landuse.model import split_ids
    supply = pd.to_numeric(pd.Series(parcels["supply_year"].to_numpy(),
                                     index=parcels["parcel_id"].astype(str).to_numpy()),
                           errors="coerce")
    supply = supply[~supply.index.duplicated()]
    young, texts = [], []
    for cell, year in zip(parcel_ids, pd.to_numeric(data_year, errors="coerce"), strict=True):
        known = [pid for pid in dict.fromkeys(split_ids(cell)) if pid in supply.index]
        supplied = [float(supply[pid]) for pid in known]
        ok = bool(known) and all(0 <= year - y < within for y in supplied)
        young.append(ok)
        texts.append(SCHEME_TEXTS["exempt_construction"].format(
            n=within, parcels=SCHEME_TEXTS["construction_separator"].join(
                SCHEME_TEXTS["construction_parcel"].format(parcel=pid, year=int(y))
                for pid, y in zip(known, supplied, strict=True))) if ok else "")
    return young, texts


def test_construction_matches_the_per_row_rule() -> None:
    from geo.landuse.scheme import _construction
    parcels = pd.DataFrame({"parcel_id": ["P1", "P2", "P3", "Q", "P1"],
                            "supply_year": [2023, 2020, None, 2024, 1990]})
    cells = pd.Series(_CELLS * 2, index=range(100, 100 + 2 * len(_CELLS)), dtype=object)
    years = pd.Series([2024, 2025, None, 2023] * (len(cells) // 4), index=cells.index)
    young, texts = _construction(cells, parcels, years, 5)
    want_young, want_texts = _old_construction(cells, parcels, years, 5)
    assert young.tolist() == want_young
    assert any(want_young)
    assert texts.tolist() == want_texts


def test_scenario_touching_reads_cells_as_split_ids() -> None:
    from geo.landuse.model import split_ids
    from geo.landuse.targets import _touching
    ents = pd.DataFrame({"parcel_id": pd.Series(_CELLS * 2, dtype=object)})
    for flagged in ({"A"}, {"B", "Y"}, {"X", "12"}, {"c"}, {"nothing"}, set()):
        old = ents["parcel_id"].map(lambda v, f=flagged: bool(set(split_ids(v)) & f))
        assert _touching(ents, flagged).tolist() == old.tolist(), flagged


def test_evaluation_list_order_is_the_sort_it_replaced() -> None:
    from geo.landuse.tables import _track_then_score
    rng = np.random.default_rng(7)
    n = 500
    ent = pd.DataFrame({
        "track": pd.Series(rng.choice(["规上工业", "规下工业", "新建", None], n), dtype=object),
        "score": np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 5, n).astype(float)),
    })
    want = ent.sort_values(["track", "score"], ascending=[True, False], na_position="last",
                           kind="stable").index.to_numpy()
    assert _track_then_score(ent).tolist() == want.tolist()


def test_id_pairs_reads_a_column_once_and_a_changed_one_again(monkeypatch) -> None:
    import geo.landuse.model as model
    calls = []
    real = model._id_pairs
    monkeypatch.setattr(model, "_id_pairs", lambda v: calls.append(1) or real(v))
    monkeypatch.setattr(model, "_PAIRS", [])
    frame = pd.DataFrame({"parcel_id": pd.Series(["A;B", "C", None, "A"], dtype=object)})
    first = model.id_pairs(frame["parcel_id"])
    again = model.id_pairs(frame.copy(deep=False).assign(x=1)["parcel_id"])  # same column
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, again)
    changed = frame.copy(deep=False)
    changed.loc[1, "parcel_id"] = "D"  # copy-on-write: a new buffer
    got = model.id_pairs(changed["parcel_id"])
    assert len(calls) == 2
    assert got["parcel_id"].tolist() == ["A", "B", "D", "A"]
    assert model.id_pairs(frame["parcel_id"])["parcel_id"].tolist() == ["A", "B", "C", "A"]
    first.loc[0, "parcel_id"] = "Z"  # what a caller does to its copy stays there
    assert model.id_pairs(frame["parcel_id"])["parcel_id"].iloc[0] == "A"


def test_id_pairs_sees_a_write_in_place() -> None:
    from geo.landuse.model import id_pairs
    frame = pd.DataFrame({"parcel_id": pd.Series(["P1", "P2"], dtype=object)})
    assert id_pairs(frame["parcel_id"])["parcel_id"].tolist() == ["P1", "P2"]
    frame.loc[0, "parcel_id"] = "P9"  # nothing else refers to the column: written in place
    assert id_pairs(frame["parcel_id"])["parcel_id"].tolist() == ["P9", "P2"]
