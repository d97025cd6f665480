"""The OpenAPI document tells the truth (issue 11, point 12): one schema per name, so every
documented request body is the one the endpoint reads; bounded list parameters (422, never a 500);
every operation documents its error answers with the one error schema."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict
from typing import Any

import pytest
from django.test import Client
from ninja import Schema

import civicbill.api
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client, make_user: Any) -> Client:
    client.force_login(make_user("Admin", "admin"))
    return client


def _schema(client: Client) -> dict[str, Any]:
    return client.get("/api/openapi.json").json()


def test_no_two_api_schemas_share_a_name():
    """Two Schema classes of one name share one OpenAPI component, so one endpoint documents the
    other's body (NoteIn, ResolveIn and ExchangeIn did)."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for module_info in pkgutil.iter_modules(civicbill.api.__path__):
        module = importlib.import_module(f"civicbill.api.{module_info.name}")
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Schema) and value.__module__ == module.__name__:
                by_name[name].add(module.__name__)
    assert {name: modules for name, modules in by_name.items() if len(modules) > 1} == {}


def _example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A value for a JSON schema: required properties only, the first choice of an enum."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components)
    if "anyOf" in schema:
        return _example(schema["anyOf"][0], components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: _example(schema["properties"][name], components) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind in {"integer", "number"}:
        return 1
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return "2026-12-01"
    return "x"


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/api/accounts/{number}/notes", "/api/accounts/9999999-9/notes"),
        (
            "/api/bill-runs/{run_id}/exceptions/{exception_id}/resolve",
            "/api/bill-runs/999/exceptions/999/resolve",
        ),
        ("/api/meters/{serial}/exchange", "/api/meters/NOPE-1/exchange"),
    ],
)
def test_the_documented_request_body_is_the_one_the_endpoint_reads(staff: Client, path: str, url: str):
    """A body built from the documented schema passes validation: the answer is the unknown
    record's 404, not a 422 for fields the document never named."""
    schema = _schema(staff)
    body_schema = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    body = _example(body_schema, schema["components"]["schemas"])
    response = staff.post(url, body, content_type="application/json")
    assert response.status_code == 404, (body, response.json())


@pytest.mark.parametrize(
    "query",
    [
        "/api/autopay/enrollments?offset=-5",
        "/api/autopay/enrollments?limit=0",
        "/api/autopay/enrollments?limit=1001",
        "/api/autopay/drafts?limit=-1",
        "/api/autopay/returns?limit=0",
        "/api/accounts/?q=pena&limit=101",
        "/api/bill-runs/?limit=0",
        "/api/bill-runs/1/exceptions?limit=-1",
        "/api/meters/?limit=0",
        "/api/read-exceptions/?limit=1001",
        "/api/workorders/?limit=0",
    ],
)
def test_list_bounds_are_checked_with_a_422_naming_the_parameter(staff: Client, query: str):
    response = staff.get(query)
    assert response.status_code == 422, response.content
    parameter = query.rsplit("&", 1)[-1].rsplit("?", 1)[-1].split("=")[0]
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid_request", parameter)
    assert body["detail"].startswith(f"{parameter}: ")


def test_offset_and_limit_page_through_enrollments(staff: Client):
    response = staff.get("/api/autopay/enrollments?offset=0&limit=1000")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "enrollments": []}


def test_every_operation_documents_its_error_answers(staff: Client):
    schema = _schema(staff)
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail", "code", "field"]
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            wanted = {"400", "401", "403", "404", "422"} | ({"409"} if method == "post" else set())
            for status in sorted(wanted):
                answer = operation["responses"].get(status)
                reference = answer and answer["content"]["application/json"]["schema"].get("$ref")
                if reference != "#/components/schemas/Error":
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


def test_errors_share_one_shape(client: Client, make_user: Any):
    assert client.get("/api/accounts/1000001-6").json() == {
        "detail": "Sign in, or send Authorization: Bearer <token> with a valid, unrevoked token",
        "code": "not_authenticated",
        "field": None,
    }
    client.force_login(make_user("Admin", "admin"))
    with assert_nothing_changed():
        refused = client.post("/api/drawer-sessions", {"drawer": "CH-1"}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": "starting_float: Field required",
        "code": "invalid_request",
        "field": "starting_float",
        "errors": [{"field": "starting_float", "message": "Field required", "type": "missing"}],
    }


# -- /api/docs without internet ------------------------------------------------------------------------
def _asset_urls(page: str) -> list[str]:
    import re

    return re.findall(r'(?:src|href)="([^"]+)"', page)


def test_the_docs_page_loads_swagger_ui_from_the_project_only(staff: Client):
    from django.conf import settings
    from django.contrib.staticfiles import finders

    page = staff.get("/api/docs").content.decode()
    urls = _asset_urls(page)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls), urls
    assert "cdn" not in page.lower()
    static = "/" + settings.STATIC_URL.lstrip("/")
    for url in urls:
        assert url.startswith(static), url  # nothing from another host
        assert finders.find(url.removeprefix(static)) is not None, url


def test_the_docs_assets_are_served_by_a_real_server(api_server: Any):
    import urllib.request

    from tests.api.test_api_auth import _signed_in_cookie

    cookie = _signed_in_cookie(api_server.url, "csr")
    request = urllib.request.Request(f"{api_server.url}/api/docs", headers={"Cookie": cookie})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        page = answer.read().decode()
    urls = _asset_urls(page)
    assert len(urls) >= 3, page
    for url in urls:
        with urllib.request.urlopen(f"{api_server.url}{url}", timeout=30) as asset:  # noqa: S310
            assert asset.status == 200 and len(asset.read()) > 100, url
