"""For any WSGI server: `gunicorn wsgi:app` or `waitress-serve wsgi:app`."""

from fieldwork.app import create_app

app = create_app()
