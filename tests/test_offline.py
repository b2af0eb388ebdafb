"""Issue 14, item 16: a first run offline says why every feed failed, and what to do."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from briefing.cli import main
from briefing.fetch import describe_http_error
from briefing.models import FeedStatus, RefreshReport

DNS = "could not find the server (DNS lookup failed)"


def status(n: int, ok: bool, text: str) -> FeedStatus:
    return FeedStatus(url=f"https://f{n}.test/feed", name=f"F{n}", ok=ok, status=text)


def test_a_failed_name_lookup_reads_as_dns() -> None:
    error = httpx.ConnectError("[Errno -3] Temporary failure in name resolution")
    assert describe_http_error(error) == DNS


def test_all_failed_names_the_commonest_reason_and_suggests_offline() -> None:
    report = RefreshReport(feeds=[status(i, False, DNS) for i in range(17)])
    report.feeds.append(status(17, False, "HTTP 404"))
    assert report.all_failed() == f"every feed failed: {DNS} — offline?"
    assert RefreshReport(feeds=[status(0, False, "HTTP 404")]).all_failed() == (
        "every feed failed: HTTP 404"
    )
    report.feeds.append(status(18, True, "ok, 3 new"))
    assert report.all_failed() == ""
    assert RefreshReport().all_failed() == ""


def test_cli_fetch_offline_says_why_and_exits_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(  # .invalid never resolves (RFC 2606), online or not
        '[settings]\ntimeout = 3\n\n[[feed]]\nname = "Gone"\nurl = "https://feed.briefing.invalid/rss"\n'
    )
    code = main(["--feeds", str(feeds), "--db", str(tmp_path / "d.db"), "fetch"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"note: every feed failed: {DNS} — offline? (briefing --demo works offline)" in out
