"""What a client gets from the real gunicorn (portal/gunicorn_conf.py) for requests gunicorn
refuses itself: JSON in the portal's error shape, and no request line (which may hold a token) in
its log."""

import json
import os
import secrets
import socket

import pytest

from portal.devtools.stack import GunicornServer

TOKEN = "Zq9_webhookTokenThatMustNotLeak-x"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gunicorn")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(folder)),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
    }
    with GunicornServer(env, 1, folder / "gunicorn.log", config="portal.gunicorn_conf") as running:
        yield running


def exchange(server, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer: (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, body


def get(path: str, *headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@pytest.mark.parametrize(
    "request_bytes, status, code",
    [
        (get(f"/answer_url/1000/{TOKEN}/?custom=" + "x" * 9000), 414, "uri_too_long"),
        (get("/api/v1/users/", "X-Long: " + "y" * 9000), 431, "headers_too_large"),
        (get("/api/v1/users/", *(f"X-H{n}: 1" for n in range(120))), 431, "headers_too_large"),
        (f"GET /answer_url/1000/{TOKEN}/ HTTP/9.9\r\n\r\n".encode(), 400, "malformed_request"),
        (f"G(T /answer_url/1000/{TOKEN}/ HTTP/1.1\r\n\r\n".encode(), 400, "malformed_request"),
    ],
    ids=["url-too-long", "header-too-large", "too-many-headers", "bad-version", "bad-method"],
)
def test_a_request_gunicorn_refuses_gets_the_json_error_shape(server, request_bytes, status, code):
    answer_status, headers, body = exchange(server, request_bytes)
    assert answer_status == status
    assert headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["error"] == code and answer["detail"]
    assert int(headers["content-length"]) == len(body)


def test_a_long_url_under_8_kb_reaches_the_portal(server):
    status, _, body = exchange(server, get("/api/v1/users/?search=" + "z" * 6000))
    assert status == 401  # the portal's own answer: gunicorn's default limit (4094) would be 414
    assert json.loads(body)["error"] == "not_authenticated"


def test_refusals_are_logged_without_the_request_line(server):
    exchange(server, f"G(T /answer_url/1000/{TOKEN}/ HTTP/1.1\r\n\r\n".encode())
    exchange(server, get(f"/answer_url/1000/{TOKEN}/?custom=" + "x" * 9000))
    log = server.log_path.read_text(errors="replace")
    assert "Refused a request" in log
    assert TOKEN not in log
