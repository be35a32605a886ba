"""`fieldwork` on the command line: a Flask CLI group, so `fieldwork db upgrade` works too."""

import gc

# Start-up makes about 160,000 objects that live as long as the process; collecting while
# they are made took a fifth of the start. They are frozen, and collection comes back on,
# before any command runs (main), and again once the app is made (started_app).
gc.disable()

from flask import Flask  # noqa: E402
from flask.cli import FlaskGroup  # noqa: E402

from fieldwork.app import create_app  # noqa: E402
from fieldwork.memory import freeze_startup_objects  # noqa: E402


def started_app() -> Flask:
    app = create_app()
    freeze_startup_objects()
    return app


def main() -> None:
    freeze_startup_objects()
    FlaskGroup(create_app=started_app, help=__doc__)(prog_name="fieldwork")


if __name__ == "__main__":
    main()
