"""Bulk import: social workers import job-seekers, employers import positions.

A file is checked and kept as a pending batch; its report lists every problem by row and
column; nothing is imported until the user chooses "import all" or "import only the valid
rows". A batch of another organisation is a 404, never a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from rongye.access import allow
from rongye.extensions import db
from rongye.forms.imports import UploadForm
from rongye.i18n import current_language
from rongye.models import ImportBatch
from rongye.services import imports as service
from rongye.urls import page_number

bp = Blueprint("imports", __name__, url_prefix="/imports")

IMPORTERS = frozenset({"social_worker", "employer"})
TITLES = {
    "seekers": _l("Import job-seekers from a spreadsheet"),
    "positions": _l("Import positions from a spreadsheet"),
}
DONE_ENDPOINTS = {"seekers": "worker.dashboard", "positions": "employer.dashboard"}
PROBLEMS_PER_PAGE = 50
TEMPLATE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _upload(kind: str) -> ResponseReturnValue:
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = service.create_batch(
                db.session, current_user, kind, upload.filename or "", upload.read()
            )
        except service.FileProblem as problem:
            db.session.rollback()
            form.file.errors = [str(problem.message)]
        else:
            if result.ignored_columns:
                flash(_("These columns were not recognised and were ignored: %(columns)s",
                        columns="、".join(result.ignored_columns[:20])), "info")
            return redirect(url_for("imports.batch", batch_id=result.batch.id), 303)
    return _render_upload(kind, form), 400 if form.errors else 200


def _render_upload(kind: str, form: UploadForm) -> str:
    recent = db.session.scalars(
        select(ImportBatch)
        .where(ImportBatch.organisation_id == current_user.organisation_id,
               ImportBatch.kind == kind)
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
        .limit(10)
    ).all()
    codes = service.catalogue_codes(db.session, current_user, kind)
    return render_template(
        "imports/upload.html",
        form=form,
        kind=kind,
        title=TITLES[kind],
        columns=[(c, service.column_hint(c, codes)) for c in service.columns_of(kind)],
        recent=recent,
        summaries={b.id: service.summarise(b) for b in recent},
        max_rows=service.MAX_ROWS,
    )


@bp.route("/seekers", methods=["GET", "POST"])
@allow("social_worker")
def upload_seekers() -> ResponseReturnValue:
    return _upload("seekers")


@bp.route("/positions", methods=["GET", "POST"])
@allow("employer")
def upload_positions() -> ResponseReturnValue:
    return _upload("positions")


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """Say on the upload page itself that the file is over the limit."""
    kind = {"imports.upload_seekers": "seekers", "imports.upload_positions": "positions"}.get(
        request.endpoint or ""
    )
    if kind is None or service.KIND_ROLES[kind] != getattr(current_user, "role", None):
        return render_template("errors/413.html", error=error, code=413), 413
    form = UploadForm(formdata=None)  # the body is not read again
    form.file.errors = [_("The file is larger than 8 MB. Split it into smaller files.")]
    return _render_upload(kind, form), 413


@bp.get("/<kind>/template.<fmt>")
@allow(IMPORTERS)
def template(kind: str, fmt: str) -> ResponseReturnValue:
    if service.KIND_ROLES.get(kind) != current_user.role or fmt not in TEMPLATE_TYPES:
        abort(404)
    if fmt == "csv":
        body: str | bytes = service.template_csv(kind)
    else:
        body = service.template_xlsx(
            kind, service.catalogue_codes(db.session, current_user, kind)
        )
    return Response(
        body,
        mimetype=TEMPLATE_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="rongye-{kind}-template.{fmt}"'},
    )


@dataclass(frozen=True)
class Page:
    """One page of a list, shaped for the pagination macro."""

    items: list[Any]
    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate(items: list[Any], page: int, per_page: int) -> Page:
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 1), pages)
    return Page(items[(page - 1) * per_page : page * per_page], page, pages)


@bp.get("/batches/<int:batch_id>")
@allow(IMPORTERS)
def batch(batch_id: int) -> ResponseReturnValue:
    found = service.own_batch(db.session, current_user, batch_id)
    problems = service.problems(found, current_language())
    return render_template(
        "imports/batch.html",
        batch=found,
        title=TITLES[found.kind],
        summary=service.summarise(found),
        problems=paginate(problems, page_number(), PROBLEMS_PER_PAGE),
        duplicates=[p for p in problems if p.duplicate],
        columns=service.column_labels(found.kind),
        upload_endpoint=f"imports.upload_{found.kind}",
        done_endpoint=DONE_ENDPOINTS[found.kind],
    )


@bp.post("/batches/<int:batch_id>/import")
@allow(IMPORTERS)
def confirm(batch_id: int) -> ResponseReturnValue:
    found = service.own_batch(db.session, current_user, batch_id)
    only_valid = request.form.get("mode") != "all"
    report = url_for("imports.batch", batch_id=found.id)
    try:
        created = service.confirm(db.session, current_user, found, only_valid=only_valid)
    except service.BatchClosed:
        flash(_("This file was already imported or discarded."), "error")
    except service.BatchHasErrors:
        flash(_("Some rows have problems: import only the valid rows, or correct the file and "
                "upload it again."), "error")
    except service.BatchChanged as changed:
        if changed.count:
            flash(_("Since the file was checked, %(count)s of its people were registered by "
                    "someone else. Nothing was imported: look at the report again.",
                    count=changed.count), "error")
        else:
            flash(_("Something changed since the file was checked. Nothing was imported: "
                    "upload the file again."), "error")
    except service.NothingToImport:
        flash(_("There are no valid rows to import. Correct the file and upload it again."),
              "error")
    else:
        flash(_("%(count)s rows were imported.", count=created), "success")
    return redirect(report, 303)


@bp.post("/batches/<int:batch_id>/discard")
@allow(IMPORTERS)
def discard(batch_id: int) -> ResponseReturnValue:
    found = service.own_batch(db.session, current_user, batch_id)
    try:
        service.discard(db.session, current_user, found)
    except service.BatchClosed:
        flash(_("This file was already imported or discarded."), "error")
        return redirect(url_for("imports.batch", batch_id=found.id), 303)
    flash(_("The file was discarded. Nothing was imported."), "success")
    return redirect(url_for(f"imports.upload_{found.kind}"), 303)
