"""What the generated companies sell, buy and pay for: product templates, positions, expense kinds."""

from __future__ import annotations

# (name, unit, type, price in KZT, batch-tracked with expiry dates)
PRODUCT_TEMPLATES: list[tuple[str, str, str, int, bool]] = [
    ("Цемент М500, мешок 50 кг", "шт", "PRODUCT", 3_200, False),
    ("Плитка керамическая", "м2", "PRODUCT", 6_500, False),
    ("Ламинат 33 класс", "м2", "PRODUCT", 7_900, False),
    ("Доска обрезная", "м3", "PRODUCT", 95_000, False),
    ("Кабель ВВГнг 3x2,5", "м", "PRODUCT", 620, False),
    ("Труба ПНД 32 мм", "м", "PRODUCT", 480, False),
    ("Краска фасадная", "л", "PRODUCT", 2_400, True),
    ("Мука пшеничная высший сорт", "кг", "PRODUCT", 290, True),
    ("Сахар-песок", "кг", "PRODUCT", 430, True),
    ("Масло подсолнечное", "л", "PRODUCT", 890, True),
    ("Молоко 3,2%", "л", "PRODUCT", 520, True),
    ("Рис басмати", "кг", "PRODUCT", 1_150, True),
    ("Чай чёрный гранулированный", "кг", "PRODUCT", 4_800, True),
    ("Смартфон", "шт", "PRODUCT", 165_000, False),
    ("Ноутбук", "шт", "PRODUCT", 385_000, False),
    ('Монитор 27"', "шт", "PRODUCT", 98_000, False),
    ("Принтер лазерный", "шт", "PRODUCT", 74_000, False),
    ("Стул офисный", "шт", "PRODUCT", 32_000, False),
    ("Стол письменный", "шт", "PRODUCT", 58_000, False),
    ("Шкаф металлический", "шт", "PRODUCT", 89_000, False),
    ("Бумага А4, пачка", "шт", "PRODUCT", 2_300, False),
    ("Перчатки рабочие", "шт", "PRODUCT", 350, False),
    ("Моторное масло 5W-40", "л", "PRODUCT", 3_900, True),
    ("Утеплитель минвата", "м3", "PRODUCT", 21_000, False),
]
MATERIAL_TEMPLATES: list[tuple[str, str, int]] = [
    ("Сталь листовая", "кг", 520),
    ("Фанера 18 мм", "м2", 3_900),
    ("ДСП ламинированная", "м2", 3_100),
    ("Клей ПВА", "л", 1_600),
    ("Крепёж (комплект)", "шт", 450),
    ("Ткань обивочная", "м", 2_700),
    ("Поролон", "м3", 36_000),
    ("Упаковка картонная", "шт", 260),
]
SERVICE_TEMPLATES: list[tuple[str, str, int]] = [
    ("Доставка по городу", "шт", 5_000),
    ("Монтаж", "м2", 2_500),
    ("Сборка мебели", "шт", 7_000),
    ("Консультация специалиста", "шт", 15_000),
]
VARIANTS = ["", " Эконом", " Премиум", " Стандарт", " Про", " Макс", " Лайт", " Плюс"]
CATEGORY_TREE: dict[str, list[str]] = {
    "Стройматериалы": ["Отделка", "Пиломатериалы", "Электрика и сантехника"],
    "Продукты питания": ["Бакалея", "Молочная продукция"],
    "Техника и офис": ["Электроника", "Мебель", "Канцтовары"],
    "Сырьё и материалы": ["Металл", "Древесные плиты", "Расходные материалы"],
    "Услуги": [],
}

# (position, department key, organizationRole, monthly salary range in KZT, weight)
POSITIONS: list[tuple[str, str, str, tuple[int, int], float]] = [
    ("Менеджер по продажам", "sales", "employee", (250_000, 420_000), 0.30),
    ("Кладовщик", "warehouse", "employee", (180_000, 260_000), 0.15),
    ("Оператор производства", "production", "employee", (200_000, 320_000), 0.18),
    ("Бухгалтер", "finance", "employee", (260_000, 380_000), 0.08),
    ("Водитель-экспедитор", "warehouse", "employee", (190_000, 280_000), 0.10),
    ("Специалист по кадрам", "hr", "employee", (230_000, 330_000), 0.04),
    ("Мерчендайзер", "sales", "employee", (160_000, 230_000), 0.15),
]
MANAGER_POSITIONS: list[tuple[str, str, tuple[int, int]]] = [
    ("Коммерческий директор", "sales", (700_000, 950_000)),
    ("Главный бухгалтер", "finance", (600_000, 850_000)),
    ("Руководитель склада", "warehouse", (450_000, 650_000)),
    ("Начальник производства", "production", (550_000, 800_000)),
]
DEPARTMENTS: dict[str, str] = {
    "management": "Руководство",
    "sales": "Отдел продаж",
    "warehouse": "Склад и логистика",
    "production": "Производство",
    "finance": "Бухгалтерия",
    "hr": "Отдел кадров",
}
# (category, monthly amount range in KZT, recurring monthly per workspace)
EXPENSE_KINDS: list[tuple[str, tuple[int, int], bool]] = [
    ("rent", (350_000, 1_200_000), True),
    ("utilities", (60_000, 220_000), True),
    ("communication", (25_000, 70_000), True),
    ("fuel", (15_000, 90_000), False),
    ("travel", (40_000, 350_000), False),
    ("office_supplies", (5_000, 60_000), False),
    ("marketing", (50_000, 600_000), False),
    ("repairs", (20_000, 400_000), False),
]
LOST_REASONS = [
    "Цена выше, чем у конкурента",
    "Выбрали другого поставщика",
    "Бюджет не утверждён",
    "Сроки поставки",
    "Нет ответа от клиента",
]
DEAL_SOURCES = ["website", "referral", "cold_call", "exhibition", "kaspi", "instagram"]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "PrometricERP/3.4 (Android 14)",
]
TASK_TITLES = [
    "Подготовить коммерческое предложение",
    "Сверка с поставщиком",
    "Инвентаризация секции",
    "Обновить прайс-лист",
    "Позвонить клиенту по оплате",
    "Отчёт по продажам за неделю",
    "Согласовать договор",
    "Проверить остатки",
    "Подготовить отгрузку",
    "Обучение нового сотрудника",
]
FOREIGN_CURRENCIES = {"USD": 480.0, "CNY": 66.0, "RUB": 5.6}
