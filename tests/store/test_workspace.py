"""The workspace store (issue 11): datasets, the register with versions and its audit log,
profiles, migration — the same tests on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import multiprocessing as mp

import pandas as pd
import pytest

from geo._errors import RegisterError
from geo.landuse.pipeline import load_sample
from geo.landuse.register import update_register
from geo.store import StaleRegisterError, open_workspace
from geo.store.workspace import Workspace
from tests.support.paths import ROOT

SAMPLE_REGISTER = ROOT / "data" / "sample" / "clearance_register.csv"


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def _rows(n: int) -> list[dict]:
    return [{"parcel_id": f"P{i}", "status": "待整治", "area_mu": 10.0 + i} for i in range(n)]


def _seed(ws: Workspace, n: int = 6) -> pd.DataFrame:
    base = ws.register("imported")
    new, audit = update_register(base, _rows(n), who="张三")
    return ws.save_register("imported", base, new, audit)


def test_a_dataset_comes_back_as_it_was_imported(workspace, sample):
    ds_id = workspace.add_dataset(name="北仑 2024", parcels=sample.parcels,
                                  enterprises=sample.enterprises, report=sample.report,
                                  data_label=sample.data_label, year=sample.year,
                                  choices="用地面积 → 用地面积（单位：亩）", who="张三")
    info = workspace.datasets()[0]
    assert (info.id, info.name, info.data_year, info.imported_by) == (ds_id, "北仑 2024",
                                                                      sample.year, "张三")
    assert (info.parcels, info.enterprises) == (len(sample.parcels), len(sample.enterprises))
    got = workspace.load_dataset(ds_id)
    assert got.parcels.crs.to_epsg() == 4326
    pd.testing.assert_frame_equal(got.enterprises, sample.enterprises.reset_index(drop=True))
    pd.testing.assert_frame_equal(pd.DataFrame(got.parcels.drop(columns="geometry")),
                                  pd.DataFrame(sample.parcels.drop(columns="geometry")
                                               ).reset_index(drop=True))
    assert got.parcels.geometry.geom_equals_exact(
        sample.parcels.geometry.reset_index(drop=True), 0).all()
    assert got.info.choices == "用地面积 → 用地面积（单位：亩）"
    workspace.delete_dataset(ds_id)
    assert workspace.datasets() == []
    with pytest.raises(KeyError):
        workspace.load_dataset(ds_id)


def test_each_save_raises_the_versions_and_logs_every_change(workspace):
    reg = _seed(workspace, 2)
    assert reg["version"].tolist() == [1, 1]
    new, audit = update_register(reg, [{"parcel_id": "P1", "note": "一行\r=1+1\n第二行"}],
                                 who="李四")
    saved = workspace.save_register("imported", reg, new, audit)
    assert saved.set_index("parcel_id")["version"].to_dict() == {"P0": 1, "P1": 2}
    assert saved.set_index("parcel_id").at["P1", "note"] == "一行\r=1+1\n第二行"  # CR kept
    log = workspace.audit_log("imported")
    assert log.iloc[0][["who", "parcel_id", "field", "new"]].tolist() == [
        "李四", "P1", "note", "一行\r=1+1\n第二行"]
    assert len(log) == 2 * 3 + 1  # two new rows (新增, 状态, 面积 each), then one edit


def test_a_save_on_stale_rows_is_refused_and_names_them(workspace):
    base = _seed(workspace, 3)
    mine, my_audit = update_register(base, [{"parcel_id": "P2", "status": "整治中"}],
                                     who="张三")
    theirs, their_audit = update_register(base, [{"parcel_id": "P2", "note": "已约谈"}],
                                          who="王五")
    workspace.save_register("imported", base, theirs, their_audit)
    before = workspace.audit_log("imported")
    with pytest.raises(StaleRegisterError) as err:
        workspace.save_register("imported", base, mine, my_audit)
    assert err.value.changed["parcel_id"].tolist() == ["P2"]
    said = err.value.describe("zh")
    assert "P2（王五" in said
    assert "重新载入" in said
    assert workspace.register("imported").set_index("parcel_id").at["P2", "status"] == "待整治"
    pd.testing.assert_frame_equal(workspace.audit_log("imported"), before)


def test_a_row_added_meanwhile_by_someone_else_is_stale_too(workspace):
    base = workspace.register("imported")
    first, first_audit = update_register(base, _rows(1), who="王五")
    second, second_audit = update_register(base, _rows(1), who="张三")
    workspace.save_register("imported", base, first, first_audit)
    with pytest.raises(StaleRegisterError):
        workspace.save_register("imported", base, second, second_audit)


def test_a_save_failing_part_way_leaves_register_and_audit_as_they_were(workspace,
                                                                        monkeypatch):
    base = _seed(workspace, 3)
    log = workspace.audit_log("imported")
    new, audit = update_register(base, [{"parcel_id": "P0", "status": "整治中"},
                                        {"parcel_id": "P1", "status": "整治中"}], who="张三")
    real = Workspace._write_row
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("磁盘已满（模拟）")
        return real(*args, **kwargs)

    monkeypatch.setattr(Workspace, "_write_row", staticmethod(fail_on_second))
    with pytest.raises(OSError, match="磁盘已满"):
        workspace.save_register("imported", base, new, audit)
    assert len(calls) == 2  # the first row was written inside the transaction
    pd.testing.assert_frame_equal(workspace.register("imported"), base)
    pd.testing.assert_frame_equal(workspace.audit_log("imported"), log)


def _save_in_process(url: str, rows: list[dict], who: str, barrier, out) -> None:
    ws = open_workspace(".", url)
    base = ws.register("imported")
    new, audit = update_register(base, rows, who=who)
    barrier.wait()
    try:
        ws.save_register("imported", base, new, audit)
        out.put((who, "saved"))
    except StaleRegisterError:
        out.put((who, "refused"))
    finally:
        ws.dispose()


def _race(url: str, jobs: list[tuple[list[dict], str]]) -> dict[str, str]:
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(len(jobs)), ctx.Queue()
    procs = [ctx.Process(target=_save_in_process, args=(url, rows, who, barrier, out))
             for rows, who in jobs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    return dict(out.get(timeout=5) for _ in procs)


def test_two_processes_saving_different_rows_at_once_lose_nothing(workspace, store_url):
    _seed(workspace, 6)
    jobs = [([{"parcel_id": f"P{i}", "status": "整治中"} for i in (0, 1, 2)], "甲"),
            ([{"parcel_id": f"P{i}", "status": "已盘活"} for i in (3, 4, 5)], "乙")]
    assert _race(store_url, jobs) == {"甲": "saved", "乙": "saved"}
    status = workspace.register("imported").set_index("parcel_id")["status"]
    assert status.to_dict() == {"P0": "整治中", "P1": "整治中", "P2": "整治中",
                                "P3": "已盘活", "P4": "已盘活", "P5": "已盘活"}
    edits = workspace.audit_log("imported").query("field == 'status' and who != '张三'")
    assert len(edits) == 6


def test_two_processes_saving_the_same_row_at_once_one_is_told(workspace, store_url):
    _seed(workspace, 1)
    jobs = [([{"parcel_id": "P0", "status": "整治中"}], "甲"),
            ([{"parcel_id": "P0", "status": "已腾退"}], "乙")]
    result = _race(store_url, jobs)
    assert sorted(result.values()) == ["refused", "saved"]
    winner = next(w for w, r in result.items() if r == "saved")
    row = workspace.register("imported").iloc[0]
    assert (row["updated_by"], row["version"]) == (winner, 2)
    changes = workspace.audit_log("imported").query("field == 'status' and who != '张三'")
    assert set(changes["who"]) == {winner}  # the refused save left no audit line


def test_old_csv_files_are_migrated_once(workspace, tmp_path):
    audit = tmp_path / "clearance_audit.csv"
    audit.write_text("when,who,parcel_id,field,old,new\n2025-01-01T09:00:00,张三,P1,status,"
                     "待整治,整治中\n", encoding="utf-8-sig")
    assert workspace.migrate_csv("sample", SAMPLE_REGISTER, audit) == 150
    assert len(workspace.register("sample")) == 150
    assert workspace.audit_log("sample")["who"].tolist() == ["张三"]
    assert workspace.migrate_csv("sample", SAMPLE_REGISTER, audit) is None  # never twice
    assert len(workspace.register("sample")) == 150
    assert SAMPLE_REGISTER.exists()  # the old file is left as it was


def test_a_damaged_csv_register_is_refused_and_nothing_migrated(workspace, tmp_path):
    bad = tmp_path / "clearance_register.csv"
    bad.write_text("宗地编号,状态,面积（亩）\nP1,不存在的状态,3\n", encoding="utf-8")
    with pytest.raises(RegisterError):
        workspace.migrate_csv("imported", bad, tmp_path / "none.csv")
    assert len(workspace.register("imported")) == 0


def test_the_active_profile_is_kept(workspace):
    assert workspace.active_profile() is None
    workspace.set_active_profile("北仑方案", 'name = "北仑方案"\n', who="管理员")
    name, toml, who, _ = workspace.active_profile()
    assert (name, toml, who) == ("北仑方案", 'name = "北仑方案"\n', "管理员")
    workspace.clear_active_profile()
    assert workspace.active_profile() is None


def _open_in_process(url: str, barrier, out) -> None:
    barrier.wait()
    try:
        ws = open_workspace(".", url)
        ws.migrate_csv("sample", SAMPLE_REGISTER, "absent.csv")
        ws.dispose()
        out.put("ok")
    except Exception as err:  # noqa: BLE001 - the test reports what went wrong
        out.put(f"{type(err).__name__}: {err}")


def test_several_processes_starting_on_a_new_store_at_once_all_open_it(store_url):
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_open_in_process, args=(store_url, barrier, out))
             for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [out.get(timeout=5) for _ in procs] == ["ok"] * 4
    ws = open_workspace(".", store_url)
    assert len(ws.register("sample")) == 150  # migrated once, not four times
    ws.dispose()


def test_a_dataset_too_large_for_the_store_is_refused_in_chinese(workspace, sample,
                                                                  monkeypatch):
    import geo.store.workspace as module

    monkeypatch.setattr(module, "MAX_FRAME_BYTES", 1000)
    with pytest.raises(ValueError, match="more than the store keeps") as err:
        workspace.add_dataset(name="大", parcels=sample.parcels, enterprises=sample.enterprises,
                              report=sample.report, data_label="x", year=None, choices="",
                              who="张三")
    assert "请按区县或年度拆分" in err.value.describe("zh")
    assert workspace.datasets() == []
