"""A tiny legacy web system for the robots' tests: static Shift_JIS pages in table layouts,
a frameset, a ``window.open`` pop-up, a ``confirm()`` before 登録, served by http.server in
a thread. Independent of ``sandbox/`` on purpose: these tests pin the finder's rules."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

__all__ = ["LegacySite", "legacy_site"]

_HEAD = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
    "<title>{title}</title></head>"
)

_ERA = (
    '<select name="{p}_g"><option value=""></option><option value="3">昭和</option>'
    '<option value="4">平成</option><option value="5">令和</option></select>\n'
    '<input type="text" name="{p}_y" size="2" maxlength="2">年\n'
    '<input type="text" name="{p}_m" size="2" maxlength="2">月\n'
    '<input type="text" name="{p}_d" size="2" maxlength="2">日'
)

REGISTER = (
    _HEAD.format(title="資格管理システム")
    + """<body>
<table width="100%"><tr><td class="ttl">資格取得届 登録</td></tr></table>
<form name="frmToroku" method="post" action="/register">
<table border="1">
<tr><th>個人番号</th><td><input type="text" name="f_kojin" size="14" maxlength="12"></td></tr>
<tr><th>氏名<font color="red">※</font></th>
  <td><input type="text" name="f_simei" size="20"></td></tr>
<tr><td class="lbl">カナ氏名：</td><td><input type="text" name="f_kana" size="20"></td></tr>
<tr><th>性別</th><td><input type="radio" name="f_sex" value="1">男
  <input type="radio" name="f_sex" value="2">女</td></tr>
<tr><td class="lbl">生年月日</td><td>"""
    + _ERA.format(p="f_bd")
    + """</td></tr>
<tr><th>郵便番号</th><td><input type="text" name="f_zip" size="8" maxlength="8">
  <input type="button" value="住所検索"
   onclick="window.open('/zip', 'zip', 'width=400,height=300')"></td></tr>
<tr><th>住所</th><td><input type="text" name="f_jusyo" size="50"></td></tr>
<tr><th>備考</th><td><textarea name="f_biko" rows="2"></textarea></td></tr>
<tr><th>連絡</th><td><input type="checkbox" name="f_mail" value="1">郵送希望</td></tr>
</table>
<input type="text" name="f_tel" placeholder="電話番号">
<input type="text" name="f_memo" title="メモ">
<input type="submit" value="登録" onclick="return confirm('登録します。よろしいですか？')">
<input type="reset" value="クリア">
</form></body></html>"""
)

ZIP = (
    _HEAD.format(title="住所検索")
    + """<body>住所検索<br><table border="1">
<tr><td>東京都千代田区千代田</td><td><input type="button" value="選択"
 onclick="window.opener.document.forms[0].elements['f_jusyo'].value = '東京都千代田区千代田';
          window.close();"></td></tr>
</table></body></html>"""
)

FRAMESET = (
    _HEAD.format(title="資格管理システム")
    + """<frameset cols="160,*"><frame name="menu" src="/menu">
<frame name="main" title="業務画面" src="/top"></frameset></html>"""
)

TOP = (
    _HEAD.format(title="資格管理システム") + "<body>メニューから業務を選んでください</body></html>"
)

MENU = (
    _HEAD.format(title="メニュー")
    + """<body><table><tr><td>業務メニュー</td></tr>
<tr><td><a href="/search" target="main">被保険者検索</a></td></tr>
<tr><td><a href="/register" target="main">資格取得届 登録</a></td></tr></table></body></html>"""
)

SEARCH = (
    _HEAD.format(title="被保険者検索")
    + """<body><table border="1">
<tr><th>保険者番号：</th><td>12345678</td><th>状態</th><td>有効</td></tr>
</table>
<font color="red">生年月日を確認してください</font><br>
<font color="red" style="display:none">出ない</font>
<table border="1">
<tr><th>被保険者番号</th><th>氏名</th></tr>
<tr><td>00000001</td><td>山田 太郎</td></tr>
<tr><td>00000002</td><td>山田 花子</td></tr>
</table>
<table border="1"><thead><tr><th>受付番号</th><th>受付日</th></tr></thead><tbody></tbody></table>
</body></html>"""
)

AMBIGUOUS = (
    _HEAD.format(title="異動届")
    + """<body><form><table border="1">
<tr><th colspan="2">転出元</th></tr>
<tr><th>氏名</th><td><input name="a"></td></tr>
<tr><th>住所</th><td><input name="b"></td></tr>
<tr><th>電話</th><td><input name="c"></td></tr>
<tr><th colspan="2">転入先</th></tr>
<tr><th>世帯主</th><td><input name="d"></td></tr>
<tr><th>続柄</th><td><input name="e"></td></tr>
<tr><th>方書</th><td><input name="f"></td></tr>
<tr><th>住所</th><td><input name="g"></td></tr>
</table>
<input type="button" value="確認"><input type="button" value="確認">
</form></body></html>"""
)

LOGIN = (
    _HEAD.format(title="資格管理システム")
    + """<body><form method="post" action="/login"><table border="1">
<tr><th>ユーザーID</th><td><input type="text" name="f_uid"></td></tr>
<tr><td>パスワード</td><td><input type="password" name="f_pwd"></td></tr>
</table><input type="submit" value="ログイン"></form></body></html>"""
)

PAGES = {
    "/frame": FRAMESET,
    "/menu": MENU,
    "/top": TOP,
    "/register": REGISTER,
    "/zip": ZIP,
    "/search": SEARCH,
    "/ambiguous": AMBIGUOUS,
    "/": LOGIN,
}

USER, PASSWORD = "kanri01", "legacy-secret"


@dataclass
class LegacySite:
    """The running site: its URL and every form posted to it, decoded from cp932."""

    url: str
    posted: list[dict[str, str]] = field(default_factory=list)
    logged_in: bool = False


def _handler(site: LegacySite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet tests

        def _send(self, html: str, status: int = 200) -> None:
            body = html.encode("cp932")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=Shift_JIS")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/frame" and not site.logged_in:
                self._send(LOGIN)
            elif path in PAGES:
                self._send(PAGES[path])
            else:
                self._send(_HEAD.format(title="404") + "<body>not found</body></html>", 404)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("ascii")
            form = {k: v[0] for k, v in parse_qs(raw, encoding="cp932", errors="strict").items()}
            if self.path == "/login":
                site.logged_in = form.get("f_uid") == USER and form.get("f_pwd") == PASSWORD
                self._send(FRAMESET if site.logged_in else LOGIN)
                return
            site.posted.append(form)
            self._send(
                _HEAD.format(title="登録完了")
                + "<body>登録しました<table><tr><th>受付番号</th><td>R-0001</td></tr></table>"
                + "</body></html>"
            )

    return Handler


@contextmanager
def legacy_site() -> Iterator[LegacySite]:
    """Serve the pages on a free local port for the duration of the block."""
    site = LegacySite(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
