import io
from pathlib import Path

from fieldwork.extensions import db
from fieldwork.storage import delete_stored_file, file_store, find_damaged_files, store_upload


def test_files_are_stored_under_their_checksum_once(files_dir: Path) -> None:
    content = b"interview notes " * 200_000
    first = store_upload(io.BytesIO(content), "../../notes.txt", None)
    second = store_upload(io.BytesIO(content), "copy.txt", None)
    assert first.sha256 == second.sha256
    assert first.filename == "notes.txt"
    assert first.size == len(content)
    path = file_store().blob_path(first.sha256)
    assert path.read_bytes() == content
    assert [p for p in (files_dir / "tmp").iterdir() if p.is_file()] == []
    delete_stored_file(first)
    assert path.exists()
    delete_stored_file(second)
    assert not path.exists()


def test_damaged_and_missing_files_are_found(files_dir: Path) -> None:
    good = store_upload(io.BytesIO(b"good"), "good.txt", None)
    bad = store_upload(io.BytesIO(b"bad"), "bad.txt", None)
    gone = store_upload(io.BytesIO(b"gone"), "gone.txt", None)
    file_store().blob_path(bad.sha256).write_bytes(b"tampered")
    file_store().blob_path(gone.sha256).unlink()
    db.session.flush()
    assert {f.filename for f in find_damaged_files()} == {"bad.txt", "gone.txt"}
    assert good not in find_damaged_files()
