"""Business verbs on the 電子申請システム: export applications, record 受理."""

from __future__ import annotations

from urllib.parse import quote

from playwright.sync_api import Download

from core.errors import InvalidInput, TargetUnavailable
from robots import TargetSystem, retry_step

__all__ = ["ENCODING_LABELS", "Portal"]

ENCODING_LABELS = {"utf-8-sig": "UTF-8 (BOM付き)", "cp932": "Shift_JIS (CP932)"}


class Portal(TargetSystem):
    """The staff back office of the online-application service."""

    system_name = "電子申請システム"

    def export_applications(self, *, status: str = "未処理", encoding: str = "cp932") -> bytes:
        """Download the CSV export of applications in ``status`` (CP932 or UTF-8 with BOM)."""
        if encoding not in ENCODING_LABELS:
            raise InvalidInput(f"unknown CSV encoding {encoding!r}", field="encoding")
        return self.with_session(
            lambda: retry_step(lambda: self._export(status, encoding), what="export")
        )

    def _export(self, status: str, encoding: str) -> bytes:
        page = self.page
        self.open_screen("/export", "CSV出力")
        page.get_by_label("状態").select_option(status)
        page.get_by_label(ENCODING_LABELS[encoding]).check()
        downloads: list[Download] = []

        def keep(download: Download) -> None:
            downloads.append(download)

        page.on("download", keep)
        try:
            with page.expect_response(lambda r: "/export.csv" in r.url) as response:
                page.get_by_role("button", name="CSVダウンロード").click()
            download = self._download_or_error(response.value.status, downloads)
        finally:
            page.remove_listener("download", keep)
        path = download.path()
        data = path.read_bytes()
        download.delete()
        return data

    def _download_or_error(self, status: int, downloads: list[Download]) -> Download:
        if status != 200:
            self.check()  # an error page, the busy page or the login page
            raise TargetUnavailable(f"CSV出力が失敗しました (HTTP {status})")
        # The event may already have come while we waited for the response.
        return downloads[0] if downloads else self.page.wait_for_event("download")

    def mark_accepted(self, application_id: str, recipient_no: str) -> None:
        """Record 受理 with the business system's 受給者番号 (idempotent for the same number)."""
        self.with_session(
            lambda: retry_step(
                lambda: self._accept(application_id, recipient_no), what="mark accepted"
            )
        )

    def _accept(self, application_id: str, recipient_no: str) -> None:
        page = self.page
        self.open_screen(f"/applications/{quote(application_id)}", "申請詳細")
        accept = page.get_by_role("region", name="受理")
        accept.get_by_label("受給者番号").fill(recipient_no)
        screen = self.send(accept.get_by_role("button", name="受理として記録"))
        text = " ".join(screen.statuses)
        if "受理として記録しました" not in text and "既に受理済みです" not in text:
            raise TargetUnavailable("電子申請システムが受理の結果を表示しませんでした")

    def application_state(self, application_id: str) -> tuple[str, str | None]:
        """The portal's 状態 of an application and its 受給者番号 (None if not yet 受理)."""
        return self.with_session(
            lambda: retry_step(lambda: self._state(application_id), what="application state")
        )

    def _state(self, application_id: str) -> tuple[str, str | None]:
        self.open_screen(f"/applications/{quote(application_id)}", "申請詳細")
        reception = self.page.get_by_role("region", name="受付情報")

        def cell(name: str) -> str:
            header = self.page.get_by_role("rowheader", name=name, exact=True)
            row = reception.get_by_role("row").filter(has=header)
            return row.get_by_role("cell").inner_text().strip()

        return cell("状態"), cell("受給者番号") or None
