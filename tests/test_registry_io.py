"""The registry in files: YAML, CSV and XLSX, the errors users see, and ``gospages registry``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from gospages import GospagesError, Platform
from gospages.cli import main
from gospages.registry import (
    Organization,
    OrgKind,
    OrgLevel,
    PageRef,
    Registry,
    RegistryError,
    RegistryProblem,
    RegistryWarning,
    load_registry,
    registry_from_rows,
    registry_to_rows,
    save_registry,
)
from gospages.testing import build_region

FORMATS = ["yaml", "yml", "csv", "xlsx"]


@pytest.fixture(scope="module")
def region() -> Registry:
    return build_region(seed=1).registry


def small() -> Registry:
    """Pages without URLs, with categories, an organisation without pages."""
    return Registry(
        organizations=[
            Organization(
                id="ensk",
                name="Администрация Энского района",
                kind=OrgKind.LOCAL_GOVERNMENT,
                level=OrgLevel.DISTRICT,
                pages=[
                    PageRef(platform=Platform.VK, page="adm_ensk", category="флагманский"),
                    PageRef(platform=Platform.OK, page="53038939046008"),
                    PageRef(
                        platform=Platform.TELEGRAM, page="@ensk_adm", url="https://t.me/ensk_adm"
                    ),
                ],
            ),
            Organization(
                id="12",
                name="Администрация Каменского сельского поселения; «Каменка»",
                kind=OrgKind.LOCAL_GOVERNMENT,
                level=OrgLevel.SETTLEMENT,
                parent="ensk",
            ),
            Organization(
                id="=school",
                name="=МБОУ «Школа № 1»",
                kind=OrgKind.SUBORDINATE,
                level=OrgLevel.INSTITUTION,
                parent="12",
                pages=[PageRef(platform=Platform.VK, page="club1", category="визитка")],
            ),
        ]
    )


def write_csv(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def problems_of(path: Path) -> list[RegistryProblem]:
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert str(path) in str(caught.value)
    return caught.value.problems


def find(problems: list[RegistryProblem], row: int, column: str) -> str:
    messages = [p.message for p in problems if (p.row, p.column) == (row, column)]
    assert messages, f"нет ошибки в строке {row}, столбце {column}: {problems}"
    return messages[0]


# -- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_save_then_load_gives_the_same_registry(fmt: str, region: Registry, tmp_path: Path) -> None:
    for registry in (region, small(), Registry()):
        path = tmp_path / f"registry.{fmt}"
        save_registry(registry, path)
        assert load_registry(path) == registry
        assert load_registry(str(path)) == registry


def test_rows_round_trip_and_headers(region: Registry) -> None:
    rows = registry_to_rows(region)
    assert list(rows[0]) == [
        "id",
        "название",
        "вид",
        "уровень",
        "родитель",
        "площадка",
        "страница",
        "ссылка",
        "категория",
    ]
    assert len(rows) == len(region.pages()) + len(region.without_pages())
    kamenka = next(r for r in rows if r["id"] == "ensk.kamenka")
    assert (kamenka["вид"], kamenka["уровень"], kamenka["площадка"]) == ("ОМСУ", "поселение", "")
    assert registry_from_rows(rows, source="rows") == region


def test_csv_is_what_russian_excel_opens(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    save_registry(small(), path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == (
        "id;название;вид;уровень;родитель;площадка;страница;ссылка;категория"
    )


def test_xlsx_sheet_looks_like_a_register(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    save_registry(small(), path)
    sheet = load_workbook(path).active
    assert sheet.title == "Реестр"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width
    # Text, not a formula, and neutralised (OWASP): the reader takes the apostrophe off.
    assert sheet["A6"].value == "'=school"
    assert sheet["A6"].data_type == "s"
    assert load_registry(path) == small()


def test_yaml_is_nested_with_english_keys(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    save_registry(small(), path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Реестр официальных страниц")
    assert "organizations:\n  - id: ensk\n" in text
    assert "kind: local_government" in text
    assert "page: '53038939046008'" in text


# -- reading what people write -----------------------------------------------------------------


def test_csv_with_semicolons_bom_urls_and_several_rows_per_organisation(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "реестр.csv",
        "Реестр аккаунтов Энского района на 01.03.2025;;;;;;;;\n"
        "№;ID;Наименование;Вид;Уровень;Родитель;Площадка;Страница;Ссылка;Ответственный\n"
        "1;ensk;Администрация Энского района;ОМСУ;муниципальный район;;;https://vk.com/adm_ensk;;Иванов\n"
        "2;ensk;;;;;;https://ok.ru/group/53038939046008;;\n"
        "3;ensk;Администрация Энского района;;;;Телеграмм;@ensk_adm;https://t.me/ensk_adm;\n"
        ";;;;;;;;;\n"
        "4;ensk.lib;МКУК «Библиотека»;подведомственная организация;учреждение;ensk;ВК;;m.vk.com/club123;\n"
        "5;ensk.kam;Администрация Каменского СП;омсу;Сельское поселение;ensk;;;;\n",
    )
    with pytest.warns(RegistryWarning) as caught:
        registry = load_registry(path)
    unused = [w.message.problem for w in caught if isinstance(w.message, RegistryWarning)]
    assert [(p.row, p.column) for p in unused] == [(2, "№"), (2, "Ответственный")]
    ensk = registry.get("ensk")
    assert ensk.level is OrgLevel.DISTRICT
    assert [(p.platform, p.page, p.url) for p in ensk.pages] == [
        (Platform.VK, "adm_ensk", "https://vk.com/adm_ensk"),
        (Platform.OK, "53038939046008", "https://ok.ru/group/53038939046008"),
        (Platform.TELEGRAM, "@ensk_adm", "https://t.me/ensk_adm"),
    ]
    library = registry.get("ensk.lib")
    assert library.kind is OrgKind.SUBORDINATE
    assert library.pages == [PageRef(platform=Platform.VK, page="club123", url="m.vk.com/club123")]
    assert [o.id for o in registry.without_pages()] == ["ensk.kam"]


def test_csv_with_commas_english_headers_and_enum_values(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        "id,name,kind,level,parent,platform,page,url,category\n"
        'region,"Правительство области, Энской",state_body,region,,vk,club1,,флагманский\n'
        "ensk,Администрация,local_government,district,region,OK,ok.ru/group54000000000001,,\n",
        encoding="utf-8",
    )
    registry = load_registry(path)
    assert registry.get("region").name == "Правительство области, Энской"
    assert registry.get("region").pages[0].category == "флагманский"
    assert registry.get("ensk").pages[0].page == "54000000000001"


def test_csv_in_windows_1251(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        "id;название;вид;уровень\nensk;Администрация Энского района;ОМСУ;район\n",
        encoding="cp1251",
    )
    assert load_registry(path).get("ensk").name == "Администрация Энского района"


def test_xlsx_typed_by_hand_with_numbers_and_another_sheet_name(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Лист1"
    sheet.append(["id", "название", "вид", "уровень", "площадка", "страница"])
    sheet.append([101, "Администрация", "ОМСУ", "район", "Одноклассники", 53038939046008])
    sheet.append([None] * 6)
    sheet.append([102, "Школа", "подведомственная", "учреждение", "ВКонтакте", 5.0])
    path = tmp_path / "r.xlsx"
    book.save(path)
    registry = load_registry(path)
    assert registry.get("101").pages[0].page == "53038939046008"
    assert registry.get("102").pages[0].page == "5"


@pytest.mark.parametrize(
    ("address", "platform", "page"),
    [
        ("https://vk.com/adm_ensk", Platform.VK, "adm_ensk"),
        ("http://m.vk.com/club123?w=wall-123_1", Platform.VK, "club123"),
        ("vk.ru/public42/", Platform.VK, "public42"),
        ("https://ok.ru/group/53038939046008", Platform.OK, "53038939046008"),
        ("https://www.ok.ru/group53038939046008/topics", Platform.OK, "53038939046008"),
        ("https://t.me/ensk_adm", Platform.TELEGRAM, "ensk_adm"),
        ("t.me/s/ensk_adm", Platform.TELEGRAM, "ensk_adm"),
    ],
)
def test_a_page_address_gives_platform_and_page(
    address: str, platform: Platform, page: str
) -> None:
    rows = [{"id": "a", "название": "A", "вид": "ОМСУ", "уровень": "район", "страница": address}]
    ref = registry_from_rows(rows, source="t").get("a").pages[0]
    assert (ref.platform, ref.page, ref.url) == (platform, page, address)


def test_yaml_with_children_russian_keys_and_bare_addresses(tmp_path: Path) -> None:
    path = tmp_path / "r.yml"
    path.write_text(
        """
