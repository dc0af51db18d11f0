"""Small XLSX and SPSS files written the way other programs write them, for the corpus tests.

`write_xlsx` builds the workbook's XML directly, so a test can have exactly what Excel
stores (formulas with their saved results, a million formatted but empty rows) in a
second, without a spreadsheet program.
"""

from __future__ import annotations

import zipfile
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Antwoorden" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


class Formula:
    """A formula cell: `result` is what Excel saved with it (None: no saved result)."""

    def __init__(self, formula: str, result: str | None):
        self.formula, self.result = formula, result


def _cell(ref: str, value) -> str:
    if isinstance(value, Formula):
        saved = f"<v>{escape(value.result)}</v>" if value.result is not None else ""
        return f'<c r="{ref}" t="str"><f>{escape(value.formula)}</f>{saved}</c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def write_xlsx(path, rows, formatted_empty_rows: int = 0) -> None:
    """A one-sheet workbook; `formatted_empty_rows` rows with styled but empty cells follow the data."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        last = len(rows) + formatted_empty_rows
        with archive.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
                      f'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:B{last}"/>'
                      '<sheetData>').encode())
            for number, row in enumerate(rows, start=1):
                cells = "".join(_cell(f"{'ABCDEFGH'[i]}{number}", v) for i, v in enumerate(row))
                fh.write(f'<row r="{number}">{cells}</row>'.encode())
            empty = b'<row r="%d"><c r="A%d" s="1"/><c r="B%d" s="1"/></row>'
            for start in range(len(rows) + 1, last + 1, 50_000):
                fh.write(b"".join(empty % (n, n, n) for n in range(start, min(start + 50_000, last + 1))))
            fh.write(b"</sheetData></worksheet>")
