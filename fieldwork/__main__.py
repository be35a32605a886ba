"""`fieldwork` on the command line: a Flask CLI group, so `fieldwork db upgrade` works too."""

from flask.cli import FlaskGroup

from fieldwork.app import create_app


def main() -> None:
    FlaskGroup(create_app=create_app, help=__doc__)(prog_name="fieldwork")


if __name__ == "__main__":
    main()
