"""Content-Security-Policy on every HTML answer (issue 21): scripts only from this site or with the
request's nonce, nothing framed, forms posting only here.

A small middleware rather than django-csp: one policy, one nonce, no per-view overrides needed. Templates
with an inline script mark it `<script nonce="{{ request.csp_nonce }}">`; inline event handlers (onclick=)
are not allowed — behaviour lives in gendan/static/gendan/js/app.js. Styles may be inline (style=""
attributes in templates; htmx adds its indicator style). The ninja docs page loads Swagger UI from this
site's static files, so it runs under the same policy. Override the whole header with
settings.GENDAN_CSP (a string; empty turns it off).
"""

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

DEFAULT_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce_holder: list[str] = []

        def make_nonce() -> str:
            if not nonce_holder:
                nonce_holder.append(secrets.token_urlsafe(16))
            return nonce_holder[0]

        request.csp_nonce = SimpleLazyObject(make_nonce)
        response = self.get_response(request)
        policy = getattr(settings, "GENDAN_CSP", DEFAULT_POLICY)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy.replace("{nonce}", make_nonce())
        return response
