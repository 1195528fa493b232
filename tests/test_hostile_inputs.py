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

from gospages import ValidationError
from gospages.registry import RegistryError, RegistryProblem, _tables, load_registry
from gospages.requirements import load_policy

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
    assert "пробованы кодировки UTF-8" in text
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
        {
            "Инструкция": [["Заполните лист «Данные»"], ["См. документацию"]],
            "Данные": REGISTRY_ROWS,
        },
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


# -- policies ---------------------------------------------------------------------------------


def _policy(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_a_partial_actions_table_keeps_the_other_defaults(tmp_path: Path) -> None:
    path = _policy(
        tmp_path / "p.toml",
        'name = "p"\nextends = ["federal"]\n[moderation.actions]\nspam = "review"\n',
    )
    actions = load_policy(path).moderation.actions
    assert actions["spam"] == "review"
    assert actions["obscene"] == "delete"  # was silently "review" (dropped from the table)
    assert actions["insult"] == "delete"
    inline = _policy(tmp_path / "i.toml", 'name = "i"\n[moderation]\nactions = {insult = "ban"}\n')
    assert load_policy(inline).moderation.actions == {
        "obscene": "delete",
        "insult": "ban",
        "spam": "ban",
        "personal_data": "review",
        "prohibited": "review",
    }
    overridden = load_policy("federal", moderation={"actions": {"obscene": "ban"}})
    assert overridden.moderation.actions["insult"] == "delete"


def test_policy_labels_are_the_classifiers_labels() -> None:
    from typing import get_args

    from gospages.moderation._model import Label
    from gospages.requirements._policy import ModerationLabel

    assert set(get_args(ModerationLabel)) == set(get_args(Label))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'name = "p"\npost_per_week = 3\n',
            "ключ «post_per_week»: неизвестный ключ; допустимо: name",
        ),
        (
            'name = "p"\n[frequency]\nsilent_day = 3\n',
            "ключ «frequency.silent_day»: неизвестный ключ",
        ),
        (
            'name = "p"\n[moderation.actions]\nobscne = "delete"\n',
            "ключ «moderation.actions»: неизвестный ключ «obscne»; допустимо: obscene, insult",
        ),
        (
            'name = "p"\n[frequency.by_kind]\nomsu = 3\n',
            "ключ «frequency.by_kind»: неизвестный ключ «omsu»",
        ),
        (
            'name = "p"\n[frequency]\nposts_per_week = -2\n',
            "«frequency.posts_per_week»: -2: число должно быть не меньше 0",
        ),
        ('name = "p"\n[reply]\nhours = -1\n', "«reply.hours»"),
        ('name = "p"\n[moderation]\nban_ladder_days = [1, -7]\n', "«moderation.ban_ladder_days.1»"),
        ('name = "p"\n[moderation]\nwindow_days = -1\n', "«moderation.window_days»"),
        ('name = "p"\nextends = 5\n', "ключ «extends»: ожидается имя предустановки"),
        ('name = "p"\nextends = ["federal", 1]\n', "ключ «extends»"),
        (
            'name = "p"\n[moderation.actions]\nspam = "burn"\n',
            "«burn» — недопустимое значение; допустимо: keep, delete",
        ),
    ],
)
def test_policy_mistakes_are_named_in_russian(tmp_path: Path, text: str, expected: str) -> None:
    path = _policy(tmp_path / "p.toml", text)
    with pytest.raises(ValidationError) as caught:
        load_policy(path)
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)
    assert "Extra inputs" not in str(caught.value)


def test_a_mistake_in_a_parent_names_the_parent(tmp_path: Path) -> None:
    _policy(tmp_path / "base.toml", 'name = "base"\n[reply]\nhourz = 3\n')
    child = _policy(tmp_path / "child.toml", 'name = "child"\nextends = ["base.toml"]\n')
    with pytest.raises(ValidationError, match=r"base\.toml: ключ «reply\.hourz»"):
        load_policy(child)


def test_a_string_extends_is_one_parent(tmp_path: Path) -> None:
    path = _policy(tmp_path / "p.toml", 'name = "p"\nextends = "tomsk"\n')
    assert load_policy(path).frequency.posts_per_week == 2


def test_extends_is_found_from_the_policy_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "policies"
    (folder / "common").mkdir(parents=True)
    _policy(folder / "common" / "base.toml", 'name = "base"\n[reply]\nhours = 7\n')
    _policy(folder / "region.toml", 'name = "region"\nextends = ["common/base.toml"]\n')
    child = _policy(folder / "district.toml", 'name = "district"\nextends = ["region.toml"]\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_policy(child).reply.hours == 7
    assert load_policy(Path("..") / "policies" / "district.toml").reply.hours == 7


def test_extends_from_the_working_directory_still_works_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "mine").mkdir()
    _policy(tmp_path / "shared" / "base.toml", 'name = "base"\n[reply]\nhours = 5\n')
    child = _policy(tmp_path / "mine" / "p.toml", 'name = "p"\nextends = ["shared/base.toml"]\n')
    monkeypatch.chdir(tmp_path)
    with pytest.warns(DeprecationWarning, match="от рабочего каталога"):
        assert load_policy(child).reply.hours == 5


def test_a_cp1251_policy_is_read(tmp_path: Path) -> None:
    path = _policy(
        tmp_path / "p.toml",
        'name = "p"\ntitle = "Энский район"\n[moderation]\nquestion_template = "Спасибо!"\n',
        encoding="cp1251",
    )
    policy = load_policy(path)
    assert (policy.title, policy.moderation.question_template) == ("Энский район", "Спасибо!")


def test_a_policy_in_no_known_encoding_or_too_big_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'name = "\x98"\n')
    with pytest.raises(
        ValidationError, match=r"bad\.toml: .*кодировки UTF-8, UTF-16 \(с BOM\), Windows-1251"
    ):
        load_policy(bad)
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as file:
        file.truncate(2 * 1024 * 1024)
    with pytest.raises(ValidationError, match=r"huge\.toml: файл больше 1024 КБ"):
        load_policy(huge)
