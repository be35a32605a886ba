"""For any WSGI server: `gunicorn wsgi:app` or `waitress-serve wsgi:app`."""

from fieldwork.app import create_app
from fieldwork.memory import prepare_web_process

app = create_app()
prepare_web_process()
