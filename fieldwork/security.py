"""Security headers on every response; the Content-Security-Policy allows no inline script.

Inline styles are refused too, except those a page marks with the response's nonce: a
vendored library that must add a <style> element (wavesurfer.js, inside its shadow DOM)
receives the nonce from `csp_nonce()` in the template.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
#: Headers of every stored file's bytes. The type they go out with is found in the bytes
#: (fieldwork.filetypes), and nosniff stops the browser guessing another; should a browser
#: still open one as a page, the sandbox gives it an origin of its own where no script
#: runs and no form can be sent.
STORED_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
}


def csp_nonce() -> str:
    """This response's nonce for inline styles, made when a template first asks for it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy() -> str:
    if "csp_nonce" not in g:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{g.csp_nonce}'"
    )


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=()")
    return response


def register_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.add_template_global(csp_nonce)
