"""Bulk import of job-seekers and positions from CSV and XLSX files.

The flow is: read the file into rows of column -> text (`read_rows`), validate every row by
binding the very forms people fill in by hand (`check_rows`), store the result as a pending
ImportBatch (`create_batch`), and only when the user confirms, create the records in one
transaction (`confirm`), or drop the batch (`discard`). Nothing is imported before that.

Template files: row 1 is the header, one cell per column, written as the column code followed by
its Chinese name in full-width brackets, e.g. `display_name（姓名）`; row 2 is an example. On
upload a header cell may be the code, the Chinese name, or both in that form, so files made from
either language's habits are read. The XLSX template also has a second sheet explaining every
column in both languages; only the first sheet is ever read.

Privacy: a batch keeps no ID number (only its keyed fingerprint), keeps the checked values only
of rows that could be imported, and forgets them once the batch is imported or discarded.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from matching.catalogue import DOMAINS
from rongye import labels
from rongye.forms.fields import duplicate_profile_message
from rongye.forms.positions import PositionForm, exposure_band
from rongye.forms.profile import (
    AboutForm,
    AccommodationsForm,
    BenefitsForm,
    ConsentForm,
    FunctioningForm,
    PreferencesForm,
    SkillsForm,
)
from rongye.i18n import current_language
from rongye.models import Accommodation, Account, ImportBatch, Position, SeekerProfile
from rongye.services import audit, positions, profiles
from rongye.services.consent import record_consent
from rongye.services.exports import escape_cell, to_csv
from rongye.text import CONTROL_CHARACTERS

log = logging.getLogger(__name__)

MAX_ROWS = 10_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 10_000
#: An XLSX is a zip: refuse one that unpacks to more than this (a "zip bomb").
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
KIND_ROLES = {"seekers": "social_worker", "positions": "employer"}
_LIST_SEPARATORS = re.compile(r"[\s;；、,，]+")
_LEADING_CODE = re.compile(r"^[A-Za-z_]+")


class FileProblem(Exception):
    """The file as a whole cannot be used (unreadable, empty, too many rows, no columns)."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


class BatchClosed(Exception):
    """The batch was already imported or discarded."""


class BatchHasErrors(Exception):
    """"Import all rows" was asked for a batch with rows that have problems."""


class NothingToImport(Exception):
    """No row of the batch can be imported."""


class BatchChanged(Exception):
    """Since the check, the database changed so that some rows can no longer be imported."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} rows no longer valid")
        self.count = count


# -- Columns --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an import file, and the form field it is checked by."""

    code: str
    header_zh: str  # the Chinese name in the template's header (part of the file format)
    label: Any  # what the column holds, in the interface language
    hint: Any  # what to enter
    example: str
    bound_to: str = ""  # the form field that checks it; defaults to the code
    shape: str = "text"  # text | code | codes (several, separated) | number
    synonyms: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def form_field(self) -> str:
        return self.bound_to or self.code

    @property
    def template_header(self) -> str:
        return f"{self.code}（{self.header_zh}）"


YES_NO_SYNONYMS = {"是": "yes", "否": "no", "y": "yes", "n": "no", "true": "yes", "false": "no",
                   "同意": "yes", "不同意": "no", "有": "yes", "没有": "no", "无": "no"}
GENDER_SYNONYMS = {"女": "female", "男": "male", "其他": "other", "f": "female", "m": "male"}
WORK_MODE_SYNONYMS = {"远程": "remote", "居家": "remote", "现场": "onsite", "到岗": "onsite",
                      "混合": "hybrid"}
UNKNOWN_SYNONYMS = {"不详": "unknown", "不知道": "unknown", "不愿说": "unknown"}
METHOD_SYNONYMS = {"当面": "in_person", "纸质": "paper", "书面": "paper"}
STATUS_SYNONYMS = {"草稿": "draft", "发布": "open", "招聘中": "open"}

LEVEL_HINT = _l("0 no difficulty, 1 some, 2 a lot, 3 cannot do at all; blank if not known.")
DEMAND_HINT = _l("0 not needed, 1 a little, 2 often, 3 the core of the job.")
YES_NO_HINT = _l("yes or no (是/否).")
LIST_HINT = _l("Several, separated by ; or 、.")
CODES_HINT = _l("Codes from the accommodation catalogue, separated by ;.")

FUNCTIONING_HEADERS_ZH = {
    "seeing": "看的困难", "hearing": "听的困难", "walking": "行走的困难",
    "cognition": "记忆或专注的困难",
    "self_care": "自理的困难", "communication": "沟通的困难", "upper_body": "手和上肢的困难",
    "psychosocial": "情绪与压力的困难",
}
DEMAND_HEADERS_ZH = {
    "seeing": "对看的要求", "hearing": "对听的要求", "walking": "对行走的要求",
    "cognition": "对记忆专注的要求",
    "self_care": "对自理的要求", "communication": "对沟通的要求", "upper_body": "对手和上肢的要求",
    "psychosocial": "对情绪压力的要求",
}
FUNCTIONING_EXAMPLE = {"seeing": "3", "hearing": "0", "walking": "0", "cognition": "",
                       "self_care": "0", "communication": "0", "upper_body": "1",
                       "psychosocial": ""}
