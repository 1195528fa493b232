"""Content plans: formats, plan check, iCalendar export, the CLI."""

from __future__ import annotations

import builtins
import runpy
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from gospages.cli import main
from gospages.planning import (
    ContentPlan,
    PlanError,
    check_plan,
    load_plan,
    load_plan_report,
    next_week,
    plan_to_ics,
    selection_resolver,
)
from gospages.requirements import Severity, load_policy
from gospages.testing import build_region

EXAMPLES = Path(__file__).parent.parent / "examples"
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
HEADER = "Дата;Время;Кому;Текст;Опрос;Варианты;Рубрика\n"


def _csv(tmp_path: Path, body: str, *, encoding: str = "utf-8-sig", name: str = "p.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


@pytest.fixture(scope="module")
def registry() -> Any:
    return build_region(seed=0).registry


# -- formats ---------------------------------------------------------------------------------


def test_shipped_xlsx_example_reads_cleanly_and_matches_its_script(tmp_path: Path) -> None:
    shipped = load_plan_report(EXAMPLES / "content_plan.xlsx")
    assert shipped.problems == []
    assert shipped.notes == []  # «Ответственный» is a column people keep for themselves
    assert len(shipped.plan) == 6
    first = shipped.plan.items[0]
    assert first.id == "2026-w50-01"
    assert first.at == datetime(2026, 12, 7, 10, 0, tzinfo=MSK)
    assert first.post.publish_at == first.at
    assert first.title == "Неделя приёма граждан"
    poll = shipped.plan.get("2026-w50-03").post.polls[0]
    assert poll.answers == [
        "Проект А: зона отдыха",
        "Проект Б: детская площадка",
        "Проект В: спортивная площадка",
    ]
    # The script builds the same plan (the example is not stale).
    out = tmp_path / "again.xlsx"
    sys_argv = sys.argv
    try:
        sys.argv = ["make_content_plan.py", str(out)]
        runpy.run_path(str(EXAMPLES / "make_content_plan.py"), run_name="__main__")
    finally:
        sys.argv = sys_argv
    again = load_plan(out)
    assert [(i.id, i.at, i.target, i.post.text) for i in again] == [
        (i.id, i.at, i.target, i.post.text) for i in shipped.plan
    ]


def test_csv_cp1251_and_utf8_bom_read_alike_and_a_bad_row_does_not_hide_the_others(
    tmp_path: Path,
) -> None:
    body = (
        "07.12.2026;10:00;all;Привет, жители!;;;новости\n"
        "08.12.2026;25:00;all;Неверное время;;;\n"
        "31.02.2026;10:00;all;Нет такой даты;;;\n"
        "09.12.2026;12.30;ensk;Опрос недели;Как дела?;Хорошо|Плохо;\n"
        "10.12.2026;9:00;;Без адресата;;;\n"
        ";;;;;;только заметка\n"
    )
    a = load_plan_report(_csv(tmp_path, body, encoding="cp1251", name="a.csv"))
    b = load_plan_report(_csv(tmp_path, body, encoding="utf-8-sig", name="b.csv"))
    for report in (a, b):
        assert [i.row for i in report.plan] == [2, 5]
        assert [(p.row, p.column) for p in report.problems] == [
            (3, "Время"),
            (4, "Дата"),
            (6, "Кому"),
        ]
        assert "25:00" in report.problems[0].message
        assert str(report.problems[0]).startswith("Строка 3, столбец «Время»: ")
    assert [i.id for i in a.plan] == [i.id for i in b.plan]  # derived ids are stable
    assert a.plan.items[1].post.polls[0].answers == ["Хорошо", "Плохо"]
    with pytest.raises(PlanError) as error:
        load_plan(tmp_path / "a.csv")
    assert len(error.value.problems) == 3
    assert "строка" not in str(error.value).split("\n")[0]  # one line of summary first


def test_comma_csv_with_quotes_and_formula_looking_cells_kept_as_text(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        'Дата,Время,Кому,Текст\n2026-12-07,10:00,all,"=HYPERLINK(""http://evil"",""жми"")"\n'
        "2026-12-08,10:00,all,'=1+2\n",
        encoding="utf-8",
    )
    plan = load_plan(path)
    assert plan.items[0].post.text == '=HYPERLINK("http://evil","жми")'
    assert plan.items[1].post.text == "=1+2"  # our own CSV guard (csv_cell) undone


def test_xlsx_formulas_are_never_evaluated(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Дата", "Время", "Кому", "Текст"])
    sheet.append([date(2026, 12, 7), time(10), "all", "=2+2"])  # a formula without a value
    sheet.append([date(2026, 12, 8), time(10), "all", "обычный текст"])
    book.save(tmp_path / "p.xlsx")
    report = load_plan_report(tmp_path / "p.xlsx")
    assert [i.post.text for i in report.plan] == ["обычный текст"]
    assert [(p.row, p.column) for p in report.problems] == [(2, "Текст")]


def test_yaml_plan_with_unquoted_times_zones_files_and_photos(tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "news.txt").write_bytes("Новость из файла\nв cp1251".encode("cp1251"))
    (tmp_path / "afisha.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "plan.yaml").write_text(
        """
timezone: Asia/Yakutsk
items:
  - id: n1
    дата: 2026-12-07
    время: 10:30
    кому: all
    файл: texts/news.txt
    фото: [afisha.jpg]
  - когда: 08.12.2026 18:00
    часовой пояс: МСК
    кому: [ensk, zarechny]
    текст: Второй
    опрос: Удобно?
    варианты: [Да, Нет]
  - дата: 09.12.2026
    время: "09:00"
    кому: all
    файл: /etc/passwd
""",
        encoding="utf-8",
    )
    report = load_plan_report(tmp_path / "plan.yaml")
    first, second = report.plan.items
    assert first.at == datetime(2026, 12, 7, 10, 30, tzinfo=ZoneInfo("Asia/Yakutsk"))
    assert first.post.text == "Новость из файла\nв cp1251"
    assert first.text_file == tmp_path / "texts" / "news.txt"
    assert first.post.photos[0].path == tmp_path / "afisha.jpg"
    assert second.at == datetime(2026, 12, 8, 18, 0, tzinfo=MSK)
    assert second.target == "ensk zarechny"
    assert [(p.row, p.column) for p in report.problems] == [(3, "файл")]
    assert "ожидается файл" in report.problems[0].message  # only .txt, .md, .docx are read


def test_yaml_anchors_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("- &a {кому: all}\n- *a\n", encoding="utf-8")
    with pytest.raises(PlanError, match="якоря"):
        load_plan_report(path)


def test_docx_text_missing_photo_and_fixed_offsets(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("Пресс-релиз из Word")
    document.save(str(tmp_path / "release.docx"))
    path = tmp_path / "p.csv"
    path.write_text(
        "Дата;Время;Часовой пояс;Кому;Файл;Фото\n"
        "07.12.2026;10:00;МСК+4;all;release.docx;\n"
        "07.12.2026;10:00;UTC+7;all;release.docx;нет.jpg\n"
        "07.12.2026;10:00;Марс/Олимп;all;release.docx;\n",
        encoding="utf-8",
    )
    report = load_plan_report(path)
    (item,) = report.plan.items
    assert item.post.text == "Пресс-релиз из Word"
    assert item.at.utcoffset() == timedelta(hours=7)
    assert [(p.row, p.column) for p in report.problems] == [(3, "Фото"), (4, "Часовой пояс")]


def test_limits_on_size_and_unknown_formats(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="неизвестный формат"):
        load_plan_report(tmp_path / "plan.pdf")
    with pytest.raises(PlanError, match="не найден"):
        load_plan_report(tmp_path / "нет.csv")
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (16 * 1024 * 1024 + 1))
    with pytest.raises(PlanError, match="больше"):
        load_plan_report(big)
    headless = tmp_path / "headless.csv"
    headless.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(PlanError, match="строка заголовков"):
        load_plan_report(headless)


def test_duplicate_ids_are_reported() -> None:
    from gospages.planning import plan_from_rows

    row = {"ID": "x", "Дата": "07.12.2026", "Время": "10:00", "Кому": "all", "Текст": "a"}
    report = plan_from_rows([(2, row), (3, {**row, "Текст": "b"})])
    assert len(report.plan) == 1
    assert "уже есть в строке 2" in report.problems[0].message


# -- check -----------------------------------------------------------------------------------


def _plan(tmp_path: Path, rows: str) -> ContentPlan:
    return load_plan(_csv(tmp_path, rows))


def test_check_finds_pages_below_the_policys_norm(tmp_path: Path, registry: Any) -> None:
    plan = _plan(tmp_path, "07.12.2026;10:00;all;Раз;;;\n08.12.2026;10:00;ensk;Два;;;\n")
    tomsk = load_policy("tomsk")
    result = check_plan(plan, policy=tomsk, registry=registry, week=date(2026, 12, 7), now=NOW)
    short = {(s.org.id, s.page.platform.value): s for s in result.shortfalls}
    assert ("ensk", "vk") not in short  # two posts: the norm of 2 is met
    assert short[("region", "vk")].planned == 1
    assert short[("region", "vk")].norm == 2
    assert short[("region", "vk")].severity is Severity.ERROR  # tomsk raises POL-FREQ
    assert len(short) == len(registry.pages()) - len(registry.get("ensk").pages)
    # The policy's own numbers: a norm by organisation kind.
    kinds = load_policy("tomsk", frequency={"by_kind": {"subordinate": 1}})
    result = check_plan(plan, policy=kinds, registry=registry, week=date(2026, 12, 7), now=NOW)
    assert not [s for s in result.shortfalls if s.org.kind.value == "subordinate"]
    federal = check_plan(plan, registry=registry, week=date(2026, 12, 7), now=NOW)
    assert federal.shortfalls == []  # no federal norm


def test_check_runs_check_post_and_the_targets_platform_limits(
    tmp_path: Path, registry: Any
) -> None:
    long_text = "Очень длинный текст " * 1000  # over VK's 16 384 and OK's limits
    plan = _plan(
        tmp_path,
        f"07.12.2026;10:00;ensk platform=vk;{long_text};;;\n"
        "07.12.2026;11:00;ensk;Звоните Иванову Ивану Петровичу: +7 913 123-45-67;;;\n"
        "07.12.2026;12:00;нет-такой;Текст;;;\n",
    )
    result = check_plan(plan, registry=registry, week=date(2026, 12, 7), now=NOW)
    by_rule = {(p.item.row, p.rule_id) for p in result.problems}
    assert (2, "GP-LIMITS") in by_rule
    limits = next(p for p in result.problems if p.rule_id == "GP-LIMITS")
    assert "ВКонтакте" in limits.message and "Одноклассники" not in limits.message
    assert (3, "152-PD") in by_rule
    assert (4, "GP-TARGET") in by_rule
    assert not result.ok


def test_check_holidays_working_hours_and_the_past(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        "31.12.2026;10:00;all;С Новым годом;;;\n"  # a transferred day off (decree for 2026)
        "29.12.2026;21:30;all;Поздно вечером;;;\n"
        "30.12.2026;12:00;all;В порядке;;;\n"
        "25.11.2026;12:00;all;Вчерашнее;;;\n",
    )
    policy = load_policy(
        "federal",
        publishing={
            "working_hours": "09:00-18:00",
            "avoid_holidays": True,
            "extra_holidays": [date(2026, 12, 30)],
        },
    )
    result = check_plan(plan, policy=policy, week=date(2026, 12, 28), now=NOW)
    rules = sorted((p.item.title, p.rule_id) for p in result.problems)
    assert rules == [
        ("В порядке", "GP-HOLIDAY"),  # the region's own day off
        ("Поздно вечером", "GP-HOURS"),
        ("С Новым годом", "GP-HOLIDAY"),
    ]
    assert result.notes == []
    past = check_plan(plan, policy=policy, week=date(2026, 11, 23), now=NOW)
    assert [p.rule_id for p in past.problems] == ["GP-PAST"]
    plain = check_plan(plan, week=date(2026, 12, 28), now=NOW)
    assert plain.problems == []  # nothing of the kind unless the policy says so


def test_without_the_holidays_package_the_labour_code_days_are_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_holidays(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "holidays":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_holidays)
    plan = _plan(tmp_path, "09.03.2026;10:00;all;8 марта — воскресенье;;;\n")
    policy = load_policy("federal", publishing={"avoid_holidays": True})
    result = check_plan(plan, policy=policy, week=date(2026, 3, 9), now=NOW - timedelta(days=300))
    assert [p.rule_id for p in result.problems] == ["GP-HOLIDAY"]
    assert "перенос" in result.problems[0].message
    assert "holidays" in result.notes[0]


def test_policy_publishing_section_is_validated() -> None:
    from gospages import ValidationError

    with pytest.raises(ValidationError, match="09:00-18:00"):
        load_policy("federal", publishing={"working_hours": "18:00-09:00"})
    hours = load_policy("federal", publishing={"working_hours": "8:00-24:00"}).publishing.hours
    assert hours is not None and hours[0] == time(8)


def test_next_week_and_selection_resolver(registry: Any) -> None:
    assert next_week(date(2026, 11, 30)) == date(2026, 12, 7)
    assert next_week(date(2026, 12, 6)) == date(2026, 12, 7)
    resolve = selection_resolver(registry)
    assert len(resolve("все")) == len(registry.pages())
    assert {p.platform.value for _, p in resolve("ensk, zarechny platform=vk,ok")} == {"vk", "ok"}
    with pytest.raises(ValueError, match="в реестре нет"):
        resolve("nowhere")
    assert resolve("parent=ensk level=поселение platform=вк") == resolve(
        "ensk.lugovoe ensk.berezovka ensk.kamenka platform=vk"
    )


# -- iCalendar -------------------------------------------------------------------------------


def test_ics_parses_back_with_stable_uids_and_escaped_text(tmp_path: Path, registry: Any) -> None:
    icalendar = pytest.importorskip("icalendar")
    text = "Итоги; встречи, с жителями\\итог\nВторая строка " + "длинная " * 30
    plan = _plan(tmp_path, f'07.12.2026;10:00;ensk;"{text}";;;\n08.12.2026;09:00;all;Ёлка;;;\n')
    ics = plan_to_ics(plan, resolve=selection_resolver(registry), now=NOW)
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(ics)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2
    first = events[0]
    assert str(first["SUMMARY"]) == "Итоги; встречи, с жителями\\итог"
    assert first.decoded("DTSTART") == datetime(2026, 12, 7, 10, 0, tzinfo=MSK)
    assert first.decoded("DTSTART").utcoffset() == timedelta(hours=3)
    description = str(first["DESCRIPTION"])
    assert "Кому: ensk" in description
    assert "Администрация Энского района" in description or "Энск" in description
    assert text.strip() in description
    again = plan_to_ics(plan, now=NOW + timedelta(days=1))
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(again).walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in events]  # importing again updates, not doubles


def test_ics_writes_utc_for_a_zone_with_daylight_saving(tmp_path: Path) -> None:
    icalendar = pytest.importorskip("icalendar")
    plan = load_plan(_csv(tmp_path, "07.07.2026;10:00;all;Летом;;;\n"), timezone="Europe/Berlin")
    ics = plan_to_ics(plan, now=NOW)
    assert "VTIMEZONE" not in ics
    assert "DTSTART:20260707T080000Z" in ics
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 7, 7, 8, tzinfo=timezone.utc)


# -- CLI -------------------------------------------------------------------------------------


def test_cli_plan_check_and_ics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reg = tmp_path / "reg.yaml"
    assert main(["registry", "sample", str(reg)]) == 0
    capsys.readouterr()
    plan = EXAMPLES / "content_plan.xlsx"
    md = tmp_path / "check.md"
    code = main(
        ["plan", "check", str(plan), "--registry", str(reg), "--policy", "tomsk",
         "--week", "2026-12-07", "--md", str(md)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1  # some pages are below Tomsk's 2 posts a week
    assert "ниже нормы" in out and "2026-w50-01" in out
    assert "| Организация | Страница | В плане | Норма |" in md.read_text(encoding="utf-8")
    code = main(["plan", "check", str(plan), "--week", "07.12.2026"])  # federal, no registry
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Замечаний нет" in out
    ics = tmp_path / "plan.ics"
    assert main(["plan", "ics", str(plan), "-o", str(ics), "--registry", str(reg)]) == 0
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert main(["plan", "check", str(tmp_path / "нет.xlsx")]) == 2
    assert "Файл не найден" in capsys.readouterr().err
