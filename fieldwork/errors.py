"""Friendly error pages: what went wrong, in words, and where to go next."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from fieldwork.extensions import db

MESSAGES = {
    400: ("The request could not be understood", "Something in what was sent was incomplete or "
          "malformed. Go back, check the form and try again."),
    403: ("You do not have access to this", "Your role in this project does not allow this page "
          "or action. Ask the project's lead if you need it."),
    404: ("Not found", "There is nothing at this address, or it belongs to a project you are not "
          "a member of."),
    405: ("Not allowed here", "This address does not accept that kind of request."),
    413: ("The file is too large", "The upload is larger than this server accepts. Large "
          "recordings can be split into parts, or the administrator can raise the limit."),
    423: ("This project is being imported", "A REFI-QDA project file is being imported into "
          "it. Its pages open once the import has ended, whole or not at all."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: ("Something went wrong on our side", "Nothing you entered was lost, but the action did "
          "not complete. Try again; if it keeps failing, tell your administrator the time it "
          "happened."),
}


def render_error(code: int, detail: str = "") -> tuple[str, int]:
    title, explanation = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, explanation=explanation, detail=detail
    ), code


def handle_http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
    if error.code is None or error.code < 400:
        return error
    return render_error(error.code)


def handle_csrf_error(_error: CSRFError) -> tuple[str, int]:
    return render_error(
        400,
        "The form had expired or was sent from another page. Reload the page and send it again; "
        "what you typed may need re-entering.",
    )


#: shown when even the error page cannot be drawn, e.g. the database went away mid-request
PLAIN_500 = (
    '<!doctype html><html lang="en"><title>Something went wrong</title>'
    f"<h1>{MESSAGES[500][0]}</h1><p>{MESSAGES[500][1]}</p>"
    '<p><a href="/">Your projects</a></p></html>'
)


def handle_unexpected_error(_error: Exception) -> tuple[str, int]:
    # The page names the signed-in user, which needs the database that may have just failed.
    try:
        db.session.rollback()
        return render_error(500)
    except Exception:  # any failure here must still give the user an answer
        db.session.remove()
        return PLAIN_500, 500


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected_error)