DEMAND_EXAMPLE = {"seeing": "2", "hearing": "0", "walking": "0", "cognition": "1",
                  "self_care": "0", "communication": "1", "upper_body": "2", "psychosocial": "1"}


SEEKER_COLUMNS: tuple[Column, ...] = (
    Column("display_name", "姓名", _l("Name"), _l("Required. At most 80 characters."), "示例 李明"),
    Column("phone", "手机号", _l("Mobile number"), _l("11 digits, such as 13800138000."),
           "13700000001"),
    Column("id_number", "身份证号", _l("ID card number"),
           _l("18 characters. Only a fingerprint is kept, to find the same person twice."),
           "11010519491231002X"),
    Column("gender", "性别", _l("Gender"),
           _l("female, male or other (女/男/其他); blank if not said."), "female",
           shape="code", synonyms={**GENDER_SYNONYMS, **UNKNOWN_SYNONYMS}),
    Column("birth_year", "出生年份", _l("Year of birth"), _l("For example 1990."), "1990",
           shape="number"),
    Column("region", "所在地区", _l("City or region"), _l("Required. For example 北京 or 兰州."),
           "北京"),
    Column("education", "学历", _l("Highest education"),
           _l("One of: %(codes)s.", codes="none, primary, junior, senior, vocational, college, "
                                          "university"),
           "vocational", shape="code", synonyms=UNKNOWN_SYNONYMS),
    Column("disability_category", "残疾类别", _l("Disability certificate category"),
           _l("Optional, for statistics only. One of: %(codes)s.",
              codes="vision, hearing, speech, physical, intellectual, mental, multiple"),
           "vision", shape="code"),
    Column("disability_grade", "残疾等级", _l("Certificate grade"), _l("Optional: 1, 2, 3 or 4."),
           "2", shape="code"),
    Column("work_history", "工作经历", _l("Work so far"), _l("Optional, in your own words."),
           "网店客服两年"),
    *(
        Column(domain, FUNCTIONING_HEADERS_ZH[domain], labels.DOMAINS[domain], LEVEL_HINT,
               FUNCTIONING_EXAMPLE[domain], shape="code", synonyms=UNKNOWN_SYNONYMS)
        for domain in DOMAINS
    ),
    Column("skills", "技能", _l("Skills"), LIST_HINT, "数据标注;打字;customer service"),
    Column("interests", "兴趣", _l("Interests"), LIST_HINT, "音乐、阅读"),
    Column("assistive_technology", "辅助技术", _l("Assistive technology"),
           _l("Optional, in your own words."), "读屏软件 NVDA"),
    Column("work_modes", "工作方式", _l("Ways of working accepted"),
           _l("Required. remote, onsite or hybrid, several separated by ;."), "remote;hybrid",
           shape="codes", synonyms=WORK_MODE_SYNONYMS),
    Column("hours_min", "每周最少小时", _l("Fewest hours a week"), _l("From 1 to 80."), "20",
           shape="number"),
    Column("hours_max", "每周最多小时", _l("Most hours a week"), _l("From 1 to 80."), "40",
           shape="number"),
    Column("accommodations", "所需便利", _l("Support needed at work"), CODES_HINT,
           "screen_reader;flexible_pace", shape="codes"),
    Column("dibao_monthly", "低保月额", _l("Minimum living allowance (低保) a month"),
           _l("Optional, whole yuan."), "900", shape="number"),
    Column("disability_allowance_monthly", "残疾人补贴月额", _l("Disability allowances a month"),
           _l("Optional, whole yuan."), "", shape="number"),
    Column("social_insurance", "社保情况", _l("Social insurance now"),
           _l("Optional. none, resident or employee."), "resident", shape="code",
           synonyms=UNKNOWN_SYNONYMS),
    Column("household_size", "家庭人数", _l("People in the household"), _l("Optional, 1 to 30."),
           "3", shape="number"),
    Column("carer_duties", "照顾家人", _l("Cares for a family member"), YES_NO_HINT, "no",
           shape="code", synonyms={**YES_NO_SYNONYMS, **UNKNOWN_SYNONYMS}),
    Column("consent_matching", "同意用于匹配", _l("Consent: matching"),
           _l("Required. yes or no: may the profile be used to propose jobs?"), "yes",
           bound_to="matching", shape="code", synonyms=YES_NO_SYNONYMS),
    Column("consent_share_employer", "同意向用人单位展示摘要",
           _l("Consent: sharing with employers"),
           _l("Required. yes or no: may a summary be shown to employers the person is "
              "proposed to?"),
           "no", bound_to="share_employer", shape="code", synonyms=YES_NO_SYNONYMS),
    Column("consent_research", "同意用于研究", _l("Consent: outcome research"),
           _l("Required. yes or no: may anonymous answers be used in research?"), "yes",
           bound_to="research", shape="code", synonyms=YES_NO_SYNONYMS),
    Column("consent_method", "同意方式", _l("How consent was given"),
           _l("Required. in_person or paper (当面/纸质)."), "paper", bound_to="method",
           shape="code", synonyms=METHOD_SYNONYMS),
)

