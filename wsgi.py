"""For any WSGI server: `gunicorn wsgi:app` or `waitress-serve wsgi:app`."""

import gc

gc.disable()  # during start-up only: prepare_web_process turns it on (fieldwork.memory)

from fieldwork.app import create_app  # noqa: E402
from fieldwork.memory import prepare_web_process  # noqa: E402

app = create_app()
prepare_web_process()
