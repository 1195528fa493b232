"""gospages.moderation: labels, disguises, traps, plugging classifiers, the eval set."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from gospages.moderation import (
    LABELS,
    AsyncClassifier,
    Classifier,
    ClassifyContext,
    Reason,
    RuleClassifier,
    SpamMemory,
    Verdict,
    classify,
    combine,
    fingerprint,
    morphology_available,
)
from gospages.requirements._rules import personal_data_problems
from gospages.testing._scenario import COMMENT_KINDS

EVAL = Path(__file__).parent / "moderation_eval.jsonl"
needs_morphology = pytest.mark.skipif(not morphology_available(), reason="pymorphy3 not installed")


@pytest.fixture(scope="module")
def rules() -> RuleClassifier:
    return RuleClassifier()


@pytest.fixture(scope="module")
def fallback() -> RuleClassifier:
    return RuleClassifier(morphology=False)


# -- each label -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Когда починят освещение на улице Мира?", set()),
        ("Спасибо за оперативную работу!", set()),
        ("Третий день нет воды, и никто не отвечает на звонки!", set()),
        ("Да что за хуйня опять с водой", {"obscene"}),
        ("Глава — бездарь и вор, гнать таких надо", {"insult"}),
        ("Заработок от 5000 в день без вложений! Пиши в лс", {"spam"}),
        ("мой номер 89131234567, перезвоните пожалуйста", {"personal_data"}),
        ("где купить соль? пишите в лс", {"prohibited"}),
        ("Кредит без отказа за 5 минут, звоните +7 999 000-12-34", {"spam", "personal_data"}),
        ("ну вы и долбоёбы", {"obscene", "insult"}),
    ],
)
def test_each_label(text: str, expected: set[str]) -> None:
    verdict = classify(text)
    assert set(verdict.labels) == expected
    assert verdict.clean is (not expected)
    assert (verdict.score > 0) is bool(expected)


def test_reasons_point_into_the_text() -> None:
    text = "Задолбали, БЛ*ТЬ, звоните 8 913 555-12-34, тут х.у.й что сделают"
    verdict = classify(text)
    assert verdict.labels == {"obscene", "personal_data"}
    for reason in verdict.reasons:
        assert text[reason.start : reason.end] == reason.match
        assert reason.source == "rules"
        assert 0 < reason.score <= 1
    assert [r.match for r in verdict.reasons_for("obscene")] == ["БЛ*ТЬ", "х.у.й"]
    assert verdict.reasons_for("personal_data")[0].match == "8 913 555-12-34"
    assert verdict.to_dict()["labels"] == ["obscene", "personal_data"]


def test_scenario_comments_are_what_the_scenario_says() -> None:
    expected = {"spam": {"spam"}, "insult": {"insult"}, "obscene": {"obscene"}}
    for kind, texts in COMMENT_KINDS.items():
        for text in texts:
            got = set(classify(text).labels) - {"personal_data"}
            assert got == expected.get(kind, set()), (kind, text)


def test_personal_data_follows_the_requirements_rule() -> None:
    for text in (
        "звоните 8 (905) 123-45-67",
        "снилс 123-456-789 01",
        "паспорт 4512 345678",
        "приёмная +7 (38247) 2-11-00",
        "горячая линия 8-800-100-00-00",
    ):
        assert ("personal_data" in classify(text).labels) is bool(personal_data_problems(text))
    # Beyond the requirements' patterns: series and number written out.
    assert "personal_data" in classify("паспорт серия 6905 номер 123456").labels


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("закладки на районе, пиши в тг", True),
        ("купить меф без палева", True),
        ("мефедрон, гашиш в наличии, пиши в телегу", True),
        ("все на площадь, громим администрацию!", True),
        ("вступайте в ряды волонтёров!", False),
        ("вступайте в ряды добровольной пожарной дружины", False),
        ("где купить соль для посыпки дорожек?", False),
        ("закладка фундамента новой школы весной", False),
        ("суицид подростков — тема лекции в школе", False),
    ],
)
def test_prohibited(text: str, flagged: bool) -> None:
    assert ("prohibited" in classify(text).labels) is flagged


# -- obscene language: every disguise -----------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "text"),
    [
        ("plain", "пиздец какой-то, а не дорога"),
        ("plain", "заебали уже со своими обещаниями"),
        ("plain", "нихуя не делают"),
        ("plain", "мусор не вывозят, блядь, месяц уже"),
        ("plain", "ёбаный стыд, а не ремонт"),
        ("plain", "отъебитесь от пенсионеров"),
        ("plain", "глава мудак"),
        ("latin", "да что за xуйня"),
        ("latin", "хyйня какая-то"),
        ("latin", "пиздeц полный"),
        ("latin", "ПИЗДEЦ"),
        ("latin", "cпиздили весь асфальт"),
        ("latin", "пiздец на дорогах"),
        ("latin", "піздец с украинской і"),
        ("latin", "xyй вам"),
        ("latin", "HAXYЙ такие праздники"),
        ("digits", "3аебали с проверками"),
        ("digits", "6лять когда уже"),
        ("digits", "бл9ть опять"),
        ("digits", "п1здец"),
        ("digits", "пи3дец"),
        ("digits", "еб@ть какие ямы"),
        ("digits", "ё6аный стыд"),
        ("pi", "3.14здец товарищи"),
        ("pi", "ну это 3,14здец"),
        ("pi", "πздец"),
        ("separators", "х.у.й вам"),
        ("separators", "ни х-у-я не делают"),
        ("separators", "пи-здец"),
        ("separators", "бл.ять"),
        ("separators", "бл_ять опять"),
        ("separators", "е.б.а.н.ы.й стыд"),
        ("separators", "ху\u200bйня с невидимым пробелом"),
        ("spaced", "х у й вам"),
        ("spaced", "п и з д е ц"),
        ("spaced", "х. у. й."),
        ("repeat", "хуууууй там"),
        ("repeat", "бляяяяять"),
        ("repeat", "пиииииздец"),
        ("repeat", "заебааааали"),
        ("mask", "х*йня опять"),
        ("mask", "бл*ть"),
        ("mask", "п*здец"),
        ("mask", "п@здец"),
        ("mask", "за*бали"),
        ("mask", "ох*еть"),
        ("mask", "на*уй"),
        ("mask", "п**дец"),
        ("mask", "х**ня"),
        ("mask", "х#й вам"),
        ("mask", "бл%ть"),
        ("mask", "*уйня"),
        ("translit", "blyat opyat sveta net"),
        ("translit", "pizdec kakoi-to"),
        ("translit", "nahui takuyu vlast"),
        ("translit", "eto ebanyi cirk"),
        ("caps", "ДА ВЫ ОХУЕЛИ ТАМ"),
    ],
)
def test_obscene_disguises(family: str, text: str, rules: RuleClassifier) -> None:
    verdict = rules.classify(text)
    assert "obscene" in verdict.labels, (family, text)
    reason = verdict.reasons_for("obscene")[0]
    expected_rule = {
        "plain": "obscene.plain",
        "caps": "obscene.plain",
        "mask": "obscene.masked",
        "spaced": "obscene.spaced",
    }.get(family, "obscene.obfuscated")
    assert reason.rule == expected_rule, (text, reason)


TRAPS = [
    "не надо оскорблять людей",
    "вы оскорбляете жителей",
    "страхуйте дома от пожара",
    "застрахуйте машину",
    "психуй не психуй, воды нет",
    "команда волонтёров",
    "проезд подорожал на 2 рубля",
    "рубль упал",
    "употреблять воду из крана нельзя",
    "потребители жалуются",
    "мудрый руководитель",
    "мудрое решение",
    "хлебать холодный суп",
    "хулиганы сломали лавочку",
    "сабля деда в музее",
    "макет корабля",
    "не влюбляться же в эти ямы",
    "смотрели фильм про реку Хуанхэ",
    "тебя тоже не пустили?",
    "небо над озером",
    "гребля на байдарках",
    "краска пахнет скипидаром",
    "ребята молодцы",
    "учебники выдали",
    "Глебу Петровичу спасибо",
    "сухую траву жгут",
    "плохую дорогу сделали",
    "тихую погоду обещают",
    "глухую стену разрисовали",
    "мандарины детям",
    "депутатский мандат",
    "колебаний цен не будет",
    "погребение под снегом",
    "скребли снег всю ночь",
    "бляшки на памятнике",
    "подебоширить на празднике",
    "дебаты кандидатов",
    "вебинар для родителей",
    "хутор Хуторской",
    "художественная школа",
    "т.е. х.з. когда приедут",
]


@pytest.mark.parametrize("text", TRAPS)
def test_false_positive_traps(text: str, rules: RuleClassifier, fallback: RuleClassifier) -> None:
    assert "obscene" not in rules.classify(text).labels
    assert "obscene" not in fallback.classify(text).labels


EUPHEMISMS = [
    "блин, опять автобус опоздал",
    "фиг дождёшься ответа",
    "хрен вам, а не ремонт",
    "херня какая-то с расписанием",
    "нахрена нам фонтан",
    "нихера не сделали",
    "офигеть, воду дали",
    "охренеть цены",
    "пипец, без света",
    "капец, снова ямы",
    "ёлки-палки",
    "ёпрст, опять",
    "бляха-муха, опять отключили",
    "на х*р такие дороги",
    "задолбали с ремонтами",
]


@pytest.mark.parametrize("text", EUPHEMISMS)
def test_euphemisms_are_not_obscene(text: str) -> None:
    assert "obscene" not in classify(text).labels


@needs_morphology
def test_morphology_judges_words_inside_words(rules: RuleClassifier) -> None:
    # A root inside a word, not after a known prefix: the dictionary decides.
    assert "obscene" in rules.classify("ну ты и долбохуй").labels
    assert "obscene" not in rules.classify("перестрахуйтесь").labels
    assert rules.morphology


def test_fallback_without_morphology(fallback: RuleClassifier) -> None:
    assert not fallback.morphology
    # The fallback keeps the exception stems, and loses words it cannot look up.
    assert "obscene" not in fallback.classify("застрахуйте дом").labels
    assert "obscene" not in fallback.classify("ну ты и долбохуй").labels
    assert "obscene" in fallback.classify("пиздец").labels


def test_morphology_required_but_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from gospages.moderation import _classify

    monkeypatch.setattr(_classify, "get_morphology", lambda: None)
    with pytest.raises(RuntimeError, match="pymorphy3"):
        RuleClassifier(morphology=True)
    assert not RuleClassifier().morphology


# -- insults and threats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "вы там все идиоты в администрации?",
        "ты дебил что ли?",
        "мэр — полный идиот",
        "козлы вы все там",
        "дураки сидят в администрации",
        "директор управляйки — вор и жулик",
        "какие же вы тупые",
        "ну ты и идиотка",
        "гнать вас всех поганой метлой",
        "убью того кто мусор бросает",
        "сжечь бы вашу администрацию",
        "повесить бы вас всех",
        "таких чиновников надо расстреливать",
        "таких как вы вешать надо",
        "набить бы морду подрядчику",
        "чтоб вы сдохли",
        "пошли вы все на хрен",
        "пошли все на х.у.й",
        "идиoты, кто так строит",
    ],
)
def test_insults(text: str) -> None:
    assert "insult" in classify(text).labels


@pytest.mark.parametrize(
    "text",
    [
        "нас что, за дураков держат?",
        "не держите жителей за идиотов",
        "в России две беды — дураки и дороги",
        "у соседей воры залезли в сарай",
        "осторожно, мошенники звонят от имени администрации",
        "сжигать мусор запрещено",
        "сжечь бы этот мусор, да нельзя",
        "повесьте объявление на остановке",
        "просим всех жителей повесить флаги",
        "убить время в очереди",
        "придётся гнать машину на техосмотр",
        "козы и козлы бродят по дороге",
        "мы как дураки стояли два часа",
        "я не идиот, хочу понять",
        "фильм «Идиот» покажут в клубе?",
        "крыса бегает в подвале школы",
        "пошли все на субботник!",
    ],
)
def test_insult_traps(text: str) -> None:
    assert "insult" not in classify(text).labels


# -- spam ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "подписывайтесь на наш канал, розыгрыш айфона!",
        "займы на карту без проверок, одобрение 99%",
        "переходи по ссылке bit.ly/3xYzAbc и получи бонус",
        "подпишись на мой канал t.me/super_zarabotok",
        "микрозаймы онлайн https://zaim-bystro.ru",
        "снимаю порчу и сглаз, верну любимого",
        "казино вулкан, бонус 500 фриспинов",
        "продам дрова, доставка, пишите в лс",
        "требуются курьеры, оплата каждый день",
        "аааааааааааааааааааааааааааааа",
        "😂😂😂😂😂😂😂😂😂😂😂😂",
        "ап ап ап ап ап ап ап ап",
        "зaрaбoтoк oт 5000 в дeнь",
    ],
)
def test_spam(text: str) -> None:
    assert "spam" in classify(text).labels


@pytest.mark.parametrize(
    "text",
    [
        "у нас заработок 15 тысяч, как на это жить?",
        "взяла кредит на ремонт крыши, а её залило",
        "когда будет розыгрыш призов на дне села?",
        "подайте заявление на сайте gosuslugi.ru",
        "форма обращения: https://pos.gosuslugi.ru/form/?opaId=123",
        "на сайте https://www.nalog.gov.ru всё есть",
        "подписывайтесь на официальную страницу администрации",
        "скидки пенсионерам на проезд сохранятся?",
        "вот видео ямы https://disk.yandex.ru/i/abc, разберитесь пожалуйста, это опасно",
        "Спасибо!!!!!!!!!!",
        "нет нет нет, только не опять ремонт",
    ],
)
def test_spam_traps(text: str) -> None:
    assert "spam" not in classify(text).labels


def test_allowed_domains() -> None:
    text = "смотрите https://adm-ensk.ru"
    assert "spam" in classify(text).labels
    assert "spam" not in RuleClassifier(allowed_domains=["adm-ensk.ru"]).classify(text).labels
    context = ClassifyContext(allowed_domains=("adm-ensk.ru",))
    assert "spam" not in classify(text, context=context).labels


def test_same_text_again_is_spam() -> None:
    memory = SpamMemory()
    text = "Дорогие жители, вступайте в наш чат соседей, там обсуждаем всё важное"
    verdicts = [
        classify(text.replace("жители", f"жители{'!' * i}"), context=ClassifyContext(memory))
        for i in range(3)
    ]
    assert [v.has("spam") for v in verdicts] == [False, False, True]
    assert verdicts[2].reasons_for("spam")[0].rule == "spam.repeat"
    # Short texts repeat naturally: never counted.
    for _ in range(5):
        assert classify("Спасибо!", context=ClassifyContext(memory)).clean


def test_spam_memory_keys_window_and_bounds() -> None:
    now = [0.0]
    memory = SpamMemory(window=60, max_items=2, clock=lambda: now[0])
    text = "Продаётся дом в деревне, хороший участок, баня, колодец, недалеко река"
    assert memory.observe(text, key="c1") == 1
    assert memory.observe(text, key="c1") == 1  # the same comment again
    assert memory.observe(text, key="c2") == 2
    assert memory.count(text) == 2
    now[0] = 61.0
    assert memory.count(text) == 0  # out of the window
    memory.observe("Первый совсем другой текст про ремонт дороги у школы номер два")
    memory.observe("Второй совсем другой текст про вывоз мусора на улице садовой")
    memory.observe("Третий совсем другой текст про освещение в парке у реки")
    assert len(memory) == 2
    memory.clear()
    assert len(memory) == 0
    with pytest.raises(ValueError, match="max_items"):
        SpamMemory(max_items=0)


def test_recent_texts_in_context() -> None:
    text = "Срочно! Ищем свидетелей ДТП на перекрёстке Ленина и Мира вчера вечером"
    recent = [text, text.upper(), "совсем другой комментарий про отопление в школе"]
    context = ClassifyContext(recent=recent)
    assert classify(text, context=context).has("spam")
    assert not classify(text, context=ClassifyContext(recent=recent[:1])).has("spam")


def test_fingerprint_ignores_case_lookalikes_and_numbers() -> None:
    assert fingerprint("Заработок от 5000 в день без вложений!") == fingerprint(
        "зaрaботок  ОТ 7000 в день — без вложений"
    )
    assert fingerprint("спасибо!") is None


# -- plugging classifiers in --------------------------------------------------------------------


class _Toxicity:
    """A stand-in for an organisation's model: flags «токсично»."""

    name = "toxicity-model"

    def __init__(self) -> None:
        self.contexts: list[Any] = []

    def classify(self, text: str) -> Verdict:
        if "токсично" in text:
            reason = Reason("insult", "model.toxic", "токсично", text.index("токсично"), 0, 0.93)
            return Verdict.of([reason])
        return Verdict()


