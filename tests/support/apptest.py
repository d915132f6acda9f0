"""AppTest helpers: read the bytes behind a download button (static or built on the click)."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

#: file id → callable of every download button given a callable (``data=partial(...)``):
#: Streamlit runs it on the click; :func:`download` runs it as the click would.
DEFERRED: dict[str, Callable[[], object]] = {}
_add_deferred = MediaFileManager.add_deferred


def _recording_add_deferred(self, data_callable, *args, **kwargs) -> str:
    file_id = _add_deferred(self, data_callable, *args, **kwargs)
    DEFERRED[file_id] = data_callable
    return file_id


if getattr(MediaFileManager.add_deferred, "__name__", "") != _recording_add_deferred.__name__:
    MediaFileManager.add_deferred = _recording_add_deferred  # type: ignore[method-assign]


class RecordingStorage(MemoryMediaFileStorage):
    """Keeps every media store AppTest creates, so download buttons' bytes can be read."""

    stores: list[MemoryMediaFileStorage] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        RecordingStorage.stores.append(self)


def download(button) -> bytes:
    """The file behind an AppTest download button (a callable's is built here, as on a click)."""
    if deferred := button.proto.deferred_file_id:
        data = DEFERRED[deferred]()
        return data.encode("utf-8") if isinstance(data, str) else data  # type: ignore[return-value]
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
