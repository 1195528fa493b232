"""Hostile and unlucky input files: registries (YAML bombs, huge files, wrong encodings,
sheets) and policies (partial tables, unknown keys, encodings, ``extends``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from gospages.registry import RegistryError, RegistryProblem, _tables, load_registry

SRC = Path(__file__).resolve().parents[1] / "src"

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
organizations: *i
"""

# Run in a child whose address space is capped: a regression fails there with a
# MemoryError (or the timeout) instead of eating the machine.
_CHILD = textwrap.dedent(
    """
    import resource, sys
    from gospages.registry import RegistryError, load_registry

    with open("/proc/self/status") as status:
        vm = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    cap = vm * 1024 + 256 * 1024 * 1024  # what is mapped now, plus 256 MB
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        load_registry(sys.argv[1])
    except RegistryError as error:
        print(error)
        sys.exit(3)
    print("loaded")
    """
)


def problems_of(path: Path) -> list[RegistryProblem]:
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert str(path) in str(caught.value)
    return caught.value.problems


def messages(path: Path) -> str:
    return "\n".join(p.message for p in problems_of(path))


# -- YAML -------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc are Linux's")
def test_a_billion_laughs_fails_fast_within_a_memory_cap(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
        check=False,
    )
    elapsed = time.perf_counter() - started
    assert child.returncode == 3, child.stderr[-2000:]
    assert "якоря и ссылки YAML" in child.stdout
    assert "строка 1" in child.stdout
    assert elapsed < 30


def test_anchors_merge_keys_and_deep_nesting_are_refused(tmp_path: Path) -> None:
    anchored = tmp_path / "anchor.yaml"
    anchored.write_text(
        "organizations:\n"
        "  - &org {id: a, name: A, kind: ОМСУ, level: район}\n"
        "  - <<: *org\n"
        "    id: b\n",
        encoding="utf-8",
    )
    [problem] = problems_of(anchored)
    assert problem.row == 2
    assert "якоря и ссылки" in problem.message
    deep = tmp_path / "deep.yaml"
    deep.write_text("organizations: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert "вложенность глубже" in messages(deep)


# -- sizes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["yaml", "csv", "xlsx"])
def test_a_file_over_the_limit_is_refused_without_reading_it_whole(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"huge.{suffix}"
    with path.open("wb") as file:
        file.truncate(_tables.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    text = messages(path)
    assert "больше 16 МБ" in text


def test_a_workbook_that_unpacks_too_big_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = Workbook()
    book.active.append(["id", "название", "вид", "уровень"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    monkeypatch.setattr(_tables, "MAX_UNPACKED_BYTES", 1000)
    assert "в распакованном виде больше" in messages(path)


# -- encodings --------------------------------------------------------------------------------


def test_a_file_in_no_known_encoding_names_the_encodings_tried(tmp_path: Path) -> None:
    header = "id;название;вид;уровень\n".encode("cp1251")
    bad = tmp_path / "r.csv"
    bad.write_bytes(header + b"a;\x98\x98;x;y\n")  # 0x98 is neither UTF-8 nor Windows-1251
    text = messages(bad)
    assert "кодировка не UTF-8" in text
    assert "Windows-1251" in text
    yaml_file = tmp_path / "r.yaml"
    yaml_file.write_bytes(b"organizations: \x98\n")
    assert "Windows-1251" in messages(yaml_file)


def test_binary_files_are_named_not_crashed_on(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"id;\x00\x01\x02;\x00\n")
    assert "не текстовый файл" in messages(path)


def test_excel_unicode_text_utf16_with_tabs_loads(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    text = "id\tназвание\tвид\tуровень\r\nensk\tАдминистрация\tОМСУ\tрайон\r\n"
    path.write_bytes(text.encode("utf-16"))
    assert load_registry(path).get("ensk").name == "Администрация"


# -- sheets and headers -----------------------------------------------------------------------


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


REGISTRY_ROWS: list[list[object]] = [
    ["id", "название", "вид", "уровень"],
    ["ensk", "Администрация Энского района", "ОМСУ", "район"],
]


def test_the_registry_on_another_sheet_is_found(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "r.xlsx",
        {"Инструкция": [["Заполните лист «Данные»"], ["См. документацию"]], "Данные": REGISTRY_ROWS},
    )
    assert [org.id for org in load_registry(path).organizations] == ["ensk"]


def test_the_sheet_named_reestr_wins(tmp_path: Path) -> None:
    other: list[list[object]] = [REGISTRY_ROWS[0], ["other", "Другая", "ОМСУ", "район"]]
    path = _workbook(tmp_path / "r.xlsx", {"Старый": other, "реестр": REGISTRY_ROWS})
    assert [org.id for org in load_registry(path).organizations] == ["ensk"]


def test_no_sheet_with_a_registry_says_which_sheets_were_read(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "r.xlsx",
        {"Инструкция": [["Заполните реестр"]], "Сводка": [["Итого", 3]]},
    )
    text = messages(path)
    assert "ни на одном листе нет реестра" in text
    assert "«Инструкция», «Сводка»" in text


def test_a_table_without_a_header_is_not_an_empty_registry(tmp_path: Path) -> None:
    single = _workbook(tmp_path / "r.xlsx", {"Лист1": [["Заполните реестр"]]})
    assert "нет обязательного столбца" in messages(single)
    csv_file = tmp_path / "r.csv"
    csv_file.write_text("Реестр страниц\n", encoding="utf-8")
    assert "нет обязательного столбца" in messages(csv_file)