class _Labeller:
    """A classifier that takes the context, and gives labels without reasons."""

    name = "labeller"

    def __init__(self) -> None:
        self.seen: list[ClassifyContext | None] = []

    def classify(self, text: str, *, context: ClassifyContext | None = None) -> Verdict:
        self.seen.append(context)
        return Verdict(labels=frozenset({"spam"}), score=0.5) if "реклама" in text else Verdict()


class _Remote:
    """An async-only classifier, as a network service would be."""

    async def aclassify(self, text: str) -> Verdict:
        await asyncio.sleep(0)
        if "секрет" in text:
            return Verdict.of([Reason("personal_data", "remote.secret", "секрет", 0, 6, 0.6)])
        return Verdict()


def test_a_custom_classifier_is_a_classifier() -> None:
    assert isinstance(_Toxicity(), Classifier)
    assert isinstance(RuleClassifier(), Classifier)
    assert isinstance(RuleClassifier(), AsyncClassifier)
    assert isinstance(_Remote(), AsyncClassifier)
    assert not isinstance(_Remote(), Classifier)


def test_combine_merges_verdicts() -> None:
    model, labeller = _Toxicity(), _Labeller()
    both = combine(RuleClassifier(), model, labeller)
    verdict = both.classify("это токсично, блять")
    assert verdict.labels == {"obscene", "insult"}
    assert {r.source for r in verdict.reasons} == {"rules", "toxicity-model"}
    assert verdict.score == pytest.approx(0.98)  # the highest score
    verdict = both.classify("реклама")
    assert verdict.labels == {"spam"} and verdict.reasons == () and verdict.score == 0.5
    assert both.classify("Спасибо за работу").clean
    context = ClassifyContext()
    both.classify("текст", context=context)
    assert labeller.seen[-1] is context  # passed to those that take it