организации:
  - id: region
    название: Правительство Энской области
    вид: орган власти
    уровень: регион
    страницы:
      - https://vk.com/ensk_region
      - {площадка: ОК, страница: 53038939046008, категория: флагманский}
    children:
      - id: ensk
        name: Администрация Энского района
        kind: ОМСУ
        level: district
        pages:
        children:
          - id: 7
            name: Школа № 1
            kind: subordinate
            level: institution
            parent: ensk
  - id: other
    name: Другой район
    kind: local_government
    level: district
    parent: region
""",
        encoding="utf-8",
    )
    registry = load_registry(path)
    assert [o.id for o in registry.organizations] == ["region", "ensk", "7", "other"]
    assert registry.get("ensk").parent == "region"
    assert registry.get("7").parent == "ensk"
    assert registry.get("region").pages == [
        PageRef(platform=Platform.VK, page="ensk_region", url="https://vk.com/ensk_region"),
        PageRef(platform=Platform.OK, page="53038939046008", category="флагманский"),
    ]


# -- errors ------------------------------------------------------------------------------------


def test_every_table_problem_is_reported_at_once_with_row_and_column(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        "id;название;вид;уровень;родитель;площадка;страница;ссылка\n"  # row 1
        "ensk;Администрация;ОМСУ;район;;ВКонтакте;adm_ensk;\n"  # 2
        "ensk;Администрация р-на;ОМСУ;регион;;;;\n"  # 3
        "lug;Луговское;муниципальное;посёлок;ensk;Инстаграм;lug;\n"  # 4
        "ber;;ОМСУ;поселение;ensk;ВК;https://vk.com/adm_ensk;\n"  # 5
        "kam;Каменское;ОМСУ;поселение;nowhere;;;\n"  # 6
        "a;A;ОМСУ;район;b;;;\n"  # 7
        "b;B;ОМСУ;район;a;ОК;ok.ru/admensk;\n"  # 8
        "c;C;ОМСУ;район;;ВКонтакте;https://example.com/c;\n"  # 9
        ";C;ОМСУ;район;;;;\n"  # 10
        "d;D;ОМСУ;район;d;Telegram;;https://vk.com/dd\n"  # 11
        "e;E;ОМСУ;район;;Facebook;e;\n"  # 12
        "f;F;ОМСУ;район;;Одноклассники;adm_f;\n",  # 13
    )
    problems = problems_of(path)
    assert "расходится" in find(problems, 3, "название")
    assert "строка 2" in find(problems, 3, "название")
    assert "«регион» расходится с «район»" in find(problems, 3, "уровень")
    assert "«орган власти», «ОМСУ», «подведомственная»" in find(problems, 4, "вид")
    assert "«регион», «район», «поселение», «учреждение»" in find(problems, 4, "уровень")
    assert "META" in find(problems, 4, "площадка")
    assert find(problems, 5, "название") == "обязательное поле не заполнено"
    assert "строка 2, столбец «страница»" in find(problems, 5, "страница")
    assert "«nowhere» нет в реестре" in find(problems, 6, "родитель")
    assert "a → b → a" in find(problems, 7, "родитель")
    assert "ok.ru/group/" in find(problems, 8, "страница")
    assert "не похоже на адрес страницы" in find(problems, 9, "страница")
    assert "id" in [p.column for p in problems if p.row == 10]
    assert "самой себя" in find(problems, 11, "родитель")
    assert "«ВКонтакте», а указана площадка «Telegram»" in find(problems, 11, "ссылка")
    assert "Facebook" in find(problems, 12, "площадка")
    assert "числовой id группы" in find(problems, 13, "страница")
    assert [p.row for p in problems] == sorted(p.row or 0 for p in problems)


def test_the_error_reads_well(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "id;название;вид;уровень\nensk;Район;ОМСУ;край\n")
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    error = caught.value
    assert isinstance(error, GospagesError)
    assert error.source == str(path)
    lines = str(error).splitlines()
    assert lines[0] == f"Реестр {path}: 1 ошибка"
    assert lines[1].startswith("  строка 2, столбец «уровень»: «край» — неизвестное значение")


def test_title_rows_shift_the_row_numbers_as_excel_shows_them(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Реестр официальных страниц"])
    sheet.append([])
    sheet.append(["id", "название", "вид", "уровень"])
    sheet.append(["ensk", "Район", "ОМСУ", "район"])
    sheet.append(["lug", "Луговское", "ОМСУ", "деревня"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    [problem] = problems_of(path)
    assert (problem.row, problem.column) == (5, "уровень")


def test_missing_and_repeated_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "id;name;название;уровень\nensk;a;b;район\n")
    problems = problems_of(path)
    assert {(p.row, p.column) for p in problems} == {(1, "название"), (1, "вид")}
    assert "«name»" in find(problems, 1, "название")
    assert "нет обязательного столбца" in find(problems, 1, "вид")


def test_category_without_a_page_and_an_empty_file(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv", "id;название;вид;уровень;категория\na;A;ОМСУ;район;визитка\n"
    )
    assert "страницы нет" in find(problems_of(path), 2, "категория")
    assert "пуст" in problems_of(write_csv(tmp_path / "e.csv", "\n\n"))[0].message


def test_yaml_problems_name_the_path_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        """organizations:
  - id: region
    name: Правительство
    kind: state_body
    level: region
    pages:
      - platform: vk
        page: region
      - platform: Фейсбук
        page: region
  - id: ensk
    name: Район
    kind: ОМСУ
    level: district
    parent: regoin
    parnt: region
    pages:
      - {platform: vk, page: region}
  - id: region
    name: [Дубль]
    kind: ОМСУ
    level: district
    pages: https://vk.com/x
    children:
      - id: child
        name: Ребёнок
        kind: ОМСУ
        level: settlement
        parent: ensk