POSITION_COLUMNS: tuple[Column, ...] = (
    Column("title", "职位名称", _l("Job title"), _l("Required. At most 200 characters."),
           "数据标注员"),
    Column("tasks", "主要工作内容", _l("Main tasks"),
           _l("Required. What the worker does on a normal day."),
           "在电脑上给图片加标签，检查标注质量。"),
    Column("skills", "所需技能", _l("Skills needed"), LIST_HINT, "打字;数据标注"),
    Column("work_type", "工作类型", _l("Kind of work"),
           _l("One of: %(codes)s.", codes="data_annotation, customer_service, ecommerce, "
                                          "content_review, livestream, office, manufacturing, "
                                          "services, crafts"),
           "data_annotation", shape="code"),
    Column("work_mode", "工作方式", _l("Where the work is done"),
           _l("remote, onsite or hybrid (远程/现场/混合)."), "remote", shape="code",
           synonyms=WORK_MODE_SYNONYMS),
    Column("region", "工作地区", _l("City or region of the job"), _l("Required. For example 北京."),
           "北京"),
    Column("hours_per_week", "每周小时", _l("Hours a week"), _l("From 1 to 80."), "30",
           shape="number"),
    Column("monthly_pay", "税前月薪", _l("Monthly pay before tax"), _l("Whole yuan."), "3500",
           shape="number"),
    Column("social_insurance", "缴纳社保", _l("Social insurance offered"), YES_NO_HINT, "yes",
           shape="code", synonyms=YES_NO_SYNONYMS),
    Column("contract_type", "合同类型", _l("Type of contract"),
           _l("One of: %(codes)s.", codes="permanent, fixed_term, part_time, platform, "
                                          "internship"),
           "fixed_term", shape="code"),
    Column("openings", "招聘人数", _l("Openings"), _l("From 1 to 999."), "2", shape="number"),
    Column("automation_exposure", "自动化风险", _l("Automation exposure"),
           _l("From 0 to 1: how much of the work AI or machines could do within a few years. "
              "Basic image labelling is about 0.9, complex review work about 0.5."),
           "0.8", shape="number"),
    Column("training_offered", "提供培训", _l("Training offered"), YES_NO_HINT, "yes",
           shape="code", synonyms=YES_NO_SYNONYMS),
    *(
        Column(f"demand_{domain}", DEMAND_HEADERS_ZH[domain],
               _l("Demand: %(domain)s", domain=labels.DOMAINS[domain]), DEMAND_HINT,
               DEMAND_EXAMPLE[domain], shape="code")
        for domain in DOMAINS
    ),
    Column("accommodations_offered", "提供的便利", _l("Support offered"), CODES_HINT,
           "screen_reader;flexible_pace", bound_to="accommodations", shape="codes"),
    Column("status", "状态", _l("Status"), _l("draft or open (草稿/发布); blank means draft."),
           "open", shape="code", synonyms=STATUS_SYNONYMS),
)

COLUMNS = {"seekers": SEEKER_COLUMNS, "positions": POSITION_COLUMNS}


def columns_of(kind: str) -> tuple[Column, ...]:
    """Return the columns of an import kind, or raise 404 for an unknown kind."""
    if kind not in COLUMNS:
        raise NotFound()
    return COLUMNS[kind]


