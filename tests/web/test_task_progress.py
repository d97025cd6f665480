import pytest
from django.test import Client

from civicbill.core.progress import progress_advance, progress_finish, progress_start

pytestmark = pytest.mark.django_db


def test_a_running_job_shows_a_live_progress_bar_that_stops_polling_when_done(client: Client, csr):
    progress = progress_start(key="demo:1", kind="demo", label="Demo import", total=200)
    progress_advance(progress, done=50, exceptions=2)
    client.force_login(csr)
    page = client.get("/tasks/demo:1/").content.decode()
    assert 'value="25"' in page
    assert "50 / 200, 2 exceptions" in page
    assert 'hx-trigger="every 1s"' in page
    progress_advance(progress, done=150)
    progress_finish(progress, succeeded=True, message="All rows imported")
    partial = client.get("/tasks/demo:1/", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="100"' in partial
    assert "All rows imported" in partial
    assert "hx-trigger" not in partial
