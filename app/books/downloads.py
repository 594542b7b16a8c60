"""Report downloads: CSV rows for other programs, Excel with real numbers, and a PDF to print.

``format=csv|xlsx|pdf`` on a report's address asks for the file instead of the page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response, abort, g, render_template, request

from app.books.tables import Table
from app.form_input import text
from ledger.reports.formats import spreadsheet_cell

FORMATS = ("csv", "xlsx", "pdf")
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
AMOUNT_FORMAT = "#,##0.00;-#,##0.00"


def wanted_format() -> str | None:
    """The file asked for with ``format=``, None for the page; 400 for an unknown format."""
    value = text(request.args, "format")
    if not value:
        return None
    if value not in FORMATS:
        abort(400)
    return value


def csv_download(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """A CSV file with exact amounts (a decimal point, no thousands separator); text that a
    spreadsheet would run as a formula is written as text (``spreadsheet_cell``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(cell) for cell in header])
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    return _attachment(out.getvalue().encode(), name, "csv")


def table_download(name: str, table: Table, kind: str) -> Response:
    """The table as an Excel workbook or a PDF document, named after the organisation."""
    content = xlsx_bytes(table) if kind == "xlsx" else pdf_bytes(table)
    return _attachment(content, name, kind)


def xlsx_bytes(table: Table) -> bytes:
    """One sheet: title, subtitle, column heads, then rows; amounts as numbers, totals bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.title[:31]
    sheet.append([spreadsheet_cell(table.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([spreadsheet_cell(table.subtitle)])
    sheet.append([spreadsheet_cell(column) for column in table.columns])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([spreadsheet_cell(cell) for cell in row.cells])
        for index, cell in enumerate(sheet[sheet.max_row]):
            if index in table.amount_columns:
                cell.number_format = AMOUNT_FORMAT
            if row.is_total or row.is_heading:
                cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (34, 30, 8, 16, 16, 16, 16), strict=False):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_bytes(table: Table) -> bytes:
    """The table on A4, amounts in the reader's (by default Dutch) number format."""
    from weasyprint import HTML

    html = render_template("books/report_pdf.html", table=table, org=g.org)
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def _attachment(content: bytes, name: str, kind: str) -> Response:
    filename = f"{g.org.slug}-{name}.{kind}"
    return Response(
        content,
        mimetype=MIMETYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
