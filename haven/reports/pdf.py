"""HTML to PDF with WeasyPrint, offline: rendering fetches nothing from any network.

A memo holds case facts; rendering it must not tell any server that it exists (nor wait on
one). Imported only when a PDF is asked for: WeasyPrint takes half a second to import.
"""

from typing import Any

from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Refuses every URL but inline `data:` ones; Haven's report CSS is inline."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith("data:"):
            raise ValueError(f"report rendering fetches no URLs (refused {url[:80]!r})")
        response: URLFetcherResponse = super().fetch(url, headers)
        return response


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1: structure, language and title for screen readers)."""
    document = HTML(string=html, url_fetcher=LocalOnlyFetcher(timeout=1))
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
