"""`jiuzhu chat qr`: a printable PNG for the notice board; a bad URL or file type is refused."""

from __future__ import annotations

import struct
from pathlib import Path

import segno
from typer.testing import CliRunner

from jiuzhu.cli import app

URL = "https://jiuzhu.example.cn/chat"


def test_qr_png_encodes_the_chat_address(tmp_path: Path) -> None:
    out = tmp_path / "print" / "qr.png"
    result = CliRunner().invoke(app, ["chat", "qr", "--url", URL, "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    expected = segno.make(URL, error="h", micro=False)
    modules = expected.symbol_size(scale=1, border=4)[0]
    assert width == height == modules * 12  # the whole symbol with its quiet zone, 12 px each
    assert expected.error == "H"  # a smudged printout still scans


def test_qr_refuses_a_bad_url_or_format(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["chat", "qr", "--url", "jiuzhu.cn", "--out", str(tmp_path / "a.png")])
    assert bad.exit_code == 2 and "https://" in bad.output
    fmt = runner.invoke(app, ["chat", "qr", "--url", URL, "--out", str(tmp_path / "a.gif")])
    assert fmt.exit_code == 2 and not (tmp_path / "a.gif").exists()
