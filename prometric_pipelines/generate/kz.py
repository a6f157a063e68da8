"""Kazakhstan-specific reference data: names, cities, identifiers (BIN/IIN with check digits)."""

from __future__ import annotations

import datetime as dt

import numpy as np

MALE_FIRST = [
    "Нурлан",
    "Айдар",
    "Ерлан",
    "Бауыржан",
    "Данияр",
    "Асхат",
    "Марат",
    "Ержан",
    "Тимур",
    "Алихан",
    "Арман",
    "Санжар",
    "Руслан",
    "Дмитрий",
    "Сергей",
    "Андрей",
    "Олжас",
    "Ринат",
    "Мирас",
    "Азамат",
]
FEMALE_FIRST = [
    "Айгерим",
    "Динара",
    "Гульнара",
    "Алия",
    "Жанар",
    "Асель",
    "Камила",
    "Мадина",
    "Сауле",
    "Елена",
    "Ольга",
    "Наталья",
    "Дана",
    "Аружан",
    "Томирис",
    "Жансая",
    "Индира",
    "Лаура",
    "Зарина",
    "Салтанат",
]
LAST_STEMS = [
    "Нурланов",
    "Серик",
    "Касым",
    "Омаров",
    "Сулейменов",
    "Ахметов",
    "Жумабаев",
    "Исаев",
    "Тулеген",
    "Абдрахманов",
    "Иванов",
    "Ким",
    "Садыков",
    "Бекмухамбетов",
    "Ермеков",
    "Мусин",
    "Каримов",
    "Смагулов",
    "Есенов",
    "Рахимов",
]
LATIN = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sh",
        "ы": "y",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        "ь": "",
        "ъ": "",
        "ә": "a",
        "ғ": "g",
        "қ": "k",
        "ң": "n",
        "ө": "o",
        "ұ": "u",
        "ү": "u",
        "һ": "h",
        "і": "i",
        " ": "-",
        "«": "",
        "»": "",
    }
)

CITIES = [
    ("Алматы", "050000"),
    ("Астана", "010000"),
    ("Шымкент", "160000"),
    ("Караганда", "100000"),
    ("Актобе", "030000"),
    ("Павлодар", "140000"),
    ("Усть-Каменогорск", "070000"),
    ("Атырау", "060000"),
    ("Костанай", "110000"),
    ("Тараз", "080000"),
]
STREETS = [
    "пр. Абая",
    "ул. Толе би",
    "пр. Назарбаева",
    "ул. Сейфуллина",
    "пр. Республики",
    "ул. Кабанбай батыра",
    "ул. Жандосова",
    "пр. Аль-Фараби",
    "ул. Богенбай батыра",
    "ул. Тауелсиздик",
]
COMPANY_WORDS = [
    "Алтын",
    "Береке",
    "Сункар",
    "Нур",
    "Астык",
    "Достык",
    "Самал",
    "Кайнар",
    "Жетысу",
    "Тулпар",
    "Арай",
    "Бастау",
    "Умай",
    "Шанырак",
    "Ак Жол",
    "Дала",
    "Барыс",
    "Мерей",
    "Айдын",
    "Кокжиек",
]
COMPANY_SUFFIXES = ["Трейд", "Снаб", "Строй", "Агро", "Пром", "Логистик", "Групп", "Маркет", "Сервис", "Инвест"]
INDUSTRIES = ["wholesale", "retail", "manufacturing", "food production", "construction materials"]


def person_names(rng: np.random.Generator, count: int) -> tuple[list[str], list[str], np.ndarray]:
    """First names, last names (Kazakh/Russian forms agreeing with gender) and genders (True = female)."""
    female = rng.random(count) < 0.5
    first_idx = rng.integers(0, 20, count)
    last_idx = rng.integers(0, len(LAST_STEMS), count)
    firsts, lasts = [], []
    for is_female, fi, li in zip(female.tolist(), first_idx.tolist(), last_idx.tolist(), strict=True):
        stem = LAST_STEMS[li]
        firsts.append(FEMALE_FIRST[fi] if is_female else MALE_FIRST[fi])
        if is_female and stem.endswith(("ов", "ев", "ин")):
            stem += "а"
        elif stem in ("Серик", "Касым", "Тулеген"):
            stem += "ова" if is_female else "ов"
        lasts.append(stem)
    return firsts, lasts, female


def latin(text: str) -> str:
    return text.lower().translate(LATIN)


def _check_digit(digits: list[int]) -> int | None:
    """The RK BIN/IIN control digit (11-digit prefix), or None when the prefix has no valid one."""
    total = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
    if total == 10:
        total = sum(d * w for d, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], strict=True)) % 11
        if total == 10:
            return None
    return total


def is_valid_bin(value: str) -> bool:
    """True for a 12-digit BIN/IIN whose last digit is the control digit of the first eleven."""
    if len(value) != 12 or not value.isdigit():
        return False
    return _check_digit([int(c) for c in value[:11]]) == int(value[11])


def make_bin(rng: np.random.Generator, registered: dt.date, branch: bool = False) -> str:
    """BIN of a legal entity: YYMM of registration, 4 (resident legal entity), 0/1 (head office/branch),
    a 5-digit serial and the control digit."""
    while True:
        serial = [int(d) for d in f"{int(rng.integers(0, 100_000)):05d}"]
        prefix = [int(d) for d in f"{registered:%y%m}"] + [4, 1 if branch else 0] + serial
        check = _check_digit(prefix)
        if check is not None:
            return "".join(map(str, prefix)) + str(check)


def make_iin(rng: np.random.Generator, birth: dt.date, female: bool) -> str:
    """IIN of a person: YYMMDD of birth, century-and-sex digit, a 4-digit serial and the control digit."""
    century_sex = (5 if birth.year >= 2000 else 3) + (1 if female else 0)
    while True:
        serial = [int(d) for d in f"{int(rng.integers(0, 10_000)):04d}"]
        prefix = [int(d) for d in f"{birth:%y%m%d}"] + [century_sex] + serial
        check = _check_digit(prefix)
        if check is not None:
            return "".join(map(str, prefix)) + str(check)


def ean13(numbers: np.ndarray) -> list[str]:
    """EAN-13 barcodes (prefix 487, Kazakhstan's GS1 range) with a valid check digit."""
    codes = []
    for number in numbers.tolist():
        body = f"487{number:09d}"
        total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
        codes.append(body + str((10 - total % 10) % 10))
    return codes
