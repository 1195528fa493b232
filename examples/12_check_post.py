"""Проверка поста до публикации: персональные данные, Meta, реклама без erid, лимиты.

Запуск: python examples/12_check_post.py [ФАЙЛ]   (без файла — на примере черновика)
"""

from __future__ import annotations

import sys
from pathlib import Path

from gospages import Platform, Post
from gospages.requirements import check_post

DRAFT = (
    "Внимание! Потерялась собака, звоните хозяйке +7 913 555-12-34. "
    "А ещё скидки в магазине «Уют» по промокоду ДВОР. Мы в instagram.com/ensk"
)


def main() -> int:
    text = Path(sys.argv[1]).read_text(encoding="utf-8") if len(sys.argv) > 1 else DRAFT
    findings = check_post(Post(text=text), platforms=[Platform.VK, Platform.OK, Platform.TELEGRAM])
    if not findings:
        print("Замечаний нет: можно публиковать.")
        return 0
    for finding in findings:
        print(f"{finding.severity.label:>15}  {finding.rule_id:<10} {finding.message}")
        print(f"{'':>15}  {'':<10} {finding.evidence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
