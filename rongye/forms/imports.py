"""The upload form of bulk imports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

ALLOWED_EXTENSIONS = ("csv", "xlsx")


class UploadForm(FlaskForm):
    file = FileField(
        _l("Spreadsheet file"),
        description=_l("A CSV or XLSX file of at most 8 MB and 10,000 rows, made from the "
                       "template."),
        validators=[
            FileRequired(message=_l("Choose the file to upload.")),
            FileAllowed(
                ALLOWED_EXTENSIONS,
                message=_l("Choose a CSV or XLSX file. Save older .xls files as XLSX first."),
            ),
        ],
    )
