"""批量报告 and the profile's PDF through AppTest: the pages open on the sample, offer the
downloads (built only when asked), and name the 示例数据."""

from __future__ import annotations

import pytest

from geo.labels import REPORT_BUTTONS
from geo.landuse.model import SAMPLE_LABEL
from tests.support.apptest import open_page

pytestmark = pytest.mark.usefixtures("work")


def test_reports_page_offers_the_zone_batch_and_the_d_class_checkups():
    at = open_page("app_pages/reports.py")
    labels = [b.proto.label for b in at.get("download_button")]
    assert REPORT_BUTTONS["zones_pdf"] in labels
    assert REPORT_BUTTONS["checkups_pdf"] in labels
    assert any(SAMPLE_LABEL in w.value for w in at.warning)
    districts = at.selectbox(key="rep_district").options
    assert len(districts) > 1
    at.selectbox(key="rep_district").set_value(districts[1]).run()
    assert not at.exception, at.exception
    assert "类企业" in " ".join(c.value for c in at.caption)
