"""python -m geo report: the zone summary written, and the refusals in Chinese."""

from __future__ import annotations

import pytest

from geo.cli import main
from tests.reports._pdf import reader


def _err(capsys) -> str:
    return capsys.readouterr().err.strip()


def test_the_zone_report_is_one_page(tmp_path, capsys):
    out = tmp_path / "Z07.pdf"
    assert main(["report", "--zone", "Z07", "--out", str(out)]) == 0
    r = reader(out.read_bytes())
    assert len(r.pages) == 1
    text = r.pages[0].extract_text()
    assert "宁波经济技术开发区" in text
    assert "70,969" in text
    assert "已写出" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "said"), [
    (["--zone", "Z07", "--out", "Z07.png"], "以 .pdf 结尾"),
    (["--zone", "Z99", "--out", "x.pdf"], "Z99"),
    (["--out", "x.pdf"], "--zone Z07"),
    (["--sample", "--enterprises", "e.csv", "--out", "x.pdf"], "--sample"),
])
def test_bad_requests_are_refused_in_chinese(args, said, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["report", *args]) == 2
    err = _err(capsys)
    assert "错误" in err
    assert said in err
    assert not list(tmp_path.glob("*.pdf"))


def test_an_output_equal_to_an_input_is_refused(tmp_path, capsys):
    ent = tmp_path / "企业.pdf"
    ent.write_bytes(b"keep")
    assert main(["report", "--enterprises", str(ent), "--class", "D", "--out", str(ent)]) == 2
    assert "同一个文件" in _err(capsys)
    assert ent.read_bytes() == b"keep"


def test_one_sample_enterprise_sheet(tmp_path, capsys, sample_analysis, monkeypatch):
    import geo.cli

    # the CLI's own loading is geo.landuse's (tested there); reuse the analysed sample here
    monkeypatch.setattr(geo.cli, "_report_analysis", lambda *_: sample_analysis)
    code = str(sample_analysis.enterprises.iloc[0]["credit_code"])
    out = tmp_path / "体检表.pdf"
    assert main(["report", "--sample", "--credit-code", code, "--out", str(out)]) == 0
    text = reader(out.read_bytes()).pages[0].extract_text()
    assert sample_analysis.enterprises.iloc[0]["name"] in text.replace("\n", "")
    assert "示例数据" in capsys.readouterr().out
