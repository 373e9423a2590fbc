"""Superusers stock the inventory from CSV or XLSX files: all rows or none, bad rows named."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.models import Membership, VirtualNumber
from portal.tests.factories import VirtualNumberFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/portal/virtualnumber/import/"
CSV_FORMAT = "0"  # the import page's format choices: CSV, XLSX
XLSX_FORMAT = "1"

GOOD_CSV = "Number,Label\n+84 90 111 2222,Hotline\n0902223333,Sales\n84903334444,\n"
ONE_BAD_ROW_CSV = "Number,Label\n0901112222,Hotline\nnot a phone,Sales\n0903334444,Support\n"


def _xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, content: bytes, name: str, file_format: str):
    upload = SimpleUploadedFile(name, content)
    return client.post(IMPORT_URL, {"import_file": upload, "format": file_format})


def _confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post("/admin/portal/virtualnumber/process_import/", data, follow=True)


def test_a_good_csv_file_previews_then_imports_every_row(admin_client):
    preview = _upload(admin_client, GOOD_CSV.encode(), "numbers.csv", CSV_FORMAT)
    assert preview.status_code == 200
    assert VirtualNumber.objects.count() == 0  # the preview changes nothing
    assert "+84901112222" in preview.content.decode()
    _confirm(admin_client, preview)
    stocked = dict(VirtualNumber.objects.values_list("number", "label"))
    assert stocked == {"+84901112222": "Hotline", "+84902223333": "Sales", "+84903334444": ""}
    assert set(VirtualNumber.objects.values_list("status", flat=True)) == {"available"}


def test_a_good_xlsx_file_imports_every_row(admin_client):
    content = _xlsx([["Number", "Label"], ["0901112222", "Hotline"], ["0902223333", "Sales"]])
    preview = _upload(admin_client, content, "numbers.xlsx", XLSX_FORMAT)
    _confirm(admin_client, preview)
    assert VirtualNumber.objects.count() == 2


def test_one_bad_row_imports_nothing_and_the_preview_names_the_row(admin_client):
    preview = _upload(admin_client, ONE_BAD_ROW_CSV.encode(), "numbers.csv", CSV_FORMAT)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    assert "not a valid phone number" in html or "not a phone number" in html
    result = preview.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    assert VirtualNumber.objects.count() == 0


def test_a_confirmed_file_with_a_bad_row_still_imports_nothing(admin_client):
    """Even if the file went bad between preview and confirm, the import is all or nothing."""
    preview = _upload(admin_client, GOOD_CSV.encode(), "numbers.csv", CSV_FORMAT)
    form = preview.context["confirm_form"]
    with open(form["import_file_name"].value(), "w", encoding="utf-8") as tampered:
        tampered.write(ONE_BAD_ROW_CSV)
    html = _confirm(admin_client, preview).content.decode()
    assert VirtualNumber.objects.count() == 0
    assert "Nothing was imported" in html and "Row 2:" in html


def test_a_number_twice_in_the_file_names_both_rows(admin_client):
    content = b"Number\n0901112222\n+84 90 111 2222\n"
    preview = _upload(admin_client, content, "numbers.csv", CSV_FORMAT)
    assert "+84901112222 is already in row 1." in preview.content.decode()
    assert VirtualNumber.objects.count() == 0


def test_a_number_already_in_stock_keeps_its_owner_and_takes_the_new_label(admin_client, tenant_a):
    held = VirtualNumberFactory(project=tenant_a, number="+84901112222", label="Old")
    preview = _upload(admin_client, GOOD_CSV.encode(), "numbers.csv", CSV_FORMAT)
    _confirm(admin_client, preview)
    held.refresh_from_db()
    assert (held.project, held.status, held.label) == (tenant_a, "assigned", "Hotline")
    assert VirtualNumber.objects.count() == 3


def test_tenant_staff_cannot_import(staff_client_for, tenant_a):
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    assert client.get(IMPORT_URL).status_code == 403
    response = _upload(client, GOOD_CSV.encode(), "numbers.csv", CSV_FORMAT)
    assert response.status_code == 403
    assert VirtualNumber.objects.count() == 0
    assert "Import" not in client.get("/admin/portal/virtualnumber/").content.decode()


@pytest.mark.parametrize(
    ("content", "name", "file_format"),
    [(b"\x00\xff garbage", "numbers.xlsx", XLSX_FORMAT), (b"", "numbers.csv", CSV_FORMAT)],
)
def test_an_unreadable_file_is_a_form_error_not_a_server_error(
    admin_client, content, name, file_format
):
    response = _upload(admin_client, content, name, file_format)
    assert response.status_code == 200
    assert VirtualNumber.objects.count() == 0


def test_the_command_imports_a_good_file(tmp_path, capsys):
    path = tmp_path / "numbers.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    call_command("import_numbers", str(path))
    assert VirtualNumber.objects.count() == 3
    assert "3 numbers added, 0 relabelled." in capsys.readouterr().out


def test_the_command_imports_an_xlsx_file(tmp_path):
    path = tmp_path / "numbers.xlsx"
    path.write_bytes(_xlsx([["number"], ["0901112222"], ["0902223333"]]))
    call_command("import_numbers", str(path))
    assert VirtualNumber.objects.count() == 2


def test_the_command_with_one_bad_row_imports_nothing_and_names_it(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text(ONE_BAD_ROW_CSV, encoding="utf-8")
    with pytest.raises(CommandError) as failure:
        call_command("import_numbers", str(path))
    assert failure.value.returncode == 1
    assert "Nothing was imported" in str(failure.value)
    assert "Row 2: “not a phone” is not" in str(failure.value)
    assert "Row 1" not in str(failure.value) and "Row 3" not in str(failure.value)
    assert VirtualNumber.objects.count() == 0


def test_the_command_refuses_a_file_that_is_not_csv_or_xlsx(tmp_path):
    path = tmp_path / "numbers.txt"
    path.write_text(GOOD_CSV, encoding="utf-8")
    with pytest.raises(CommandError, match=r"Choose a \.csv or \.xlsx file"):
        call_command("import_numbers", str(path))
