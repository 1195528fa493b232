"""Очередь комментариев: спам, оскорбления и мат — по политике региона, с журналом.

Запуск: python examples/13_moderation.py [--apply]

Работает на песочнице-области gospages.testing (ключи и сеть не нужны). Без --apply
ничего не меняет: показывает, что было бы сделано. С --apply удаляет, блокирует по
лестнице (1, 3, 7, 30 дней, навсегда) и пишет каждое действие в журнал; повторный запуск
ничего не делает дважды.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import Counter
from pathlib import Path

from gospages.moderation import Action, ModerationStore, moderate
from gospages.testing import build_region


async def main() -> None:
    apply = "--apply" in sys.argv
    region = build_region(seed=0)
    store = ModerationStore(Path(tempfile.mkdtemp(prefix="gospages-mod-")) / "inbox.sqlite")

    open_page = region.opener()

    run = await moderate(
        region.registry, open_page, "tomsk", store=store, apply=apply, actor="пример 13"
    )
    print(f"Комментариев разобрано: {len(run.decisions)} ({'с действиями' if apply else 'пробно'})")
    print(Counter(d.action.label for d in run.decisions))
    for decision in run.decisions:
        if decision.action is not Action.KEEP:
            print(f"  {decision.action.label:<25} «{decision.comment.text[:50]}» — {decision.why}")
    # How the labels compare with what the sandbox knows each comment is:
    truth = Counter()
    for decision in run.decisions:
        kind = region.comment_kinds.get(
            (decision.platform, decision.comment.page, decision.comment.id)
        )
        truth[(kind, ",".join(decision.labels) or "—")] += 1
    print("Вид комментария в песочнице → метки классификатора:")
    for (kind, labels), n in sorted(truth.items(), key=lambda x: str(x)):
        print(f"  {kind:<10} → {labels:<20} {n}")
    print(f"Вопросов без ответа дольше 24 ч: {len(run.overdue)}; журнал: {store.path}")


if __name__ == "__main__":
    asyncio.run(main())
