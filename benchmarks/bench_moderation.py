"""Moderation classifier: precision and recall on the labelled set, and speed.

Reads ``tests/moderation_eval.jsonl`` (realistic municipal comments with gold labels;
``split`` is ``dev``, written before the rules, or ``holdout``, written after them) and
prints Markdown tables:

* precision / recall / F1 per label for ``RuleClassifier`` (with pymorphy3 and without);
* the ``obscene`` label side by side with the Russian profanity packages on PyPI:
  python-obscene-words-filter, check-swear, notpotty (install them into the venv to
  compare: ``pip install python-obscene-words-filter check-swear notpotty``; they are not
  dependencies of gospages);
* recall on obscene comments by the way they are disguised;
* throughput on one core: the eval set classified over and over (about 50,000 comments),
  with the token cache warm, and cold (cache cleared before every pass over the set);
* the same throughput as a ratio to python-obscene-words-filter, measured in the same run
  on the same comments (it looks for obscene words only; ours gives every label).

Run: ``python benchmarks/bench_moderation.py`` (about a minute; ``--quick`` for 10,000;
``--smoke`` for one pass, as CI runs it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gospages.moderation import LABELS, RuleClassifier, morphology_available

EVAL = Path(__file__).resolve().parent.parent / "tests" / "moderation_eval.jsonl"

Predict = Callable[[Sequence[str]], list[bool]]


def load(split: str) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in EVAL.read_text("utf-8").splitlines() if line]
    return [i for i in items if split == "all" or i["split"] == split]


def prf(pred: Sequence[bool], gold: Sequence[bool]) -> tuple[float, float, float, int, int, int]:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp, fp, fn


# -- the packages on PyPI ---------------------------------------------------------------------


def _owf() -> tuple[Predict | None, str]:
    try:
        from obscene_words_filter import get_default_filter
    except ImportError:
        return None, "не установлен (pip install python-obscene-words-filter)"
    words_filter = get_default_filter()

    def predict(texts: Sequence[str]) -> list[bool]:
        return [
            any(True for _ in words_filter.find_bad_word_matches_without_good_words(t))
            for t in texts
        ]

    return predict, "get_default_filter(): есть ли совпадение, не покрытое «хорошими» словами"


def _check_swear() -> tuple[Predict | None, str]:
    try:
        import nltk.corpus
        from check_swear import SwearingCheck
        from check_swear.model_prep import tokenizer as cs_tokenizer
    except ImportError:
        return None, "не установлен (pip install check-swear)"
    note = "SwearingCheck().predict(), порог 0.5"
    try:
        nltk.corpus.stopwords.words("russian")
    except LookupError:
        # check-swear downloads NLTK's stop-word corpus at first use; without network
        # access the download fails on every call. Run it without stop-word removal.
        cs_tokenizer.ChatTokenization._download_stopwords = lambda self, language: None

        class _NoStopwords:
            @staticmethod
            def words(language: str) -> list[str]:
                return []

        cs_tokenizer.stopwords = _NoStopwords
        note += (
            "; корпус стоп-слов NLTK недоступен (пакет скачивает его из сети при первом "
            "запуске), поэтому стоп-слова не удалялись — цифры могут немного отличаться"
        )
    checker = SwearingCheck()

    def predict(texts: Sequence[str]) -> list[bool]:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return [bool(p) for p in checker.predict(list(texts))]

    return predict, note


def _notpotty() -> tuple[Predict | None, str]:
    try:
        from notpotty import NotPotty
    except ImportError:
        return None, "не установлен (pip install notpotty)"
    potty = NotPotty()

    def predict(texts: Sequence[str]) -> list[bool]:
        return [bool(potty.sensor(t)) for t in texts]

    return predict, "NotPotty().sensor(); его список шире мата (урод, лох, тварь...)"


COMPETITORS = {
    "python-obscene-words-filter 0.1.6": _owf,
    "check-swear 0.1.4": _check_swear,
    "notpotty 0.1.1": _notpotty,
}


# -- speed --------------------------------------------------------------------------------------


def throughput(clf: RuleClassifier, texts: Sequence[str], total: int, *, cold: bool) -> float:
    """Comments per second over about ``total`` comments, one thread.

    The median pass over the set counts, so that a hiccup of the machine does not.
    """
    passes = max(1, round(total / len(texts)))
    for text in texts:  # warm the lexicons (not the cache, if cold)
        clf.classify(text)
    times = []
    for _ in range(passes):
        if cold:
            clf.clear_cache()
        start = time.perf_counter()
        for text in texts:
            clf.classify(text)
        times.append(time.perf_counter() - start)
    return len(texts) / statistics.median(times)


def predict_throughput(predict: Predict, texts: Sequence[str], total: int) -> float:
    """Comments per second of a package's ``predict`` over about ``total`` comments (median
    pass), measured the way :func:`throughput` measures ours."""
    passes = max(1, round(total / len(texts)))
    predict(texts)  # warm up, as ours is
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        predict(texts)
        times.append(time.perf_counter() - start)
    return len(texts) / statistics.median(times)


def table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 comments for the speed")
    parser.add_argument(
        "--smoke", action="store_true", help="one pass over the set (CI checks it still runs)"
    )
    parser.add_argument("--no-competitors", action="store_true")
    args = parser.parse_args(argv)
    total = 1 if args.smoke else 10_000 if args.quick else 50_000

    items = load("all")
    texts = [i["text"] for i in items]
    splits = {"all": items, "dev": load("dev"), "holdout": load("holdout")}
    print(
        f"# Moderation benchmark: {len(items)} comments "
        f"({len(splits['dev'])} dev, {len(splits['holdout'])} holdout); "
        f"Python {platform.python_version()}, {platform.machine()}"
    )

    classifiers = {"rules + pymorphy3": RuleClassifier()} if morphology_available() else {}
    classifiers["rules, без pymorphy3"] = RuleClassifier(morphology=False)
    if not morphology_available():
        print("\npymorphy3 не установлен: только запасной режим.")

    verdicts = {name: [clf.classify(t).labels for t in texts] for name, clf in classifiers.items()}
    for name, labels in verdicts.items():
        print(f"\n## RuleClassifier ({name}), по меткам\n")
        rows = []
        for label in LABELS:
            for split, subset in splits.items():
                ids = {i["id"] for i in subset}
                pred = [label in v for v, i in zip(labels, items, strict=True) if i["id"] in ids]
                gold = [label in i["labels"] for i in items if i["id"] in ids]
                p, r, f1, tp, fp, fn = prf(pred, gold)
                rows.append([
                    f"`{label}`", split, f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}",
                    f"{tp}/{fp}/{fn}", str(sum(gold)),
                ])  # fmt: skip
        print(table(rows, ["метка", "часть", "precision", "recall", "F1", "TP/FP/FN", "всего"]))

    gold_obscene = [("obscene" in i["labels"]) for i in items]
    ours = next(iter(verdicts.values()))
    results: dict[str, tuple[list[bool] | None, str, float]] = {
        "gospages RuleClassifier": (["obscene" in v for v in ours], "", 0.0)
    }
    if not args.no_competitors:
        for name, make in COMPETITORS.items():
            predict, note = make()
            if predict is None:
                results[name] = (None, note, 0.0)
                continue
            start = time.perf_counter()
            predicted = predict(texts)
            results[name] = (predicted, note, len(texts) / (time.perf_counter() - start))

    print("\n## Мат (`obscene`): сравнение с пакетами PyPI, весь набор\n")
    rows = []
    for name, (maybe, note, speed) in results.items():
        if maybe is None:
            rows.append([name, "—", "—", "—", "—", "—", note])
            continue
        p, r, f1, tp, fp, fn = prf(maybe, gold_obscene)
        rows.append([
            name, f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}", f"{tp}/{fp}/{fn}",
            f"{speed:,.0f}" if speed else "см. ниже", note,
        ])  # fmt: skip
    print(table(rows, ["пакет", "precision", "recall", "F1", "TP/FP/FN", "комм./с", "как вызван"]))

    print("\n## Мат: recall по способу маскировки\n")
    families = sorted({i.get("note", "") for i in items if "obscene" in i["labels"]} - {""})
    header = ["способ", "комм.", *results]
    rows = []
    for family in families:
        idx = [
            n for n, i in enumerate(items) if "obscene" in i["labels"] and i.get("note") == family
        ]
        row = [family, str(len(idx))]
        for maybe, _, _ in results.values():
            row.append("—" if maybe is None else f"{sum(maybe[n] for n in idx) / len(idx):.2f}")
        rows.append(row)
    traps = [
        n for n, i in enumerate(items) if i["kind"] == "trap" and "obscene" in i.get("note", "")
    ]
    row = ["ловушки: ложные срабатывания", str(len(traps))]
    for maybe, _, _ in results.values():
        row.append("—" if maybe is None else str(sum(maybe[n] for n in traps)))
    rows.append(row)
    print(table(rows, header))

    print(f"\n## Скорость RuleClassifier, одно ядро, ~{total:,} комментариев\n")
    rows = []
    for name, clf in classifiers.items():
        warm = throughput(clf, texts, total, cold=False)
        cold = throughput(clf, texts, total, cold=True)
        rows.append([name, f"{warm:,.0f}", f"{cold:,.0f}"])
    print(
        table(
            rows, ["режим", "комм./с, кэш токенов тёплый", "комм./с, кэш сброшен на каждом проходе"]
        )
    )
    predict, _ = _owf()
    if predict is not None:
        print("\n## Скорость против python-obscene-words-filter, тот же прогон\n")
        theirs = predict_throughput(predict, texts, total)
        rows = []
        for name, clf in classifiers.items():
            cold = throughput(clf, texts, total, cold=True)
            rows.append([name, f"{cold:,.0f}", f"{theirs:,.0f}", f"{cold / theirs:.2f}"])
        print(
            table(
                rows,
                [
                    "gospages",
                    "gospages, комм./с (кэш сброшен)",
                    "python-obscene-words-filter, комм./с",
                    "gospages / python-obscene-words-filter",
                ],
            )
        )
    flag = " --smoke" if args.smoke else " --quick" if args.quick else ""
    print(f"\nКоманда: python benchmarks/bench_moderation.py{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
