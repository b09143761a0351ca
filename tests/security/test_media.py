"""Issue 21 item 5: uploads are never served raw. For every kind of stored file (progress photo, complaint
photo, attachment, an import kept between preview and commit), under the URL conf as `make run` builds it
(DEBUG on) and as production builds it:

- /media/<its stored name> answers 404 to anyone, anonymous, out of scope or in scope;
- its scope-checked view answers an anonymous caller with the login page (no bytes) and an out-of-scope
  user with 404, and serves an in-scope user, on the audit log.

The same anonymous requests are also made in a fresh process under config.django.local and
config.django.production, with the stored files present in its MEDIA_ROOT."""

import contextlib
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

from gendan.complaints.models import ComplaintPhoto
from gendan.core.models import AuditLog
from gendan.files.models import Attachment
from gendan.followup.models import ProgressPhoto

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_LIKE = {
    "DEBUG": False,
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "ALLOWED_HOSTS": ["testserver", "localhost"],
}


@contextlib.contextmanager
def url_conf(**overrides):
    """config.urls rebuilt under `overrides` (its routes once depended on DEBUG), restored afterwards."""
    import config.urls

    with override_settings(**overrides):
        importlib.reload(config.urls)
        clear_url_caches()
        try:
            yield
        finally:
            importlib.reload(config.urls)
            clear_url_caches()


@pytest.fixture
def web(world) -> dict[str, Client]:
    clients = {}
    for name in ("m1", "m2", "m3", "sup2"):
        client = Client(raise_request_exception=False)
        client.force_login(world.people[name])
        clients[name] = client
    return clients


def stored(world) -> list[tuple[str, str, str]]:
    """(kind, stored name, scoped URL) of each kind of file on the own side (m1's)."""
    s = world.side("own")
    progress = ProgressPhoto.objects.get(pk=s.ids["photo"])
    complaint = ComplaintPhoto.objects.get(pk=s.ids["complaint_photo"])
    attachment = Attachment.objects.get(pk=s.ids["attachment"])
    on_complaint = Attachment.objects.get(pk=s.ids["complaint_attachment"])
    return [
        ("progress photo", progress.file.name, reverse("followup:photo", args=[progress.pk])),
        (
            "complaint photo",
            complaint.file.name,
            reverse("complaints:photo", args=[complaint.complaint_id, complaint.pk]),
        ),
        ("attachment", attachment.file.name, reverse("files:download", args=[attachment.pk])),
        ("attachment (complaint)", on_complaint.file.name, reverse("files:download", args=[on_complaint.pk])),
        (
            "attachment (API)",
            attachment.file.name,
            f"/api/v1/attachments/{attachment.pk}/download",
        ),
    ]


def test_stored_names_are_random(world):
    for kind, name, _url in stored(world):
        stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        assert len(stem) >= 22, (kind, name)  # 128 bits or more from secrets.token_urlsafe
        assert not stem.isdigit(), (kind, name)  # no timestamp
        assert "claim" not in stem and "floor" not in stem and "techpack" not in stem  # not the client's name


@pytest.mark.parametrize("mode", ["local (DEBUG)", "production"])
def test_no_media_url_and_scoped_views_only(world, web, mode):
    overrides = {"DEBUG": True} if mode == "local (DEBUG)" else PRODUCTION_LIKE
    stash = default_storage.save("imports/" + "a" * 32 + ".xlsx", ContentFile(b"PK\x03\x04 import"))
    files = stored(world)
    assert all(default_storage.exists(name) for _kind, name, _url in files)
    with url_conf(**overrides):
        anonymous = Client()
        for kind, name, url in [*files, ("import kept for commit", stash, "")]:
            raw = f"/{settings.MEDIA_URL.strip('/')}/{name}"
            for who, client in (("anonymous", anonymous), ("m3", web["m3"]), ("m1", web["m1"])):
                response = client.get(raw)
                assert response.status_code == 404, (mode, kind, who, raw, response.status_code)
            if not url:
                continue
            before = AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD).count()
            response = anonymous.get(url)
            if url.startswith("/api/"):
                assert response.status_code == 401, (mode, kind)
            else:
                assert response.status_code == 302 and "/accounts/login" in response["Location"], (mode, kind)
            for outsider in ("m3", "sup2", "m2"):
                assert web[outsider].get(url).status_code == 404, (mode, kind, outsider)
            assert AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD).count() == before
            response = web["m1"].get(url)
            assert response.status_code == 200, (mode, kind)
            assert b"".join(response.streaming_content) == default_storage.open(name).read()
            entry = AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD).latest("id")
            assert entry.actor == world.people["m1"] and entry.data["file"] == name.rsplit("/", 1)[-1]


CHECK = """
import json, sys, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="localhost")
out = {}
for url in json.loads(sys.argv[1]):
    response = client.get(url)
    out[url] = [response.status_code, response.get("Location", "")]
print(json.dumps(out))
"""


@pytest.mark.parametrize("module", ["config.django.local", "config.django.production"])
def test_anonymous_requests_in_a_real_process(world, module, tmp_path):
    files = stored(world)
    urls = [f"/media/{name}" for _kind, name, _url in files] + [url for _kind, _name, url in files]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "GENDAN_TEST", "DJANGO_")) and k not in ("SECRET_KEY", "DEBUG")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": module,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the world's files are there
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",  # anonymous requests read no rows
            "SECRET_KEY": "media-check-" + "k" * 50,
            "ALLOWED_HOSTS": "localhost",
            "SECURE_SSL_REDIRECT": "false",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(urls)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    for _kind, name, url in files:
        assert Path(settings.MEDIA_ROOT, name).exists()
        assert answers[f"/media/{name}"][0] == 404, (module, name, answers[f"/media/{name}"])
        status, location = answers[url]
        if url.startswith("/api/"):
            assert status == 401, (module, url, status)
        else:
            assert status == 302 and "/accounts/login" in location, (module, url, status)
