"""REFI-QDA exchange: the codebook as .qdc and the whole project as .qdpx, out and in.

export.py writes both files; reading.py reads them into plain specs (nothing touches the
database until a file has been read and checked whole), archive.py opening the .qdpx's ZIP;
importing.py adds what was read (staging.py: in short transactions, for a task), report.py
says what it did; codes.py holds what both directions do with codes; guids.py
makes the stable GUIDs; xmlio.py is the XML writer and reader.
"""

from coding.refi.export import (
    ProjectExport,
    codebook_qdc,
    file_name,
    project_qdpx,
    record_qdpx_export,
    write_qdpx,
)
from coding.refi.importing import (
    check_empty,
    import_codebook,
    import_codebook_specs,
    import_project,
    import_project_file,
)
from coding.refi.reading import WRONG_PAGE_CODEBOOK, is_codebook, read_codebook, read_project
from coding.refi.report import ImportReport, codebook_lines, project_lines
from coding.refi.staging import (
    close_import,
    open_import,
    undo_project_import,
    write_in_batches,
)
from coding.refi.xmlio import RefiError

__all__ = [
    "WRONG_PAGE_CODEBOOK",
    "ImportReport",
    "ProjectExport",
    "RefiError",
    "check_empty",
    "close_import",
    "codebook_lines",
    "codebook_qdc",
    "file_name",
    "import_codebook",
    "import_codebook_specs",
    "import_project",
    "import_project_file",
    "is_codebook",
    "open_import",
    "project_lines",
    "project_qdpx",
    "read_codebook",
    "read_project",
    "record_qdpx_export",
    "undo_project_import",
    "write_in_batches",
    "write_qdpx",
]