def test_combine_async() -> None:
    both = combine(RuleClassifier(), _Remote(), _Toxicity())
    verdict = asyncio.run(both.aclassify("секрет: это токсично"))
    assert verdict.labels == {"personal_data", "insult"}
    assert {r.source for r in verdict.reasons} == {"_Remote", "toxicity-model"}
    with pytest.raises(TypeError, match="async only"):
        both.classify("секрет")
    assert asyncio.run(RuleClassifier().aclassify("бл*ть")).has("obscene")


def test_combine_needs_classifiers() -> None:
    with pytest.raises(ValueError, match="at least one"):
        combine()
    with pytest.raises(TypeError, match="neither"):
        combine(object())  # type: ignore[arg-type]


def test_verdict_merge_and_labels_subset() -> None:
    assert Verdict.merge([]).clean
    only = RuleClassifier(labels=["spam"])
    assert only.classify("бл*ть, кредит без отказа").labels == {"spam"}
    with pytest.raises(ValueError, match="unknown labels"):
        RuleClassifier(labels=["rude"])
    assert set(LABELS) == {"obscene", "insult", "spam", "personal_data", "prohibited"}


# -- the labelled set ---------------------------------------------------------------------------


def _eval_items() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVAL.read_text("utf-8").splitlines() if line]


