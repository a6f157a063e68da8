"""The words of an alert, in English and Russian: metric titles, numbers and the sentences.

Plain text only: the dashboards and e-mails show these strings as text, never as Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

# metric name → (English, Russian); KPIs and unknown names are shown by their own name
METRIC_TITLES: dict[str, tuple[str, str]] = {
    "orders_count": ("Sales orders", "Заказы продаж"),
    "orders_revenue": ("Revenue", "Выручка"),
    "average_order_value": ("Average order value", "Средний чек"),
    "orders_cancelled": ("Cancelled orders", "Отменённые заказы"),
    "active_customers": ("Active customers", "Активные клиенты"),
    "new_customers": ("New customers", "Новые клиенты"),
    "gross_profit": ("Gross profit", "Валовая прибыль"),
    "purchases_amount": ("Purchases", "Закупки"),
    "deals_created": ("Deals created", "Новые сделки"),
    "deals_won": ("Deals won", "Выигранные сделки"),
    "deals_lost": ("Deals lost", "Проигранные сделки"),
    "deals_won_value": ("Value of deals won", "Сумма выигранных сделок"),
    "win_rate": ("Win rate, %", "Доля выигранных сделок, %"),
    "pipeline_value": ("Pipeline value", "Воронка продаж"),
    "weighted_pipeline_value": ("Weighted pipeline value", "Взвешенная воронка продаж"),
    "invoiced_amount": ("Invoiced", "Выставлено счетов"),
    "payments_received": ("Payments received", "Поступления"),
    "payments_made": ("Payments made", "Платежи"),
    "expenses_amount": ("Expenses", "Расходы"),
    "net_cash_flow": ("Net cash flow", "Чистый денежный поток"),
    "accounts_receivable": ("Accounts receivable", "Дебиторская задолженность"),
    "overdue_receivables": ("Overdue receivables", "Просроченная дебиторская задолженность"),
    "stock_received_value": ("Stock received", "Поступление на склад"),
    "stock_issued_value": ("Stock issued", "Отгрузка со склада"),
    "inventory_value": ("Inventory value", "Стоимость запасов"),
    "out_of_stock_products": ("Products out of stock", "Товары без остатка"),
    "low_stock_products": ("Products low on stock", "Товары с низким остатком"),
    "production_orders_completed": ("Production orders completed", "Завершённые производственные заказы"),
    "production_completed_quantity": ("Quantity produced", "Произведено, количество"),
    "headcount": ("Headcount", "Численность персонала"),
    "attendance_rate": ("Attendance rate, %", "Явка, %"),
    "overtime_hours": ("Overtime hours", "Сверхурочные часы"),
    "employees_on_leave": ("Employees on leave", "Сотрудники в отпуске"),
    "tasks_created": ("Tasks created", "Новые задачи"),
    "tasks_completed": ("Tasks completed", "Выполненные задачи"),
    "tasks_overdue": ("Overdue tasks", "Просроченные задачи"),
}
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# "for a usual <weekday>": the accusative after "в" ("во вторник")
WEEKDAYS_RU = (
    "в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу", "в воскресенье",
)  # fmt: skip
PERIODS_RU = {"daily": "день", "weekly": "неделю", "monthly": "месяц", "quarterly": "квартал", "yearly": "год"}
PERIODS_EN = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year"}


def title(name: str, language: str) -> str:
    english, russian = METRIC_TITLES.get(name, (name, name))
    return russian if language == "ru" else english


def number(value: Decimal | float | int | None, language: str = "en") -> str:
    """1234567.5 → '1,234,567.50' (English) or '1 234 567,50' (Russian); whole numbers without decimals."""
    if value is None:
        return "—"
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    if language == "ru":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def percent(value: Decimal | float, language: str = "en") -> str:
    amount = Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{abs(amount):,.0f}".replace(",", "\u00a0" if language == "ru" else ",")


def anomaly_sentences(name: str, day: dt.date, value: Decimal, median: Decimal, weeks: int) -> tuple[str, str]:
    """'Revenue on Tuesday 2026-01-13 was 2,400,000, 700% above the usual 300,000 for a Tuesday (median of 8 weeks).'"""
    change = value - median
    relative = change / abs(median) * 100 if median else None
    up = change > 0
    en_how, ru_how = ("above", "выше") if up else ("below", "ниже")
    if relative is not None:  # a median of 0 has no percentage
        en_how, ru_how = f"{percent(relative)}% {en_how}", f"на {percent(relative, 'ru')}% {ru_how}"
    weekday = day.weekday()
    english = (
        f"{title(name, 'en')} on {WEEKDAYS_EN[weekday]} {day.isoformat()} was {number(value)}, {en_how} the usual "
        f"{number(median)} for a {WEEKDAYS_EN[weekday]} (median of {weeks} weeks)."
    )
    russian = (
        f"{title(name, 'ru')} за {day.strftime('%d.%m.%Y')}: {number(value, 'ru')}, {ru_how} обычного "
        f"{WEEKDAYS_RU[weekday]} значения {number(median, 'ru')} (медиана за {weeks} нед.)."
    )
    return english, russian


def kpi_sentences(
    name: str,
    period: str,
    day: dt.date,
    value: Decimal,
    target: Decimal,
    deviation_pct: Decimal,
    tolerance_pct: Decimal,
) -> tuple[str, str]:
    """'KPI Revenue for the month from 2026-01-01: 800,000 against a target of 1,000,000 (20% below; tolerance 10%).'"""
    up = deviation_pct > 0
    english = (
        f"KPI {title(name, 'en')} for the {PERIODS_EN.get(period, period)} from {day.isoformat()}: {number(value)} "
        f"against a target of {number(target)} ({percent(deviation_pct)}% {'above' if up else 'below'}; "
        f"tolerance {percent(tolerance_pct)}%)."
    )
    russian = (
        f"KPI {title(name, 'ru')} за {PERIODS_RU.get(period, period)} с {day.strftime('%d.%m.%Y')}: "
        f"{number(value, 'ru')} при цели {number(target, 'ru')} (на {percent(deviation_pct, 'ru')}% "
        f"{'выше' if up else 'ниже'}; допуск {percent(tolerance_pct, 'ru')}%)."
    )
    return english, russian
