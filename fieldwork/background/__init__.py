"""Background file work: exports and imports too heavy for a request run as jobs, with their
progress, their file or report, and a notice to whoever started them.

A feature registers its kinds of work with `task_kind`, creates a task with `create_task`,
commits, and `submit`s it; the core runs it (`work.py`), shows it (`status.py`, `views.py`)
and never names a feature.
"""

from fieldwork.background.locks import register_import
from fieldwork.background.tasks import submit
from fieldwork.background.work import (
    Outcome,
    ProgressReport,
    TaskError,
    TaskInfo,
    create_task,
    no_progress,
    read_phase,
    starter_in,
    task_kind,
)

__all__ = ["Outcome", "ProgressReport", "TaskError", "TaskInfo", "create_task", "no_progress",
           "read_phase", "register_import", "starter_in", "submit", "task_kind"]
