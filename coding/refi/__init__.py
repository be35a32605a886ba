"""REFI-QDA exchange: the codebook as .qdc and the whole project as .qdpx, out and in.

export.py writes both files; reading.py reads them into plain specs (nothing touches the
database until a file has been read and checked whole), archive.py opening the .qdpx's ZIP;
importing.py adds what was read; codes.py holds what both directions do with codes; guids.py
makes the stable GUIDs; xmlio.py is the XML writer and reader.
"""

from coding.refi.export import ProjectExport, codebook_qdc, project_qdpx
from coding.refi.importing import ImportReport, import_codebook, import_project
from coding.refi.xmlio import RefiError

__all__ = [
    "ImportReport",
    "ProjectExport",
    "RefiError",
    "codebook_qdc",
    "import_codebook",
    "import_project",
    "project_qdpx",
]
