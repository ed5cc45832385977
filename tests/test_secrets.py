"""No secret reaches a file, a record, a cache key, the board or a message.

The routes of issue 22: a password (and a key in the query) inside ``--base-url``, the API key
from ``$OPENAI_API_KEY``, and a server that echoes them in its error body; for a server that
refuses every request, for one that cannot be reached, and for one that answers.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.openai_stub_server import Canned, StubServer
from zhnerbench.cli import main
from zhnerbench.secrets import public_url, scrub, url_secrets

pytest.importorskip("openai")

KEY, PASSWORD, QUERY_KEY = "sk-env-secret-1234", "pw-url-secret-5678", "qk-query-secret-9012"
SECRETS = (KEY, PASSWORD, QUERY_KEY)


def _with_secrets(port: int, query: bool = True) -> str:
    # The openai client appends its route after the whole base URL, query included, so a server
    # that answers is reached without the query; the query still travels the failure routes.
    return f"http://someone:{PASSWORD}@127.0.0.1:{port}/v1" + (f"?api-key={QUERY_KEY}" if query else "")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _everything_written(*folders: Path) -> str:
    return "\n".join(path.read_bytes().decode("utf-8", "replace") for folder in folders
                     for path in sorted(folder.rglob("*")) if path.is_file())


@pytest.mark.parametrize("server", ["refuses", "unreachable", "answers"])
def test_no_secret_in_the_board_records_cache_or_messages(server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import zhnerbench.baselines.openai_chat as chat
    import zhnerbench.baselines.openai_relations as relations

    cache, board = tmp_path / "cache", tmp_path / "board"
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(cache))
    # No retries: an unreachable server would otherwise cost the client's 15 s of backoff.
    for module in (chat, relations):
        monkeypatch.setattr(module, "create", lambda model, _factory=module.create, **options:
                            _factory(model, **{**options, "max_retries": 0}))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    echo = f"invalid key {KEY} (password {PASSWORD}, query {QUERY_KEY})"
    default = Canned(fail_first=10_000, fail_status=401, fail_message=echo) if server == "refuses" else \
        Canned(content='{"entities": [{"text": "张为", "label": "PERSON"}]}')
    # The NER task with several runs, its vote and a price (the manifest, the runs' files, the
    # LLM table) and the relation task, on the article alone.
    routes = {"[0] ": Canned('{"relations": [{"head": "张为", "type": "has_title", "tail": "副市长", "evidence": [2]}]}')} \
        if server == "answers" else {}
    with StubServer(routes, default) as stub:
        port = _free_port() if server == "unreachable" else stub.port
        code = main(["leaderboard", "--system", "openai:stub-model,openai-relations:stub-model", "--base-url",
                     _with_secrets(port, server != "answers"), "--runs", "2", "--vote", "--price-input", "1",
                     "--price-output", "2", "--output", str(board), "--start-empty", "--samples", "10",
                     "--counterfactual", "0"])
    out, err = capsys.readouterr()
    assert code == 0, err
    written = _everything_written(board, cache) if cache.exists() else _everything_written(board)
    for secret in SECRETS:
        assert secret not in out and secret not in err and secret not in written, secret
    assert f"127.0.0.1:{port}/v1" in written  # the public part is still shown
    if server == "answers":
        assert any(cache.rglob("*.json"))  # answers were cached, under keys made without the secrets
        assert {"openai-stub-model", "openai-stub-model-vote", "openai-stub-model-relations"} <= {
            path.stem for path in (board / "records").glob("*.json")}
        assert f"at http://127.0.0.1:{port}/v1/;" in out  # the manifest's endpoint, public part only


def test_a_cache_key_does_not_depend_on_the_secrets_in_the_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhnerbench.baselines.chat_client import ChatClient, Decoding

    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path))

    def client(url: str) -> ChatClient:
        return ChatClient(model="m", base_url=url, api_key=KEY, concurrency=1, timeout=1, max_retries=0, cache=True,
                          decoding=Decoding(), requires="", name="m")

    messages = [{"role": "user", "content": "甲"}]
    with_secrets = client(_with_secrets(8000)).cache_path(messages)
    assert with_secrets == client("http://127.0.0.1:8000/v1").cache_path(messages)
    assert with_secrets != client("http://127.0.0.1:8001/v1").cache_path(messages)


def test_public_url_and_scrub_keep_only_what_may_be_shown() -> None:
    url = "https://user:pa%40ss@example.org:8443/v1/?key=a%2Bb&x=1#frag"
    assert public_url(url) == "https://example.org:8443/v1/"
    assert "pa@ss" in url_secrets(url) and "a+b" in url_secrets(url)
    shown = scrub(f"failed: {url} with pa@ss", url_secrets(url))
    assert "pa@ss" not in shown and "pa%40ss" not in shown and "a%2Bb" not in shown and "example.org:8443" in shown
