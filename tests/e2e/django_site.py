"""A minimal Django project of its own (a JSON view, Django's usual middleware, CSRF checks included) whose
URLconf routes a jupyter_session app at ``tool``, on Django's threaded development server:
``python django_site.py --port N`` from tests/e2e/. Settings are configured here rather than in a settings
module; this module is the URLconf."""

from __future__ import annotations

import argparse

from backend_apps import tool
from django.http import HttpRequest, JsonResponse
from django.urls import path

from jupyter_session.platform.django import webio_view


def read_item(request: HttpRequest, item: int) -> JsonResponse:
    return JsonResponse({"item": item, "method": request.method})


urlpatterns = [
    path("api/items/<int:item>", read_item),
    path("tool", webio_view(tool)),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()

    from django.conf import settings
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        # Run as a script this module is __main__: naming it so keeps Django from importing it a second time.
        ROOT_URLCONF=__name__,
        SECRET_KEY="a test site's key, not a secret",
        INSTALLED_APPS=[],
        # A real project's: the page's pushes are POSTs, which the CSRF check would refuse without csrf_exempt.
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
    )

    def bound(port: int) -> None:
        print(f"Running on http://127.0.0.1:{port}/", flush=True)

    # threading: each page holds a thread with its pull (up to 20 s) while it waits for commands.
    run("127.0.0.1", arguments.port, get_wsgi_application(), threading=True, on_bind=bound)


if __name__ == "__main__":
    main()