def _header_key(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _header_lookup(columns: Sequence[Column]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in columns:
        for variant in (
            column.code,
            column.header_zh,
            column.template_header,
            f"{column.code}({column.header_zh})",
            f"{column.header_zh}（{column.code}）",
            f"{column.header_zh}({column.code})",
        ):
            lookup[_header_key(variant)] = column.code
    return lookup


def map_header(kind: str, header: Sequence[str]) -> tuple[dict[int, str], list[str]]:
    """Return {cell index: column code} for the recognised header cells, and the others."""
    lookup = _header_lookup(columns_of(kind))
    codes = {column.code for column in columns_of(kind)}
    mapped: dict[int, str] = {}
    ignored: list[str] = []
    for index, text in enumerate(header):
        text = text.strip()
        if not text:
            continue
        code = lookup.get(_header_key(text))
        if code is None:
            leading = _LEADING_CODE.match(text)  # "display_name 姓名", "phone/手机"
            candidate = leading.group(0).casefold() if leading else ""
            code = candidate if candidate in codes else None
        if code is None:
            ignored.append(text[:80])
        elif code in mapped.values():
            raise FileProblem(_l("The column %(column)s appears twice.", column=code))
        else:
            mapped[index] = code
    if not mapped:
        raise FileProblem(
            _l("No known column was found in the first row. Start from the template.")
        )
    return mapped, ignored


# -- Reading files --------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """Return a spreadsheet cell as text: 20.0 -> "20", True -> "yes", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _decode(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        for encoding in ("utf-8-sig", "gb18030"):  # GB18030: Excel's CSV on Chinese Windows
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise FileProblem(
        _l("The file could not be read as text. Save it from the spreadsheet as CSV (UTF-8) "
           "or XLSX.")
    )


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise FileProblem(_l("The file could not be read as CSV: a cell is too large or badly "
                             "quoted.")) from error


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    import openpyxl

    unreadable = _l("The file could not be read as an XLSX spreadsheet. Save it again as XLSX "
                    "(Excel 2007 or later) or as CSV.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise FileProblem(unreadable) from error
    if unpacked > MAX_XLSX_UNPACKED:
        raise FileProblem(_l("The spreadsheet is too large once unpacked. Split it into "
                             "smaller files."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            # data_only: a formula cell gives its last saved value and is never evaluated.
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                    yield [_cell_text(value) for value in row]
            finally:
                workbook.close()
    except FileProblem:
        raise
    except Exception as error:  # openpyxl raises many kinds for broken files; all mean the same
        raise FileProblem(unreadable) from error


@dataclass
class ParsedFile:
    """A file's recognised columns and its non-blank data rows, numbered as in the sheet."""

    kind: str
    codes: list[str]
    rows: list[tuple[int, dict[str, str]]]
    ignored_columns: list[str]


def read_rows(kind: str, filename: str, data: bytes) -> ParsedFile:
    """Read a CSV or XLSX file into rows of column code -> text; raise FileProblem if unusable."""
    columns_of(kind)
    if not data.strip():
        raise FileProblem(_l("The file is empty."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        source = _xlsx_rows(data)
    elif name.endswith(".csv"):
        source = _csv_rows(data)
    else:
        raise FileProblem(_l("Choose a CSV or XLSX file."))
    header: dict[int, str] | None = None
    ignored: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(source, 1):
        cells = cells[:MAX_COLUMNS]
        if header is None:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines above the header
            header, ignored = map_header(kind, [CONTROL_CHARACTERS.sub("", c) for c in cells])
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == MAX_ROWS:
            raise FileProblem(_l("The file has more than %(limit)s rows. Split it into files of "
                                 "at most %(limit)s rows each.", limit=f"{MAX_ROWS:,}"))
        values = {
            code: CONTROL_CHARACTERS.sub("", cells[index]) if index < len(cells) else ""
            for index, code in header.items()
        }
        rows.append((number, values))
    if header is None:
        raise FileProblem(_l("The file is empty."))
    if not rows:
        raise FileProblem(_l("The file has no rows under the header row."))
    return ParsedFile(kind, list(header.values()), rows, ignored)


# -- Checking rows --------------------------------------------------------------------------


@dataclass
class RowCheck:
    """What checking one row found: errors per column, and the values to store if none."""

    errors: dict[str, list[str]]
    values: dict[str, Any] | None
    label: str = ""
    phone: str | None = None
    id_hash: str | None = None


def _formdata(columns: Sequence[Column], cells: dict[str, str]) -> tuple[MultiDict, dict]:
    """Turn a row's cells into form data; return it and the errors found in the cells."""
    formdata: MultiDict[str, str] = MultiDict()
    errors: dict[str, list[str]] = {}
    for column in columns:
        raw = cells.get(column.code, "")
        text = raw.strip()
        if not text:
            continue  # a blank cell is an unanswered question, as in the form
        if text.startswith("="):
            errors[column.code] = [_("This cell holds a spreadsheet formula. Enter the value "
                                     "itself.")]
            continue
        if len(raw) > MAX_CELL_CHARS:
            errors[column.code] = [_("This cell is longer than %(limit)s characters.",
                                     limit=f"{MAX_CELL_CHARS:,}")]
            continue
        if column.shape == "code":
            key = text.casefold()
            formdata.add(column.form_field, column.synonyms.get(text, column.synonyms.get(key,
                                                                                        key)))
        elif column.shape == "codes":
            for part in _LIST_SEPARATORS.split(text):
                if part:
                    key = part.casefold()
                    formdata.add(column.form_field,
                                 column.synonyms.get(part, column.synonyms.get(key, key)))
        else:
            formdata.add(column.form_field, raw)
    return formdata, errors


def _collect(forms: Sequence[Any], to_column: dict[str, str], errors: dict[str, list[str]]) -> None:
    """Add each invalid field's messages under its column (a cell problem already said wins)."""
    for form in forms:
        for bound in form:
            if bound.errors and bound.name in to_column:
                column = to_column[bound.name]
                if column not in errors:
                    errors[column] = [str(message) for message in bound.errors]


def _bind(form_class: Any, **kwargs: Any) -> Any:
    """Return a form to check rows with: bound to no request, without a CSRF token.

    Each row is then bound with `form.process(formdata)`, which resets every field (data,
    defaults, errors) exactly as a new form would, at a third of the cost of building one.
    """
    return form_class(formdata=MultiDict(), meta={"csrf": False}, **kwargs)


class SeekerChecker:
    """Checks seeker rows with the profile's step forms, as a social worker would fill them."""

    kind = "seekers"

    def __init__(self, session: Session, organisation_id: int | None) -> None:
        self.to_column = {column.form_field: column.code for column in SEEKER_COLUMNS}
        self.about = _bind(AboutForm)
        accommodations = _bind(AccommodationsForm)
        accommodations.set_catalogue(profiles.catalogue(session, organisation_id),
                                     current_language())
        self.consent = _bind(ConsentForm, assisted=True)
        self.forms = [
            self.about,
            _bind(FunctioningForm),
            _bind(SkillsForm),
            _bind(PreferencesForm),
            accommodations,
            _bind(BenefitsForm),
            self.consent,
        ]

    def check(self, cells: dict[str, str]) -> RowCheck:
        formdata, errors = _formdata(SEEKER_COLUMNS, cells)
        about, consent, forms = self.about, self.consent, self.forms
        for form in forms:
            form.process(formdata)
            form.validate()
        _collect(forms, self.to_column, errors)
        phone = about.phone.data if not about.phone.errors and "phone" not in errors else None
        id_number = about.id_number.data
        id_hash = (
            profiles.id_fingerprint(id_number)
            if id_number and not about.id_number.errors and "id_number" not in errors
            else None
        )
        result = RowCheck(errors, None, label=str(about.display_name.data or "")[:80],
                          phone=phone or None, id_hash=id_hash)
        if errors:
            return result
        values: dict[str, Any] = {}
        for form in forms[:-1]:
            values.update(form.values())
        values.pop("id_number", None)  # never stored: only its fingerprint
        values["id_number_hash"] = id_hash
        values["consents"] = consent.consents()
        values["consent_method"] = consent.method.data
        result.values = values
        return result


class PositionChecker:
    """Checks position rows with the employer's position form."""

    kind = "positions"

    def __init__(self, session: Session, organisation_id: int | None) -> None:
        self.to_column = {column.form_field: column.code for column in POSITION_COLUMNS}
        self.form = _bind(PositionForm)
        self.form.set_catalogue(profiles.catalogue(session, organisation_id),
                                current_language())

    def check(self, cells: dict[str, str]) -> RowCheck:
        formdata, errors = _formdata(POSITION_COLUMNS, cells)
        exposure = _exposure(formdata.pop("automation_exposure", None), errors)
        if exposure is not None:
            formdata["automation_exposure"] = exposure_band(exposure)
        status = formdata.pop("status", None) or "draft"
        if status not in ("draft", "open") and "status" not in errors:
            errors["status"] = [_("Enter draft or open.")]
        form = self.form
        form.process(formdata)
        form.stored_exposure = exposure  # keep 0.82 as 0.82, not its band
        form.validate()
        _collect([form], self.to_column, errors)
        result = RowCheck(errors, None, label=str(form.title.data or "")[:80])
        if not errors:
            values = form.values()
            values["accommodation_codes"] = list(values["accommodation_codes"])
            values["status"] = status
            result.values = values
        return result


def _exposure(raw: str | None, errors: dict[str, list[str]]) -> float | None:
    if raw is None:
        return None
    text = raw.strip().replace("％", "%")
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:  # also refuses nan
        errors["automation_exposure"] = [_("Enter a number from 0 to 1, such as 0.8.")]
        return None
    return value


CHECKERS: dict[str, Callable[[Session, int | None], Any]] = {
    "seekers": SeekerChecker,
    "positions": PositionChecker,
}


def _all_languages(compute: Callable[[], dict[str, list[str]]]) -> dict[str, dict[str, str]]:
    """Run `compute` in every interface language; return column -> {language: message}."""
    by_column: dict[str, dict[str, str]] = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            for column, messages in compute().items():
                by_column.setdefault(column, {})[language] = " ".join(messages)
    return by_column


def _error_entries(messages: dict[str, dict[str, str]], code: str = "invalid") -> list[dict]:
    return [{"field": column, "code": code, "messages": text} for column, text in
            messages.items()]


def check_rows(session: Session, organisation_id: int | None, parsed: ParsedFile) -> list[dict]:
    """Validate every row; return the rows as stored in a batch (see ImportBatch.rows)."""
    checker = CHECKERS[parsed.kind](session, organisation_id)
    stored: list[dict[str, Any]] = []
    checks: list[RowCheck] = []
    for number, cells in parsed.rows:
        result = checker.check(cells)
        entry: dict[str, Any] = {"row": number, "label": result.label, "errors": [],
                                 "values": result.values}
        if result.errors:
            # Messages are kept in both languages, so the report follows the reader's choice.
            entry["errors"] = _error_entries(
                _all_languages(lambda cells=cells: checker.check(cells).errors)
            )
        stored.append(entry)
        checks.append(result)
    if parsed.kind == "seekers":
        _mark_duplicates(session, stored, checks)
    return stored


def _in_chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def existing_identities(
    session: Session, phones: set[str], id_hashes: set[str]
) -> tuple[set[str], set[str]]:
    """Return which phones and ID fingerprints profiles already have (in bulk).

    The same rule as profiles.find_duplicates (erased profiles do not count), asked once per
    500 values instead of once per row.
    """
    found_phones: set[str] = set()
    found_hashes: set[str] = set()
    for chunk in _in_chunks(sorted(phones)):
        found_phones.update(session.scalars(
            select(SeekerProfile.phone).where(SeekerProfile.phone.in_(chunk),
                                              SeekerProfile.erased_at.is_(None))
        ))
    for chunk in _in_chunks(sorted(id_hashes)):
        found_hashes.update(session.scalars(
            select(SeekerProfile.id_number_hash).where(SeekerProfile.id_number_hash.in_(chunk),
                                                       SeekerProfile.erased_at.is_(None))
        ))
    return found_phones, found_hashes  # type: ignore[return-value]


def _duplicate_messages(field_name: str, *, in_row: int | None) -> dict[str, str]:
    def message() -> str:
        if in_row is not None:
            if field_name == "phone":
                return _("The same mobile number is already in row %(row)s.", row=in_row)
            return _("The same ID card number is already in row %(row)s.", row=in_row)
        return duplicate_profile_message(field_name)

    texts: dict[str, str] = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            texts[language] = message()
    return texts


def _mark_duplicates(session: Session, stored: list[dict], checks: list[RowCheck]) -> None:
    """Flag rows whose person is already registered, or appears in an earlier row."""
    phones = {c.phone for c in checks if c.phone}
    hashes = {c.id_hash for c in checks if c.id_hash}
    known_phones, known_hashes = existing_identities(session, phones, hashes)
    first_phone: dict[str, int] = {}
    first_hash: dict[str, int] = {}
    for entry, result in zip(stored, checks, strict=True):
        found: list[dict[str, Any]] = []
        for field_name, value, known, first in (
            ("phone", result.phone, known_phones, first_phone),
            ("id_number", result.id_hash, known_hashes, first_hash),
        ):
            if not value:
                continue
            if value in known:
                found.append({"field": field_name, "code": "duplicate",
                              "messages": _duplicate_messages(field_name, in_row=None)})
            elif value in first:
                found.append({"field": field_name, "code": "duplicate",
                              "messages": _duplicate_messages(field_name, in_row=first[value])})
            else:
                first[value] = entry["row"]
        if found:
            entry["errors"] = [*entry["errors"], *found]
            entry["values"] = None


# -- Batches --------------------------------------------------------------------------------


@dataclass
class Upload:
    batch: ImportBatch
    ignored_columns: list[str]


def _organisation_for(session: Session, actor: Account, kind: str) -> int:
    if KIND_ROLES.get(kind) != actor.role or actor.organisation_id is None:
        raise NotFound()
    if kind == "positions":
        return positions.own_organisation(session, actor).id
    return actor.organisation_id


def create_batch(
    session: Session, actor: Account, kind: str, filename: str, data: bytes
) -> Upload:
    """Read and check a file, and keep it as a pending batch; nothing is imported yet.

    Raises FileProblem, before writing anything, when the file cannot be used at all.
    """
    organisation_id = _organisation_for(session, actor, kind)
    parsed = read_rows(kind, filename, data)
    rows = check_rows(session, organisation_id, parsed)
    batch = ImportBatch(
        organisation_id=organisation_id,
        created_by_id=actor.id,
        kind=kind,
        filename=CONTROL_CHARACTERS.sub("", filename)[-255:] or "upload",
        status="pending",
        rows=rows,
        imported_count=0,
    )
    session.add(batch)
    session.flush()
    summary = summarise(batch)
    audit.record(session, actor, "import.upload", batch, kind=kind, rows=summary.total,
                 invalid=summary.invalid)
    session.commit()
    log.info("%r uploaded by %r: %s rows, %s with problems", batch, actor, summary.total,
             summary.invalid)
    return Upload(batch, parsed.ignored_columns)


def own_batch(session: Session, actor: Account, batch_id: int) -> ImportBatch:
    """Return the batch if it belongs to the actor's organisation and role, else raise 404."""
    batch = session.get(ImportBatch, batch_id)
    if (
        batch is None
        or actor.organisation_id is None
        or batch.organisation_id != actor.organisation_id
        or KIND_ROLES.get(batch.kind) != actor.role
    ):
        raise NotFound()
    return batch


@dataclass(frozen=True)
class Summary:
    total: int
    valid: int
    invalid: int
    duplicates: int


def summarise(batch: ImportBatch) -> Summary:
    """Count a batch's rows: all, valid, with problems, and flagged as duplicate people."""
    rows = batch.rows or []
    invalid = sum(1 for row in rows if row["errors"])
    duplicates = sum(
        1 for row in rows if any(e.get("code") == "duplicate" for e in row["errors"])
    )
    return Summary(len(rows), len(rows) - invalid, invalid, duplicates)


def _forget_values(rows: list[dict]) -> list[dict]:
    return [{**row, "values": None} for row in rows]


def discard(session: Session, actor: Account, batch: ImportBatch) -> None:
    """Drop a pending batch without importing anything; its checked values are forgotten."""
    if batch.status != "pending":
        raise BatchClosed()
    batch.status = "discarded"
    batch.rows = _forget_values(batch.rows)
    audit.record(session, actor, "import.discard", batch, kind=batch.kind)
    session.commit()
    log.info("%r discarded by %r", batch, actor)


def confirm(session: Session, actor: Account, batch: ImportBatch, *, only_valid: bool) -> int:
    """Import all rows (only if none has a problem) or only the valid ones, in one transaction.

    Returns how many records were created. Raises BatchClosed, BatchHasErrors, NothingToImport or
    BatchChanged when, since the check, someone registered one of the people in the file (the
    batch's report then names those rows, and nothing is imported).
    """
    if batch.status != "pending":
        raise BatchClosed()
    rows = batch.rows
    if not only_valid and any(row["errors"] for row in rows):
        raise BatchHasErrors()
    chosen = [row for row in rows if not row["errors"] and row["values"] is not None]
    if not chosen:
        raise NothingToImport()
    if batch.kind == "seekers":
        changed = _recheck_duplicates(session, rows, chosen)
        if changed:
            flag_modified(batch, "rows")
            session.commit()
            raise BatchChanged(changed)
    # Claim the batch first: of two confirmations at once, only one finds it still pending.
    claimed = session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == "pending")
        .values(status="imported")
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        session.rollback()
        raise BatchClosed()
    try:
        if batch.kind == "seekers":
            created = _create_seekers(session, actor, batch, [row["values"] for row in chosen])
        else:
            created = _create_positions(session, actor, batch, [row["values"] for row in chosen])
        batch.status = "imported"
        batch.imported_count = created
        batch.rows = _forget_values(rows)
        audit.record(session, actor, "import.confirm", batch, kind=batch.kind, created=created,
                     only_valid=only_valid)
        session.commit()
    except KeyError as error:  # an accommodation code left the catalogue since the check
        session.rollback()
        raise BatchChanged(0) from error
    except Exception:
        session.rollback()  # all or nothing
        raise
    log.info("%r imported by %r: %s records", batch, actor, created)
    return created


def _recheck_duplicates(session: Session, rows: list[dict], chosen: list[dict]) -> int:
    """Flag chosen rows whose person was registered since the check; return how many."""
    phones = {row["values"]["phone"] for row in chosen if row["values"].get("phone")}
    hashes = {row["values"]["id_number_hash"] for row in chosen
              if row["values"].get("id_number_hash")}
    known_phones, known_hashes = existing_identities(session, phones, hashes)
    changed = 0
    for row in chosen:
        found = []
        if row["values"].get("phone") in known_phones:
            found.append(("phone", row["values"]["phone"]))
        if row["values"].get("id_number_hash") in known_hashes:
            found.append(("id_number", row["values"]["id_number_hash"]))
        if found:
            row["errors"] = [{"field": name, "code": "duplicate",
                              "messages": _duplicate_messages(name, in_row=None)}
                             for name, _value in found]
            row["values"] = None
            changed += 1
    return changed


def _steps_done(session: Session, agency_id: int | None) -> int:
    steps = list(profiles.STEPS)
    if profiles.extra_questions(session, agency_id):
        return steps.index("extra")  # the agency's own questions are still to be answered
    return len([step for step in steps if step != "extra"])


def _create_seekers(
    session: Session, worker: Account, batch: ImportBatch, rows: list[dict[str, Any]]
) -> int:
    """Create assisted profiles, as create_assisted and the steps would, without committing."""
    catalogue: dict[str, Accommodation] = {
        item.code: item for item in profiles.catalogue(session, batch.organisation_id)
    }
    step = _steps_done(session, batch.organisation_id)
    created: list[tuple[SeekerProfile, dict[str, Any]]] = []
    for values in rows:
        values = dict(values)
        consents = values.pop("consents")
        method = values.pop("consent_method")
        codes = values.pop("accommodations", None) or []
        profile = SeekerProfile(
            agency_id=batch.organisation_id,
            worker_id=worker.id,
            created_by_id=worker.id,
            assisted=True,
            consent_method=method,
            profile_step=step,
            accommodations=[catalogue[code] for code in codes],  # KeyError: catalogue changed
            **values,
        )
        session.add(profile)
        created.append((profile, {"consents": consents, "method": method}))
    session.flush()
    for profile, extra in created:
        audit.record(session, worker, "profile.create_assisted", profile, method=extra["method"],
                     import_batch=batch.id)
        for purpose, granted in extra["consents"].items():
            record_consent(session, worker, profile, purpose, granted=granted,
                           method=extra["method"])
    return len(created)


def _create_positions(
    session: Session, actor: Account, batch: ImportBatch, rows: list[dict[str, Any]]
) -> int:
    """Create positions for the employer, as the position form would, without committing."""
    employer_id = positions.own_organisation(session, actor).id
    catalogue = {item.code: item for item in
                 profiles.catalogue(session, employer_id)}
    created: list[Position] = []
    for values in rows:
        values = dict(values)
        demands = values.pop("demands")
        codes = values.pop("accommodation_codes")
        position = Position(
            employer_id=employer_id,
            accommodations=[catalogue[code] for code in dict.fromkeys(codes)],
            **{f"demand_{domain}": level for domain, level in demands.items()},
            **values,
        )
        session.add(position)
        created.append(position)
    session.flush()
    for position in created:
        audit.record(session, actor, "position.create", position, status=position.status,
                     import_batch=batch.id)
    return len(created)


# -- Report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int
    label: str
    column: str
    message: str
    duplicate: bool


def problems(batch: ImportBatch, language: str) -> list[Problem]:
    """Return every problem of the batch, in row order, with its message in `language`."""
    found = []
    for row in batch.rows or []:
        for error in row["errors"]:
            messages = error["messages"]
            found.append(Problem(
                row=row["row"],
                label=row.get("label") or "",
                column=error["field"],
                message=messages.get(language) or next(iter(messages.values()), ""),
                duplicate=error.get("code") == "duplicate",
            ))
    return found


def column_labels(kind: str) -> dict[str, Any]:
    """Return column code -> label in the interface language."""
    return {column.code: column.label for column in columns_of(kind)}


# -- Templates ------------------------------------------------------------------------------


def column_hint(column: Column, codes: Sequence[str]) -> str:
    """Return what to enter in a column, in the interface language (with catalogue codes)."""
    if column.hint is CODES_HINT:
        return _("Codes from the accommodation catalogue, separated by ;: %(codes)s.",
                 codes=", ".join(codes))
    return str(column.hint)


def catalogue_codes(session: Session, actor: Account, kind: str) -> list[str]:
    """Return the accommodation codes the actor's organisation may use in a file."""
    organisation_id = _organisation_for(session, actor, kind)
    return [item.code for item in profiles.catalogue(session, organisation_id)]


def template_csv(kind: str) -> str:
    """Return the CSV template: the header row and one example row (formula-safe cells)."""
    columns = columns_of(kind)
    return to_csv([c.template_header for c in columns], [[c.example for c in columns]])


def template_xlsx(kind: str, catalogue_codes: Sequence[str] = ()) -> bytes:
    """Return the XLSX template: sheet 1 header and example row; sheet 2 explains each column."""
    import openpyxl
    from openpyxl.styles import Font

    columns = columns_of(kind)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "导入 import"
    sheet.append([escape_cell(c.template_header) for c in columns])
    sheet.append([escape_cell(c.example) for c in columns])
    for index, column in enumerate(columns, 1):
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        sheet.cell(row=2, column=index).number_format = "@"  # keep phone and ID numbers as text
        letter = header.column_letter
        sheet.column_dimensions[letter].width = max(14, len(column.template_header) + 6)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明 notes")
    notes.append(["列 column", "中文表头", "说明", "notes"])
    for column in columns:
        explained = []
        for language in ("zh_CN", "en"):
            with force_locale(language):
                explained.append(f"{column.label}: {column_hint(column, catalogue_codes)}")
        notes.append([escape_cell(c) for c in (column.code, column.header_zh, *explained)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