""",
        encoding="utf-8",
    )
    problems = problems_of(path)
    by_path = {p.path: p for p in problems}
    assert by_path["organizations[0].pages[1].platform"].row == 9
    assert "META" in by_path["organizations[0].pages[1].platform"].message
    assert "«regoin» нет в реестре" in by_path["organizations[1].parent"].message
    assert "неизвестный ключ" in by_path["organizations[1].parnt"].message
    assert "organizations[0].pages[0]" in by_path["organizations[1].pages[0]"].message
    assert "уже занят" in by_path["organizations[2].id"].message
    assert by_path["organizations[2].name"].message == "ожидается текст"
    assert by_path["organizations[2].pages"].message == "ожидается список страниц"
    assert "вложена" in by_path["organizations[2].children[0].parent"].message
    assert str(by_path["organizations[0].pages[1].platform"]).startswith(
        "строка 9, organizations[0].pages[1].platform: «Фейсбук»: площадки Meta"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("organizations:\n  - id: a\n    name: [x\n", "ошибка разметки YAML"),
        ("", "пуст"),
        ("orgs: []\n", "organizations"),
        ("organizations: {a: 1}\n", "ожидается список организаций"),
        ("organizations:\n  - id: a\n    id: b\n", "ключ повторяется"),
    ],
)
def test_yaml_that_is_not_a_registry(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    assert any(expected in p.message for p in problems_of(path))


def test_unknown_formats_and_broken_workbooks(tmp_path: Path) -> None:
    assert "нужен .yaml" in problems_of(tmp_path / "r.txt")[0].message
    assert "Книга Excel" in problems_of(tmp_path / "r.xls")[0].message
    broken = tmp_path / "r.xlsx"
    broken.write_bytes(b"not a zip")
    assert "книгу Excel" in problems_of(broken)[0].message
    with pytest.raises(RegistryError):
        save_registry(small(), tmp_path / "r.json")
    with pytest.raises(FileNotFoundError):
        load_registry(tmp_path / "missing.csv")


def test_the_model_rejects_a_cycle_of_parents() -> None:
    def org(org_id: str, parent: str) -> Organization:
        return Organization(
            id=org_id,
            name=org_id,
            kind=OrgKind.LOCAL_GOVERNMENT,
            level=OrgLevel.DISTRICT,
            parent=parent,
        )

    with pytest.raises(ValueError, match="цикл: a → b → a"):
        Registry(organizations=[org("a", "b"), org("b", "a")])
    assert OrgKind.SUBORDINATE.label == "подведомственная"
    assert OrgLevel.SETTLEMENT.label == "поселение"


# -- the command -------------------------------------------------------------------------------


def test_cli_sample_check_show_convert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = tmp_path / "sample.yaml"
    assert main(["registry", "sample", str(sample)]) == 0
    assert "Записано" in capsys.readouterr().out
    assert load_registry(sample) == build_region(seed=0).registry

    assert main(["registry", "check", str(sample)]) == 0
    out = capsys.readouterr().out
    for expected in ("ошибок нет", "Организаций: 13", "поселение", "ВКонтакте", "Без страниц: 1"):
        assert expected in out, expected
    assert "Администрация Каменского сельского поселения (ensk.kamenka)" in out

    assert main(["registry", "show", str(sample)]) == 0
    out = capsys.readouterr().out
    assert "Правительство Энской области (region)" in out
    assert "нет страниц" in out
    assert "Одноклассники: 54000000000001" in out

    table = tmp_path / "registry.xlsx"
    back = tmp_path / "back.csv"
    assert main(["registry", "convert", str(sample), str(table)]) == 0
    assert main(["registry", "convert", str(table), str(back)]) == 0
    assert load_registry(back) == load_registry(sample)


def test_cli_check_exits_1_with_the_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(
        tmp_path / "r.csv", "id;название;вид;уровень\na;A;ОМСУ;край\nb;B;омсу;район;\n"
    )
    assert main(["registry", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"Реестр {path}: 1 ошибка" in err
    assert "строка 2, столбец «уровень»: «край» — неизвестное значение" in err


def test_cli_refuses_to_overwrite_and_explains_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "mine.csv"
    existing.write_text("мой реестр", encoding="utf-8")
    assert main(["registry", "sample", str(existing)]) == 1
    assert "--force" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "мой реестр"
    assert main(["registry", "sample", str(existing), "--force"]) == 0
    assert len(load_registry(existing)) == 13

    assert main(["registry", "check", str(tmp_path / "missing.yaml")]) == 1
    assert "Файл не найден" in capsys.readouterr().err
    assert main(["registry", "convert", str(existing), str(tmp_path / "r.doc")]) == 1
    assert "неизвестный формат «.doc»" in capsys.readouterr().err
    assert main(["registry"]) == 2
    assert "check" in capsys.readouterr().out


def test_the_examples_in_the_docs_load(tmp_path: Path) -> None:
    docs = (Path(__file__).parent.parent / "docs" / "registry.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(csv|yaml)\n(.*?)```", docs, flags=re.DOTALL)
    assert [fmt for fmt, _ in blocks] == ["csv", "yaml", "yaml"]
    for i, (fmt, text) in enumerate(blocks):
        path = tmp_path / f"{i}.{fmt}"
        path.write_text(text, encoding="utf-8")
        registry = load_registry(path)
        assert registry.get("ensk").pages[0].page == "adm_ensk"
