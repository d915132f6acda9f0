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
