"""Safety of the local server: Host check, loopback rule, access token, CSRF, cross-site
refusal, body limits, headers and escaping."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeguard.errors import PermissionDenied
from kneeguard.web.security import allowed_hosts, check_bind, host_name, is_loopback
from kneeguard.web.testing import csrf, make_client, parse, text


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    with make_client(tmp_path) as c:
        yield c


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "localhost", "[::1]:8000"])
def test_own_host_names_are_served(client, host: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io",
                                  "192.168.1.5:8000", ""])
def test_other_host_headers_are_refused(client, host: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/", headers={"host": host})
    assert response.status_code == 400
    assert "answers only to its own address" in text(parse(response.text).css_first("p"))
    api = client.get("/api/v1/status", headers={"host": host})
    assert api.status_code == 400
    assert api.json()["error"]["message"].startswith("This server answers only")


def test_host_rules() -> None:
    assert host_name("[::1]:8000") == "::1"
    assert host_name("LOCALHOST:80") == "localhost"
    assert is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert allowed_hosts("0.0.0.0") is None
    hosts = allowed_hosts("192.168.1.5")
    assert hosts is not None and "192.168.1.5" in hosts and "evil.example" not in hosts


def test_non_loopback_bind_needs_a_token() -> None:
    with pytest.raises(PermissionDenied, match="refusing to listen on 0.0.0.0"):
        check_bind("0.0.0.0", "")
    check_bind("0.0.0.0", "s3cret-token")
    check_bind("127.0.0.1", "")


def test_serve_refuses_a_public_address_without_token(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("serve", "--host", "0.0.0.0")
    assert result.exit_code == 7
    assert "refusing to listen on 0.0.0.0" in result.stderr


def test_access_token_guards_pages_and_api(tmp_path: Path) -> None:
    with make_client(tmp_path, host="0.0.0.0", access_token="let-me-in") as c:
        page = c.get("/journal", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=/journal"
        assert c.get("/api/v1/status").status_code == 401
        assert c.get("/api/v1/status",
                     headers={"authorization": "Bearer let-me-in"}).status_code == 200
        login = parse(c.get("/login").text)
        wrong = c.post("/login", data={"csrf_token": csrf(login), "token": "nope",
                                       "next": "/journal"})
        assert wrong.status_code == 401
        assert "not this server's access token" in text(parse(wrong.text).css_first(
            ".field-error"))
        right = c.post("/login", data={"csrf_token": csrf(login), "token": "let-me-in",
                                       "next": "/journal"}, follow_redirects=False)
        assert right.status_code == 303 and right.headers["location"] == "/journal"
        assert c.get("/journal").status_code == 200
        assert c.get("/api/v1/status").status_code == 200


def test_forms_need_the_csrf_token(client) -> None:  # type: ignore[no-untyped-def]
    missing = client.post("/journal", data={"pain_during": "2"})
    assert missing.status_code == 403
    assert "form has expired" in text(parse(missing.text).css_first("[role=alert]"))
    client.get("/journal")
    wrong = client.post("/journal", data={"pain_during": "2", "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    token = csrf(parse(client.get("/journal").text))
    ok = client.post("/journal", data={"pain_during": "2", "csrf_token": token},
                     follow_redirects=False)
    assert ok.status_code == 303


@pytest.mark.parametrize("headers", [{"origin": "http://evil.example"},
                                     {"sec-fetch-site": "cross-site"},
                                     {"origin": "null"}])
def test_cross_site_posts_are_refused(client, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    token = csrf(parse(client.get("/journal").text))
    response = client.post("/journal", data={"pain_during": "2", "csrf_token": token},
                           headers=headers)
    assert response.status_code == 403
    api = client.post("/api/v1/journal", json={"pain_during": 2}, headers=headers)
    assert api.status_code == 403
    assert client.get("/api/v1/journal").json()["entries"] == []


def test_same_origin_posts_pass(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf(parse(client.get("/journal").text))
    response = client.post("/journal", data={"pain_during": "2", "csrf_token": token},
                           headers={"origin": "http://127.0.0.1:8000",
                                    "sec-fetch-site": "same-origin"}, follow_redirects=False)
    assert response.status_code == 303


def test_api_takes_json_not_form_bodies(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/journal", content=b"pain_during=2",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert "JSON bodies" in response.json()["error"]["message"]


def test_upload_over_the_limit_is_refused_with_a_sentence(tmp_path: Path) -> None:
    with make_client(tmp_path, upload_max_mb=0.01) as c:
        token = csrf(parse(c.get("/import").text))
        response = c.post("/import", data={"csrf_token": token},
                          files=[("files", ("big.fit", b"x" * 20_000))])
        assert response.status_code == 413
        message = text(parse(response.text).css_first("[role=alert]"))
        assert "larger than the limit of 0.01 MB (setting upload_max_mb)" in message
        api = c.post("/api/v1/activities", files=[("files", ("big.fit", b"x" * 20_000))])
        assert api.status_code == 413
        assert "upload_max_mb" in api.json()["error"]["message"]


def test_large_form_bodies_are_refused(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf(parse(client.get("/journal").text))
    response = client.post("/journal", data={"note": "x" * 1_100_000, "csrf_token": token})
    assert response.status_code == 413


def test_security_headers_and_csrf_cookie(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("kg_csrf=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_user_text_is_escaped(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf(parse(client.get("/journal").text))
    note = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post("/journal", data={"pain_during": "2", "note": note, "csrf_token": token})
    page = client.get("/journal")
    tree = parse(page.text)
    assert all("alert" not in (s.text() or "") for s in tree.css("script"))
    assert not tree.css("img")
    assert note in text(tree.css_first("#entries-section tbody"))


def test_no_asset_comes_from_another_site(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/assess", "/import", "/journal", "/training", "/plan", "/assessments"):
        tree = parse(client.get(path).text)
        for node in tree.css("script[src], link[href], img[src]"):
            url = node.attributes.get("src") or node.attributes.get("href") or ""
            assert url.startswith("/static/"), f"{path} loads {url}"
