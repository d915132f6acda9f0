"""The click lookup: the right parcel inside, nothing outside, a few row groups read."""

from __future__ import annotations

import pyarrow.parquet as pq

from geo.tiles import lookup_point
from tests.tiles.conftest import HOSTILE_ID


def test_lookup_file_is_sorted_geoparquet_with_bbox_covering(built):
    pf = pq.ParquetFile(built.lookup)
    geo = pf.schema_arrow.metadata[b"geo"].decode()
    assert '"covering"' in geo
    assert '"bbox"' in geo
    assert pf.metadata.num_row_groups == 12  # 600 rows in groups of 50


def test_point_inside_returns_its_parcel_reading_a_few_row_groups(built):
    for row in (0, 123, 480, len(built.parcels) - 1):
        p = built.parcels.geometry.iloc[row].representative_point()
        hit = lookup_point(built.lookup, p.x, p.y)
        assert hit.record is not None
        assert hit.record["parcel_id"] == built.parcels["parcel_id"].iloc[row]
        assert hit.record["_row"] == row
        assert "geometry" not in hit.record
        assert "bbox" not in hit.record
        assert 1 <= hit.row_groups_read < hit.row_groups_total / 2


def test_text_comes_back_as_stored(built):
    p = built.parcels.geometry.iloc[0].representative_point()
    assert lookup_point(built.lookup, p.x, p.y).record["parcel_id"] == HOSTILE_ID


def test_point_outside_every_parcel_returns_nothing(built):
    minx, miny, _, _ = built.parcels.total_bounds
    hit = lookup_point(built.lookup, minx - 0.01, miny - 0.01)
    assert hit.record is None
    assert hit.row_groups_read == 0
    tiny = built.parcels.geometry.iloc[-1]
    near = lookup_point(built.lookup, tiny.bounds[2] + 0.0002, tiny.bounds[3] + 0.0002)
    assert near.record is None
