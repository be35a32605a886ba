"""For any WSGI server: `gunicorn wsgi:app` or `waitress-serve wsgi:app`."""

from fieldwork import create_app

app = create_app()
