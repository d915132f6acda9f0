"""AppTest helpers: read the bytes behind a download button."""

from __future__ import annotations

from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage


class RecordingStorage(MemoryMediaFileStorage):
    """Keeps every media store AppTest creates, so download buttons' bytes can be read."""

    stores: list[MemoryMediaFileStorage] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        RecordingStorage.stores.append(self)


def download(button) -> bytes:
    """The file behind an AppTest download button."""
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    return RecordingStorage.stores[-1].get_file(file_id).content


def open_page(page: str):
    """Run the app and switch to ``page`` (e.g. "app_pages/lowland.py"); fail on an exception."""
    from streamlit.testing.v1 import AppTest

    from tests.support.paths import APP

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at
