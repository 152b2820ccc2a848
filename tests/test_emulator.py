"""The Slack emulator, driven by the real slack_sdk over real HTTP.

Everything else in the test suite trusts the emulator to behave like Slack, so each
behaviour the bot relies on (ids, errors, uploads, faults, control API) is pinned here.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from bot.emulator import SlackEmulator
from bot.emulator.scopes import every_scope, manifest_scopes

REPO = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8 + b"\r\n--not-a-boundary\r\n"
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Survey"}, "blocks": []}


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk ignores NO_PROXY, so a proxy in the environment would swallow 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    """These tests exercise the emulator's mechanics, so its token holds every scope;
    the manifest's own grant is tested in tests/bot/test_manifest.py."""
    with SlackEmulator(scopes=every_scope()) as emulator:
        emulator.invite("C01GENERAL")  # as an admin would, for the file shares posted there
        yield emulator


@pytest.fixture
def client(slack: SlackEmulator) -> WebClient:
    return WebClient(token=slack.token, base_url=slack.base_url, timeout=5)


def _error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return str(info.value.response["error"])


# ---- messages -------------------------------------------------------------------
def test_post_update_delete_and_read_back(slack: SlackEmulator, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C01GENERAL", text="hello")
    assert posted["channel"] == "C01GENERAL" and posted["message"]["text"] == "hello"
    ts = posted["ts"]

    client.chat_update(channel="C01GENERAL", ts=ts, text="edited")
    [message] = slack.messages("C01GENERAL")
    assert (message["ts"], message["text"], message["user"]) == (ts, "edited", slack.bot_user_id)
    assert "edited" in message

    link = client.chat_getPermalink(channel="C01GENERAL", message_ts=ts)["permalink"]
    assert link.endswith(f"/archives/C01GENERAL/p{ts.replace('.', '')}")

    client.reactions_add(channel="C01GENERAL", timestamp=ts, name="tada")
    assert slack.messages()[0]["reactions"][0]["name"] == "tada"
    assert _error_of(
        lambda: client.reactions_add(channel="C01GENERAL", timestamp=ts, name="tada")
    ) == ("already_reacted")

    client.chat_delete(channel="C01GENERAL", ts=ts)
    assert slack.messages() == []
    assert _error_of(lambda: client.chat_update(channel="C01GENERAL", ts=ts, text="x")) == (
        "message_not_found"
    )


def test_post_to_channel_name_and_user_id(slack: SlackEmulator, client: WebClient) -> None:
    assert client.chat_postMessage(channel="#cx-feedback", text="a")["channel"] == "C02FEEDBACK"
    dm = client.conversations_open(users="U01ALICE")["channel"]["id"]
    assert client.chat_postMessage(channel="U01ALICE", text="b")["channel"] == dm
    assert [m["text"] for m in slack.messages(dm)] == ["b"]


def test_form_and_multipart_encodings_decode_json_args(
    slack: SlackEmulator, client: WebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    # params= sends form-urlencoded, data= sends multipart; both carry blocks as a JSON string.
    client.api_call(
        "chat.postMessage", params={"channel": "C01GENERAL", "blocks": json.dumps(blocks)}
    )
    client.api_call(
        "chat.postMessage", data={"channel": "C01GENERAL", "blocks": json.dumps(blocks)}
    )
    assert [m["blocks"] for m in slack.messages("C01GENERAL")] == [blocks, blocks]


def test_token_as_param_via_post_get_and_chunked_body(slack: SlackEmulator) -> None:
    form = f"token={slack.token}".encode()
    post = urllib.request.Request(slack.base_url + "auth.test", data=form, method="POST")
    with urllib.request.urlopen(post, timeout=5) as response:
        assert json.load(response)["user_id"] == slack.bot_user_id
    with urllib.request.urlopen(f"{slack.base_url}auth.test?token={slack.token}") as response:
        assert json.load(response)["ok"]

    connection = http.client.HTTPConnection("127.0.0.1", slack.port, timeout=5)
    chunks = iter([form, b"&channel=C01GENERAL", b"&text=chunked"])
    connection.request("POST", "/api/chat.postMessage", body=chunks, encode_chunked=True)
    assert json.load(connection.getresponse())["ok"]
    connection.close()
    assert slack.messages()[0]["text"] == "chunked"


def test_ts_strictly_increasing_under_concurrent_posts(
    slack: SlackEmulator, client: WebClient
) -> None:
    per_thread: dict[int, list[str]] = {}

    def post(worker: int) -> None:
        per_thread[worker] = [
            client.chat_postMessage(channel="C01GENERAL", text=f"{worker}-{i}")["ts"]
            for i in range(20)
        ]

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    all_ts = [ts for seq in per_thread.values() for ts in seq]
    assert len(set(all_ts)) == len(all_ts) == 160
    for seq in per_thread.values():
        assert all(float(a) < float(b) for a, b in zip(seq, seq[1:], strict=False))
    assert len(slack.messages("C01GENERAL")) == 160


def test_ephemeral(slack: SlackEmulator, client: WebClient) -> None:
    sent = client.chat_postEphemeral(channel="C01GENERAL", user="U02BOB", text="only you")
    [ephemeral] = slack.ephemerals()
    assert ephemeral["message_ts"] == sent["message_ts"] and ephemeral["user"] == "U02BOB"
    assert slack.messages() == []


# ---- errors -----------------------------------------------------------------------
def test_auth_errors(slack: SlackEmulator) -> None:
    wrong = WebClient(token="xoxb-wrong", base_url=slack.base_url)
    missing = WebClient(base_url=slack.base_url)
    assert _error_of(wrong.auth_test) == "invalid_auth"
    assert _error_of(missing.auth_test) == "not_authed"
    assert [c["status"] for c in slack.calls("auth.test")] == [200, 200]


def test_argument_errors(client: WebClient) -> None:
    assert _error_of(lambda: client.api_call("chat.nonsense")) == "unknown_method"
    assert _error_of(
        lambda: client.api_call("chat.postMessage", json={"channel": "C01GENERAL"})
    ) == ("no_text")
    assert _error_of(lambda: client.api_call("chat.postMessage", json={"text": "x"})) == (
        "channel_not_found"
    )
    assert (
        _error_of(lambda: client.chat_postMessage(channel="#nope", text="x")) == "channel_not_found"
    )
    assert (
        _error_of(lambda: client.users_lookupByEmail(email="ghost@example.com"))
        == "users_not_found"
    )
    assert _error_of(lambda: client.users_info(user="U404")) == "user_not_found"
    assert _error_of(lambda: client.usergroups_users_list(usergroup="S404")) == "no_such_subteam"


# ---- scopes -----------------------------------------------------------------------
def test_the_token_holds_exactly_the_manifest_scopes_and_auth_test_says_so() -> None:
    with SlackEmulator() as emulator:
        client = WebClient(token=emulator.token, base_url=emulator.base_url, timeout=5)
        reply = client.auth_test()
    assert reply.headers["x-oauth-scopes"].split(",") == list(manifest_scopes())
    assert "chat:write" in manifest_scopes()


def test_a_method_without_its_scope_answers_missing_scope_as_slack_does() -> None:
    with SlackEmulator(scopes=["chat:write", "im:write"]) as emulator:
        client = WebClient(token=emulator.token, base_url=emulator.base_url, timeout=5)
        client.chat_postMessage(
            channel=client.conversations_open(users="U01ALICE")["channel"]["id"], text="hi"
        )
        with pytest.raises(SlackApiError) as info:
            client.users_lookupByEmail(email="alice@example.com")
        assert emulator.calls("users.lookupByEmail")[0]["status"] == 200
        emulator.scopes = ("chat:write", "users:read.email")  # granted while running
        assert client.users_lookupByEmail(email="alice@example.com")["user"]["id"] == "U01ALICE"
    assert info.value.response.data == {
        "ok": False, "error": "missing_scope", "needed": "users:read.email", "provided": "chat:write,im:write",
    }  # fmt: skip
    assert info.value.response.headers["x-oauth-scopes"] == "chat:write,im:write"


def test_history_needs_the_scope_of_the_channel_type() -> None:
    with SlackEmulator(scopes=["chat:write", "channels:history"]) as emulator:
        emulator.add_channel("C0PUBLIC", "public", members=[emulator.bot_user_id])
        emulator.add_channel(
            "G0PRIVATE", "private", is_private=True, members=[emulator.bot_user_id]
        )
        client = WebClient(token=emulator.token, base_url=emulator.base_url, timeout=5)
        assert client.conversations_history(channel="C0PUBLIC")["messages"] == []
        assert (
            _error_of(lambda: client.conversations_history(channel="G0PRIVATE")) == "missing_scope"
        )
        assert emulator.calls("conversations.history")[-1]["response"]["needed"] == "groups:history"


# ---- membership -------------------------------------------------------------------
def _manifest_client(emulator: SlackEmulator) -> WebClient:
    return WebClient(token=emulator.token, base_url=emulator.base_url, timeout=5)


def test_the_bot_posts_only_where_it_is_a_member_unless_chat_write_public() -> None:
    with SlackEmulator(scopes=["chat:write", "files:write", "channels:history"]) as emulator:
        emulator.add_channel("G0SECRET", "secret", is_private=True, members=["U01ALICE"])
        client = _manifest_client(emulator)
        assert _error_of(lambda: client.chat_postMessage(channel="C01GENERAL", text="x")) == (
            "not_in_channel"
        )
        assert _error_of(lambda: client.chat_postMessage(channel="G0SECRET", text="x")) == (
            "channel_not_found"  # a private channel is invisible to a non-member
        )
        assert _error_of(lambda: client.conversations_history(channel="C01GENERAL")) == (
            "not_in_channel"
        )
        assert _error_of(
            lambda: client.files_upload_v2(channel="C01GENERAL", content=PNG, filename="p.png")
        ) == ("not_in_channel")
        emulator.scopes = ("chat:write", "chat:write.public", "files:write")
        assert client.chat_postMessage(channel="C01GENERAL", text="public")["ok"]
        assert _error_of(  # chat:write.public covers messages, not file shares
            lambda: client.files_upload_v2(channel="C01GENERAL", content=PNG, filename="p.png")
        ) == ("not_in_channel")
        emulator.invite("C01GENERAL")
        assert client.files_upload_v2(channel="C01GENERAL", content=PNG, filename="p.png")["ok"]
    assert [m["text"] for m in emulator.messages("C01GENERAL")] == ["public", ""]


def test_conversations_join_works_for_public_channels_only() -> None:
    with SlackEmulator(scopes=["chat:write", "channels:join", "channels:read"]) as emulator:
        emulator.add_channel("G0SECRET", "secret", is_private=True, members=["U01ALICE"])
        client = _manifest_client(emulator)
        joined = client.conversations_join(channel="C01GENERAL")
        assert joined["channel"]["is_member"] is True and "warning" not in joined
        assert client.conversations_join(channel="C01GENERAL")["warning"] == "already_in_channel"
        assert client.chat_postMessage(channel="C01GENERAL", text="joined")["ok"]
        members = client.conversations_members(channel="C01GENERAL")["members"]
        assert emulator.bot_user_id in members and "U01ALICE" in members
        assert _error_of(lambda: client.conversations_join(channel="G0SECRET")) == (
            "method_not_supported_for_channel_type"
        )
        emulator.scopes = ("chat:write",)
        assert _error_of(lambda: client.conversations_join(channel="C02FEEDBACK")) == (
            "missing_scope"
        )


def test_slack_connect_members_are_in_the_shared_channel_but_not_found_by_email() -> None:
    with SlackEmulator(scopes=["users:read", "users:read.email", "channels:read"]) as emulator:
        emulator.add_user("U0EXTERN1", "li", email="li@acme.com", team_id="T0ACME")
        emulator.add_channel(
            "C0ACME", "shared-acme", members=[emulator.bot_user_id, "U01ALICE", "U0EXTERN1"]
        )
        client = _manifest_client(emulator)
        assert _error_of(lambda: client.users_lookupByEmail(email="li@acme.com")) == (
            "users_not_found"
        )
        assert "U0EXTERN1" in client.conversations_members(channel="C0ACME")["members"]
        person = client.users_info(user="U0EXTERN1")["user"]
        assert (person["team_id"], person["is_stranger"]) == ("T0ACME", True)
        assert client.users_lookupByEmail(email="alice@example.com")["user"]["id"] == "U01ALICE"


# ---- directory --------------------------------------------------------------------
def test_users_and_groups(slack: SlackEmulator, client: WebClient) -> None:
    alice = client.users_info(user="U01ALICE")["user"]
    assert alice["tz"] == "Europe/Bucharest" and alice["tz_offset"] in (7200, 10800)
    assert alice["profile"]["email"] == "alice@example.com" and alice["is_bot"] is False

    slack.add_user("U09DAN", "dan", email="Dan@Example.com", tz="Asia/Kolkata")
    assert client.users_lookupByEmail(email="dan@example.com")["user"]["tz_offset"] == 19800

    slack.add_usergroup("S09OPS", ["U09DAN", "U01ALICE"])
    assert client.usergroups_users_list(usergroup="S09OPS")["users"] == ["U09DAN", "U01ALICE"]


def test_conversations_open_ids_are_stable(slack: SlackEmulator, client: WebClient) -> None:
    first = client.conversations_open(users="U01ALICE")
    again = client.conversations_open(users=["U01ALICE"])
    other = client.conversations_open(users="U02BOB")["channel"]["id"]
    dm = first["channel"]["id"]
    assert dm.startswith("D") and again["channel"]["id"] == dm and other != dm
    assert again["already_open"] is True
    assert client.conversations_info(channel=dm)["channel"]["user"] == "U01ALICE"
    with SlackEmulator() as fresh:  # stable across emulator instances, i.e. restarts
        fresh_client = WebClient(token=fresh.token, base_url=fresh.base_url)
        assert fresh_client.conversations_open(users="U01ALICE")["channel"]["id"] == dm


# ---- views ------------------------------------------------------------------------
def test_views_lifecycle(slack: SlackEmulator, client: WebClient) -> None:
    opened = client.views_open(trigger_id="123.456", view=MODAL)["view"]
    updated = client.views_update(view_id=opened["id"], view={**MODAL, "callback_id": "v2"})["view"]
    assert updated["id"] == opened["id"] and updated["callback_id"] == "v2"
    assert _error_of(
        lambda: client.views_update(view_id=opened["id"], hash="stale", view=MODAL)
    ) == ("hash_conflict")
    client.views_push(trigger_id="123.789", view=MODAL)
    home = {"type": "home", "blocks": []}
    first = client.views_publish(user_id="U01ALICE", view=home)["view"]["id"]
    assert client.views_publish(user_id="U01ALICE", view=home)["view"]["id"] == first
    records = slack.views()
    assert [r["method"] for r in records] == ["views.update", "views.push", "views.publish"]
    assert records[2]["user_id"] == "U01ALICE"


# ---- files ------------------------------------------------------------------------
def test_files_upload_v2_bytes_arrive_intact(slack: SlackEmulator, client: WebClient) -> None:
    result = client.files_upload_v2(
        channel="C01GENERAL", content=PNG, filename="nps.png", title="NPS", initial_comment="weekly"
    )
    [stored] = slack.files()
    assert result["file"]["id"] == stored["id"] and stored["content"] == PNG
    assert (
        stored["shared"]
        and stored["channels"] == ["C01GENERAL"]
        and stored["mimetype"] == "image/png"
    )
    [share] = slack.messages("C01GENERAL")
    assert share["text"] == "weekly" and share["files"][0]["id"] == stored["id"]


def test_upload_url_accepts_multipart(slack: SlackEmulator, client: WebClient) -> None:
    ticket = client.files_getUploadURLExternal(filename="a.bin", length=len(PNG))
    boundary = "xyz"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + PNG
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        ticket["upload_url"],
        data=body,
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
    assert slack.files()[0]["content"] == PNG


def test_complete_upload_without_upload_fails(client: WebClient) -> None:
    ticket = client.files_getUploadURLExternal(filename="a.png", length=10)
    complete = lambda: client.files_completeUploadExternal(  # noqa: E731
        files=[{"id": ticket["file_id"], "title": "a"}], channel_id="C01GENERAL"
    )
    assert _error_of(complete) == "file_not_found"


# ---- response_url, waiting -----------------------------------------------------------
def test_response_url_posts_are_recorded(slack: SlackEmulator) -> None:
    url = slack.response_url("survey-1")
    assert url == f"{slack.url}response/survey-1"
    threading.Timer(
        0.05, lambda: WebhookClient(url).send(text="Thanks!", replace_original=True)
    ).start()
    call = slack.wait_for("response_url")
    assert call["params"]["body"]["text"] == "Thanks!"
    assert slack.responses("survey-1")[0]["body"]["replace_original"] is True
    assert slack.response_url() != slack.response_url()


def test_wait_for_times_out_listing_calls(slack: SlackEmulator, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"(?s)chat.postMessage.*auth.test -> 200"):
        slack.wait_for("chat.postMessage", timeout=0.1)
    assert slack.wait_for("auth.test", lambda c: c["status"] == 200)["method"] == "auth.test"


# ---- faults -----------------------------------------------------------------------
def test_server_errors_are_retried(slack: SlackEmulator) -> None:
    handler = ServerErrorRetryHandler(
        max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
    )
    client = WebClient(token=slack.token, base_url=slack.base_url, retry_handlers=[handler])
    slack.fail("chat.postMessage", count=2)
    assert client.chat_postMessage(channel="C01GENERAL", text="eventually")["ok"]
    assert [c["status"] for c in slack.calls("chat.postMessage")] == [500, 500, 200]
    assert len(slack.messages()) == 1  # faulted attempts had no side effects


def test_rate_limit_is_retried_after_retry_after(slack: SlackEmulator) -> None:
    client = WebClient(
        token=slack.token,
        base_url=slack.base_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    slack.fail("chat.*", mode="ratelimit", retry_after=0, count=1)
    assert client.chat_postMessage(channel="C01GENERAL", text="x")["ok"]
    limited, ok = slack.calls("chat.postMessage")
    assert (limited["status"], limited["response"]["error"], ok["status"]) == (
        429,
        "ratelimited",
        200,
    )


def test_slack_error_and_persistent_faults(slack: SlackEmulator, client: WebClient) -> None:
    slack.fail("chat.postMessage", mode="slack_error", error="channel_not_found", count=1)
    assert _error_of(lambda: client.chat_postMessage(channel="C01GENERAL", text="x")) == (
        "channel_not_found"
    )
    assert client.chat_postMessage(channel="C01GENERAL", text="x")["ok"]

    slack.fail("users.info", status=503)  # count=None: until cleared
    for _ in range(3):
        with pytest.raises(SlackApiError) as info:
            client.users_info(user="U01ALICE")
        assert info.value.response.status_code == 503
    slack.clear_faults()
    assert client.users_info(user="U01ALICE")["ok"]


def test_timeout_fault_times_out_the_client(slack: SlackEmulator) -> None:
    client = WebClient(token=slack.token, base_url=slack.base_url, timeout=0.3)
    slack.fail("chat.postMessage", mode="timeout", count=1)  # default delay outlasts any client
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C01GENERAL", text="slow")
    assert time.monotonic() - started < 2
    assert client.chat_postMessage(channel="C01GENERAL", text="fast")["ok"]
    assert [c["fault"] for c in slack.calls("chat.postMessage")] == ["timeout", None]
    assert [m["text"] for m in slack.messages()] == ["fast"]


def test_reset_keeps_seeds_and_stop_frees_port(slack: SlackEmulator, client: WebClient) -> None:
    client.chat_postMessage(channel="C01GENERAL", text="x")
    slack.fail("*", count=None)
    slack.reset()
    assert slack.calls() == [] and slack.messages() == []
    assert client.users_info(user="U01ALICE")["ok"]

    port = slack.port
    slack.stop()
    with SlackEmulator(port=port) as again:  # a restarted emulator can take the same port
        assert WebClient(token=again.token, base_url=again.base_url).auth_test()["ok"]


def test_state_file_survives_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "slack.json"
    with SlackEmulator(state_file=state_file) as first:
        first.invite("C01GENERAL")  # the membership is part of the persisted workspace
        ts = WebClient(token=first.token, base_url=first.base_url).chat_postMessage(
            channel="C01GENERAL", text="persisted"
        )["ts"]
        first.add_user("U09EVE", "eve")
    with SlackEmulator(state_file=state_file) as second:
        client = WebClient(token=second.token, base_url=second.base_url)
        assert [(m["ts"], m["text"]) for m in second.messages()] == [(ts, "persisted")]
        assert client.users_info(user="U09EVE")["ok"]
        assert float(client.chat_postMessage(channel="C01GENERAL", text="n")["ts"]) > float(ts)


# ---- standalone process + HTTP control API ------------------------------------------------
def _http(method: str, url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def test_standalone_process_and_control_api() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.emulator", "--port", "0", "--host", "127.0.0.1"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api/")
        control = base_url.removesuffix("api/") + "_emulator/"
        assert _http("GET", control + "health")["ok"]

        client = WebClient(token="xoxb-test", base_url=base_url)
        _http("POST", control + "users", {"id": "U09ZOE", "name": "zoe", "tz": "Europe/Bucharest"})
        assert client.users_info(user="U09ZOE")["user"]["tz"] == "Europe/Bucharest"

        _http("POST", control + "invite", {"channel": "C01GENERAL"})  # the bot, by default
        _http("POST", control + "faults", {"method": "chat.postMessage", "status": 500, "count": 1})
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C01GENERAL", text="x")
        client.chat_postMessage(channel="C01GENERAL", text="y")
        _http(
            "POST",
            control + "faults",
            {"method": "auth.test", "mode": "slack_error", "error": "account_inactive"},
        )
        assert _error_of(client.auth_test) == "account_inactive"
        _http("DELETE", control + "faults")
        assert client.auth_test()["ok"]

        calls = _http("GET", control + "calls?method=chat.postMessage")
        assert [c["status"] for c in calls] == [500, 200]
        assert [m["text"] for m in _http("GET", control + "messages")] == ["y"]

        client.files_upload_v2(channel="C01GENERAL", content=PNG, filename="p.png")
        [meta] = _http("GET", control + "files")
        assert "content" not in meta and meta["size"] == len(PNG)
        assert (
            base64.b64decode(_http("GET", control + f"files/{meta['id']}")["content_base64"]) == PNG
        )

        _http("POST", control + "reset", {})
        assert _http("GET", control + "messages") == []
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0


def test_apps_connections_open_takes_only_the_app_token(slack: SlackEmulator) -> None:
    app = WebClient(token=slack.app_token, base_url=slack.base_url)
    bot = WebClient(token=slack.token, base_url=slack.base_url)
    with pytest.raises(SlackApiError, match="socket_mode_not_enabled"):
        app.apps_connections_open(app_token=slack.app_token)
    hub = slack.enable_socket_mode()
    assert app.apps_connections_open(app_token=slack.app_token)["url"] == hub.url
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        bot.api_call("apps.connections.open")
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        app.chat_postMessage(channel="C01GENERAL", text="hi")


def test_socket_mode_push_without_a_connected_app_is_an_error(slack: SlackEmulator) -> None:
    hub = slack.enable_socket_mode()
    assert hub.connections == 0
    with pytest.raises(ConnectionError, match="no app is connected"):
        hub.send("slash_commands", {"command": "/cx", "text": "nps"})
    with pytest.raises(ValueError, match="unknown envelope type"):
        hub.send("slash_command", {})


def test_an_envelope_nobody_acknowledges_times_out(slack: SlackEmulator) -> None:
    import asyncio

    import aiohttp

    hub = slack.enable_socket_mode()
    received: list[dict[str, Any]] = []

    async def silent_app() -> None:
        async with aiohttp.ClientSession() as session, session.ws_connect(hub.url) as ws:
            async for message in ws:
                received.append(json.loads(message.data))

    threading.Thread(target=asyncio.run, args=(silent_app(),), daemon=True).start()
    deadline = time.monotonic() + 5
    while hub.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(TimeoutError, match="no ack for slash_commands"):
        hub.send("slash_commands", {"command": "/cx", "text": "nps"}, timeout=0.3)
    assert [message["type"] for message in received] == ["hello", "slash_commands"]
    assert received[1]["accepts_response_payload"] is True
