"""Build examples/content_plan.xlsx: a content plan as an SMM specialist keeps it in Excel.

    python examples/make_content_plan.py [OUT.xlsx]

Targets name organisations of the sandbox region (`gospages registry sample reg.yaml`);
check the plan with `gospages plan check examples/content_plan.xlsx --registry reg.yaml
--policy tomsk --week 2026-12-07`.
"""

from __future__ import annotations

import sys
from datetime import date, time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HEADER = ("ID", "Дата", "Время", "Кому", "Текст", "Фото", "Опрос", "Варианты", "Ответственный")
SETTLEMENTS = "ensk.lugovoe ensk.berezovka ensk.kamenka"
ROWS = [
    (
        "2026-w50-01",
        date(2026, 12, 7),
        time(10, 0),
        "region ensk zarechny platform=vk,ok",
        "Неделя приёма граждан\nС 7 по 11 декабря главы районов ведут приём по записи: "
        "телефон приёмной указан на сайте администрации.",
        "",
        "",
        "",
        "Пресс-служба",
    ),
    (
        "2026-w50-02",
        date(2026, 12, 8),
        time(11, 30),
        f"ensk {SETTLEMENTS}",
        "График вывоза ТКО на декабрь\nВывоз твёрдых коммунальных отходов — по вторникам и "
        "пятницам с 8:00 до 12:00.",
        "",
        "",
        "",
        "МКУ «Благоустройство»",
    ),
    (
        "2026-w50-03",
        date(2026, 12, 9),
        time(15, 0),
        "ensk platform=vk,ok",
        "Опрос: благоустройство сквера\nКакой проект благоустройства сквера на улице Ленина "
        "вам ближе? Голосование открыто до 20 декабря.",
        "",
        "Какой проект выбрать?",
        "Проект А: зона отдыха\nПроект Б: детская площадка\nПроект В: спортивная площадка",
        "Отдел ЖКХ",
    ),
    (
        "2026-w50-04",
        date(2026, 12, 10),
        time(10, 0),
        "все",
        "Единый день оплаты налогов\nНапоминаем: срок уплаты имущественных налогов физических "
        "лиц истёк 1 декабря. Проверить задолженность можно в личном кабинете налогоплательщика.",
        "",
        "",
        "",
        "Пресс-служба",
    ),
    (
        "2026-w50-05",
        date(2026, 12, 11),
        time(16, 0),
        "parent=ensk level=поселение platform=вк",
        "Ёлки во дворах\nНовогодние ёлки установят во всех поселениях района до 20 декабря.",
        "",
        "",
        "",
        "Главы поселений",
    ),
    (
        "2026-w51-01",
        date(2026, 12, 14),
        time(10, 0),
        "region ensk zarechny platform=vk,ok",
        "Итоги недели\nГлавное за неделю в муниципалитетах области.",
        "",
        "",
        "",
        "Пресс-служба",
    ),
]


def build(out: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Контент-план"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in ROWS:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        cells[1].number_format = "DD.MM.YYYY"
        cells[2].number_format = "HH:MM"
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGHI", (13, 12, 8, 36, 60, 10, 24, 30, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    book.save(out)


if __name__ == "__main__":
    target = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("content_plan.xlsx")
    )
    build(target)
    print(f"Записано: {target}")
