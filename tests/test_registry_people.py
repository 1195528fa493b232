"""Registries as people keep them: headers in their own words, hyperlinks behind text,
«—» in empty cells, numbers Excel has rounded (issue 11)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from openpyxl import Workbook

from gospages import Platform
from gospages.cli import main
from gospages.registry import (
    PageRef,
    RegistryError,
    RegistryProblem,
    RegistryWarning,
    load_registry,
    load_registry_report,
    registry_from_rows,
    save_registry,
)
from gospages.registry._common import _header_field
from gospages.testing import build_region

HEADER = ["id", "название", "вид", "уровень"]


def csv_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path


def xlsx_file(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def problems_of(path: Path) -> list[RegistryProblem]:
    with pytest.raises(RegistryError) as caught:
        load_registry_report(path)
    return caught.value.problems


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Ссылка на страницу", "url"),
        ("Адрес страницы", "url"),
        ("URL", "url"),
        ("Ссылка на аккаунт", "url"),
        ("Адрес аккаунта", "url"),
        ("Ссылка на официальную страницу ВКонтакте", "url"),
        ("Гиперссылка", "url"),
        ("ссылка (URL)", "url"),
        ("Соцсеть", "platform"),
        ("Соц. сеть", "platform"),
        ("Социальная сеть", "platform"),
        ("Социальные сети", "platform"),
        ("Площадка", "platform"),
        ("Аккаунт", "page"),
        ("Официальная страница", "page"),
        ("Страница в соцсети", "page"),
        ("ID группы", "page"),
        ("Короткое имя", "page"),
        ("Наименование организации", "name"),
        ("Полное наименование", "name"),
        ("НАИМЕНОВАНИЕ  ОРГАНИЗАЦИИ", "name"),
        ("Вид организации", "kind"),
        ("Тип органа", "kind"),
        ("Уровень власти", "level"),
        ("Вышестоящая организация", "parent"),
        ("id родителя", "parent"),
        ("Идентификатор", "id"),
        ("Категория страницы", "category"),
        ("Ответственный", None),
        ("Телефон", None),
        ("Адрес", None),  # a postal address as often as a page's
        ("Официальный сайт", None),
        ("Ссылка на сайт", None),
        ("ВКонтакте", None),
        ("№ п/п", None),
        ("Наличие официальной страницы", None),
        ("", None),
    ],
)
def test_headers_in_peoples_words(header: str, field: str | None) -> None:
    assert _header_field(header) == field


def test_a_csv_with_synonyms_reads_the_ok_address_and_warns_of_every_unused_column(
    tmp_path: Path,
) -> None:
    path = csv_file(
        tmp_path / "реестр.csv",
        "№ п/п;Идентификатор;Наименование организации;Вид организации;Уровень;"
        "Соц. сеть;Ссылка на страницу;Ответственный;Телефон\n"
        "1;ensk;Администрация района;ОМСУ;район;Одноклассники;"
        "https://ok.ru/group/53038939046008;Иванов И. И.;8 (3952) 00-00-00\n"
        "2;ensk;;;;ВКонтакте;https://vk.com/adm_ensk;;\n",
    )
    report = load_registry_report(path)
    assert report.source == str(path)
    assert report.registry.get("ensk").pages == [
        PageRef(
            platform=Platform.OK, page="53038939046008", url="https://ok.ru/group/53038939046008"
        ),
        PageRef(platform=Platform.VK, page="adm_ensk", url="https://vk.com/adm_ensk"),
    ]
    assert [(w.row, w.column) for w in report.warnings] == [
        (1, "№ п/п"),
        (1, "Ответственный"),
        (1, "Телефон"),
    ]
    assert all("не используется" in w.message for w in report.warnings)

    # load_registry gives the same registry and says the same as Python warnings.
    with pytest.warns(RegistryWarning) as caught:
        assert load_registry(path) == report.registry
    issued = [w.message for w in caught if isinstance(w.message, RegistryWarning)]
    assert [w.problem for w in issued] == report.warnings
    assert all(w.source == str(path) for w in issued)
    assert "столбец «Телефон»: столбец не используется" in str(issued[-1])
    assert Path(caught[0].filename).name == Path(__file__).name  # points at the caller


def test_a_column_without_a_header_but_with_values_is_named(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "r.csv", "id;название;вид;уровень;\na;A;ОМСУ;район;заметка\n")
    [warning] = load_registry_report(path).warnings
    assert warning.column is None
    assert "столбец 5 (E) без заголовка" in str(warning)


def test_unused_columns_come_with_the_errors_they_explain(tmp_path: Path) -> None:
    # «Веб-страница» is not a column gospages knows: the address is not read, and the
    # error about the missing page comes with a warning naming the column.
    path = csv_file(
        tmp_path / "r.csv",
        "id;название;вид;уровень;площадка;Страничка\nensk;Район;ОМСУ;район;ОК;ok.ru/group/1\n",
    )
    with pytest.raises(RegistryError) as caught:
        load_registry_report(path)
    error = caught.value
    assert [(w.row, w.column) for w in error.warnings] == [(1, "Страничка")]
    text = str(error)
    assert "Предупреждения (1):" in text
    assert "столбец «Страничка»: столбец не используется" in text


def test_a_well_formed_registry_has_no_warnings_and_round_trips(tmp_path: Path) -> None:
    region = build_region(seed=0).registry
    for suffix in ("csv", "xlsx", "yaml"):
        path = tmp_path / f"r.{suffix}"
        save_registry(region, path)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert load_registry(path) == region
        report = load_registry_report(path)
        assert report.registry == region
        assert report.warnings == []


@pytest.mark.parametrize(
    "blank", ["—", "-", "–", "нет", "Нет", "отсутствует", "Отсутствует", "н/д"]
)
def test_dashes_and_words_for_nothing_are_empty_cells(tmp_path: Path, blank: str) -> None:
    path = csv_file(
        tmp_path / "r.csv",
        "id;название;вид;уровень;родитель;площадка;страница;ссылка;категория\n"
        f"ensk;Район;ОМСУ;район;{blank};{blank};{blank};{blank};{blank}\n"
        f"lug;Луговское;ОМСУ;поселение;ensk;ВКонтакте;club1;{blank};{blank}\n",
    )
    registry = load_registry(path)
    ensk = registry.get("ensk")
    assert (ensk.parent, ensk.pages) == (None, [])
    assert registry.get("lug").pages == [PageRef(platform=Platform.VK, page="club1")]


def linked_book(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Реестр"
    sheet.append(["ID", "Наименование", "Вид", "Уровень", "Соцсеть", "Страница", "Сайт"])
    sheet.append(["ensk", "Администрация", "ОМСУ", "район", "ВКонтакте", None, "ensk.ru"])
    sheet["E2"].hyperlink = "https://vk.com/adm_ensk"  # «ВКонтакте» linking to the page
    sheet["G2"].hyperlink = "https://ensk.ru/"  # the official site: not a page
    sheet.append(["ensk", None, None, None, None, "Группа в ОК", None])
    sheet["F3"].hyperlink = "https://ok.ru/group/53038939046008"
    sheet.append(["ensk", None, None, None, "Telegram", "@ensk_adm", None])
    sheet["F4"].hyperlink = "https://t.me/another"  # the text is a page itself: it wins
    sheet.append(["lib", "Библиотека", "подведомственная", "учреждение", None, None, None])
    sheet["B5"].hyperlink = "https://vk.com/club123"  # a link on the name
    book.save(path)
    return path


def test_hyperlinks_behind_display_text_give_the_page(tmp_path: Path) -> None:
    report = load_registry_report(linked_book(tmp_path / "реестр.xlsx"))
    assert [(p.platform, p.page, p.url) for p in report.registry.get("ensk").pages] == [
        (Platform.VK, "adm_ensk", "https://vk.com/adm_ensk"),
        (Platform.OK, "53038939046008", "https://ok.ru/group/53038939046008"),
        (Platform.TELEGRAM, "@ensk_adm", None),
    ]
    assert report.registry.get("lib").pages[0].page == "club123"
    assert [w.column for w in report.warnings] == ["Сайт"]


def test_a_link_that_is_no_page_is_no_page(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "название", "вид", "уровень", "площадка", "страница"])
    sheet.append(["ensk", "Район", "ОМСУ", "район", "ВКонтакте", "Страница"])
    sheet["F2"].hyperlink = "https://ensk.ru/vk"
    book.save(path)
    [problem] = problems_of(path)
    assert (problem.row, problem.column) == (2, "страница")
    assert "«Страница» не подходит" in problem.message


def test_excel_numbers_are_read_from_the_stored_value(tmp_path: Path) -> None:
    path = xlsx_file(
        tmp_path / "r.xlsx",
        [
            [*HEADER, "площадка", "страница"],
            [101.0, "Район", "ОМСУ", "район", "Одноклассники", 53038939046008.0],  # 5,3E+13
            [102, "Школа", "подведомственная", "учреждение", "ОК", 7.0000000123456e13],
        ],
    )
    registry = load_registry(path)
    assert registry.get("101").pages[0].page == "53038939046008"
    assert registry.get("102").pages[0].page == "70000000123456"


def test_an_ok_group_id_excel_has_rounded_is_explained(tmp_path: Path) -> None:
    path = xlsx_file(
        tmp_path / "r.xlsx",
        [
            [*HEADER, "площадка", "страница"],
            ["a", "Район", "ОМСУ", "район", "Одноклассники", 5.30389e13],  # rounded to 6 digits
            ["b", "Село", "ОМСУ", "поселение", "Одноклассники", 7e13],
            ["c", "Школа", "подведомственная", "учреждение", "ОК", 1.2345678901234567e17],
        ],
    )
    problems = {p.row: p for p in problems_of(path)}
    assert set(problems) == {2, 3, 4}
    assert all(p.column == "страница" for p in problems.values())
    rounded = problems[2].message
    assert "«53038900000000» похоже на id группы, округлённый Excel" in rounded
    assert "5,30389E+13" in rounded
    assert "из 14 цифр значащих только 6" in rounded
    assert "как текст" in rounded and "Формат ячеек" in rounded
    assert "«70000000000000»" in problems[3].message
    assert "15 значащих цифр" in problems[4].message
    # Nothing else is said about these rows: no «не указана», no short-name error.
    assert len(problems_of(path)) == 3


def test_scientific_numbers_in_csv_are_read_or_explained(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "r.csv",
        "id;название;вид;уровень;площадка;страница\n"
        "a;Район;ОМСУ;район;ОК;5,3038939046008E+13\n"
        "b;Село;ОМСУ;поселение;ОК;5,30389E+13\n"
        "c;Село 2;ОМСУ;поселение;ОК;7E+13\n",
    )
    problems = problems_of(path)
    assert [(p.row, p.column) for p in problems] == [(3, "страница"), (4, "страница")]
    assert "«5,30389E+13» — так Excel показывает длинное число" in problems[0].message
    assert "записано цифр — 6 из 14" in problems[0].message
    assert "как текст" in problems[1].message
    fixed = csv_file(
        tmp_path / "ok.csv",
        "id;название;вид;уровень;площадка;страница\na;Район;ОМСУ;район;ОК;5,3038939046008E+13\n",
    )
    assert load_registry(fixed).get("a").pages[0].page == "53038939046008"


def test_rows_given_in_python_may_hold_numbers_and_warn_too() -> None:
    rows = [{"id": 1, "название": "Район", "вид": "ОМСУ", "уровень": "район", "Заметка": "x"}]
    with pytest.warns(RegistryWarning, match="«Заметка»"):
        registry = registry_from_rows(rows, source="rows")
    assert registry.get("1").name == "Район"


def test_cli_check_prints_the_warnings_in_russian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = linked_book(tmp_path / "реестр.xlsx")
    assert main(["registry", "check", str(good)]) == 0
    out = capsys.readouterr().out
    assert "Предупреждения (1):" in out
    assert "строка 1, столбец «Сайт»: столбец не используется" in out
    assert "переименуйте" in out
    assert "ошибок нет" in out

    bad = csv_file(
        tmp_path / "r.csv",
        "id;название;вид;уровень;площадка;Страничка\nensk;Район;ОМСУ;район;ОК;ok.ru/group/1\n",
    )
    assert main(["registry", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Предупреждения (1):" in err and "«Страничка»" in err
    assert "RegistryWarning" not in err