def test_eval_set_is_well_formed() -> None:
    items = _eval_items()
    assert len(items) >= 400
    assert len({i["id"] for i in items}) == len(items)
    assert len({i["text"] for i in items}) == len(items)
    for item in items:
        assert set(item["labels"]) <= set(LABELS), item
        assert item["split"] in {"dev", "holdout"}
    for label in LABELS:
        assert sum(label in i["labels"] for i in items) >= 10, label
    assert sum(not i["labels"] for i in items) >= 250  # clean comments and traps


def _metrics(clf: RuleClassifier, label: str) -> tuple[float, float]:
    tp = fp = fn = 0
    for item in _eval_items():
        predicted = label in clf.classify(item["text"]).labels
        gold = label in item["labels"]
        tp += predicted and gold
        fp += predicted and not gold
        fn += gold and not predicted
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


# Floors for what the rules reach on the set (docs/moderation.md has the figures).
FLOORS = {
    "obscene": (0.98, 0.95),
    "insult": (0.95, 0.9),
    "spam": (0.95, 0.9),
    "personal_data": (0.95, 0.9),
    "prohibited": (0.9, 0.9),
}


@pytest.mark.parametrize("label", LABELS)
def test_eval_set_precision_and_recall(label: str, rules: RuleClassifier) -> None:
    precision, recall = _metrics(rules, label)
    floor_p, floor_r = FLOORS[label]
    assert precision >= floor_p, (label, precision)
    assert recall >= floor_r, (label, recall)


def test_eval_set_obscene_without_morphology(fallback: RuleClassifier) -> None:
    precision, recall = _metrics(fallback, "obscene")
    assert precision >= 0.98
    assert recall >= 0.95
