"""The one pint registry of borderdata, its currencies, and the words news text uses for units.

Every quantity in the project is built from :data:`ureg` (also registered as
pint's application registry, so pint-pandas columns share it). Each currency is
its own dimension, so adding CAD to USD raises ``DimensionalityError`` instead of
silently mixing money; converting needs a rate the caller passes
(:func:`convert_money`).

>>> Q_(19.5, "kg").to("lb").magnitude.__round__(1)
43.0
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import pandas as pd

# pint imports dask (and jinja2 with it: 0.3 s, a sixth of a `borderdata check`) whenever dask is
# installed, only so that its Quantities can wrap dask arrays, which borderdata never makes. Unless
# dask is loaded already, it is hidden while pint loads (find_spec("dask") is then None); the dask
# engine imports dask itself when it runs.
_HIDE_DASK = "dask" not in sys.modules and "pint" not in sys.modules
if _HIDE_DASK:
    sys.modules["dask"] = None  # type: ignore[assignment]
try:
    import pint
    import pint_pandas  # noqa: F401  (registers the pint[...] dtype)
finally:
    if _HIDE_DASK:
        del sys.modules["dask"]

CURRENCIES = (
    "CAD", "USD", "EUR", "GBP", "MXN", "CNY", "JPY", "AUD", "INR", "CHF", "HKD", "KRW", "NZD", "SGD", "ILS",
    "MYR", "BRL", "ZAR", "RUB", "SEK", "NOK", "DKK", "TRY", "AED", "SAR", "THB", "NGN", "PHP", "PKR",
)  # fmt: skip


def _news_units() -> list[str]:
    """The units of news text beyond pint's: points, one dimension per currency, ages.

    pint already defines ``count = []``: counted things are dimensionless. Ages ("a
    15-year-old") and points (index points, points scored) get units of their own so they
    are not mistaken for spans of time or typographic points.
    """
    lines = ["point = count = pts"]
    for code in CURRENCIES:
        lines += [f"{code} = [currency_{code}]", f"{code}_cent = 0.01 * {code}"]
    return [*lines, "year_of_age = year", "month_of_age = month"]


def _news_definitions() -> list[str]:
    """pint's default definitions, with "point" freed for news use, then :func:`_news_units`."""
    here = Path(pint.__file__).parent
    lines: list[str] = []
    for line in (here / "default_en.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() == "@import constants_en.txt":
            lines.extend((here / "constants_en.txt").read_text(encoding="utf-8").splitlines())
            continue
        # In news a point is scored, or an index moves by it; pint's typographic point keeps
        # its other names (printers_point, pp, big_point).
        lines.append(
            line.replace("point = pica / 12 = pp = printers_point", "printers_point = pica / 12 = pp")
        )
    return [*lines, *_news_units()]


def _plain_registry(cache_folder: Path | None = None) -> pint.UnitRegistry:
    return pint.UnitRegistry(
        None, on_redefinition="raise", autoconvert_offset_to_baseunit=True, cache_folder=cache_folder
    )


def news_registry(cache: Path | None = None) -> pint.UnitRegistry:
    """A registry of :func:`_news_definitions`, their parse kept in ``cache`` (default: the user's cache).

    Parsing pint's definitions costs a quarter of a second in every process (our 61 units,
    one ``define`` each, cost another 0.06 s). pint keeps the parse of a definitions *file*
    in its disk cache, keyed by the file's content, so all the definitions are written once
    to a file named by their hash. Where the cache cannot be used (a read-only folder), they
    are parsed as before.
    """
    import hashlib

    import platformdirs

    text = "\n".join(_news_definitions()) + "\n"
    folder = cache or Path(platformdirs.user_cache_dir("borderdata")) / "pint"
    path = folder / f"news-{hashlib.sha256(text.encode()).hexdigest()[:16]}.txt"
    try:
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            part = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            part.write_text(text, encoding="utf-8")
            os.replace(part, path)
        registry = _plain_registry(cache_folder=folder)
        registry.load_definitions(str(path))
        return registry
    except Exception:  # an unwritable folder, a damaged cache entry: pint raises several kinds
        registry = _plain_registry()
        registry.load_definitions(_news_definitions())
        return registry


ureg = news_registry()
pint.set_application_registry(ureg)
Q_ = ureg.Quantity

# Canonical unit for each dimension when claims are compared.
CANONICAL = {"[mass]": "kg", "[length]": "km", "[time]": "day", "[volume]": "L"}

# Surface words for units, lower case, mapped to the unit string stored in the facts table.
MASS_WORDS = {
    "kilograms": "kg",
    "kilogram": "kg",
    "kilos": "kg",
    "kilo": "kg",
    "kg": "kg",
    "kgs": "kg",
    "grams": "g",
    "gram": "g",
    "g": "g",
    "milligrams": "mg",
    "milligram": "mg",
    "mg": "mg",
    "micrograms": "µg",
    "microgram": "µg",
    "pounds": "lb",
    "pound": "lb",
    "lbs": "lb",
    "lb": "lb",
    "tonnes": "t",
    "tonne": "t",
    "metric tons": "t",
    "metric tonnes": "t",
    "tons": "short_ton",
    "ton": "short_ton",
    "ounces": "oz",
    "ounce": "oz",
    "oz": "oz",
}
LENGTH_WORDS = {
    "kilometres": "km",
    "kilometers": "km",
    "kilometre": "km",
    "kilometer": "km",
    "km": "km",
    "metres": "m",
    "meters": "m",
    "metre": "m",
    "meter": "m",
    "m": "m",
    "centimetres": "cm",
    "centimetre": "cm",
    "centimeter": "cm",
    "millimetre": "mm",
    "millimeter": "mm",
    "centimeters": "cm",
    "cm": "cm",
    "millimetres": "mm",
    "millimeters": "mm",
    "mm": "mm",
    "miles": "mi",
    "mile": "mi",
    "mi": "mi",
    "feet": "ft",
    "foot": "ft",
    "ft": "ft",
    "inches": "inch",
    "inch": "inch",
    "yards": "yd",
    "yard": "yd",
    "yds": "yd",
    "nautical miles": "nmi",
}
TIME_WORDS = {
    "years": "year",
    "year": "year",
    "yrs": "year",
    "months": "month",
    "month": "month",
    "weeks": "week",
    "week": "week",
    "days": "day",
    "day": "day",
    "hours": "hour",
    "hour": "hour",
    "hrs": "hour",
    "minutes": "minute",
    "minute": "minute",
    "mins": "minute",
    "seconds": "second",
    "second": "second",
    "secs": "second",
    "decades": "decade",
    "decade": "decade",
    "centuries": "century",
    "century": "century",
}
OTHER_WORDS = {
    "litres": "L", "liters": "L", "litre": "L", "liter": "L", "l": "L", "gallons": "gallon",
    "gallon": "gallon",
    "milliliters": "mL", "millilitres": "mL", "ml": "mL", "cubic metres": "m**3", "cubic meters": "m**3",
    "barrels": "oil_barrel", "barrel": "oil_barrel", "bpd": "oil_barrel/day",
    "barrels per day": "oil_barrel/day",
    "barrels a day": "oil_barrel/day", "barrel-a-day": "oil_barrel/day", "barrels-a-day": "oil_barrel/day",
    "square kilometres": "km**2", "square kilometers": "km**2", "square kilometre": "km**2", "sq km": "km**2",
    "km2": "km**2", "square miles": "mi**2", "square mile": "mi**2", "square feet": "ft**2",
    "square foot": "ft**2",
    "sq ft": "ft**2", "sq. ft.": "ft**2", "square metres": "m**2", "square meters": "m**2",
    "square metre": "m**2",
    "square meter": "m**2", "sq m": "m**2", "sqm": "m**2", "m2": "m**2", "acres": "acre", "acre": "acre",
    "hectares": "hectare", "hectare": "hectare",
    "mph": "mph", "km/h": "km/hour", "km/hr": "km/hour", "kph": "km/hour", "miles per hour": "mph",
    "kilometres per hour": "km/hour",
    "kilometers per hour": "km/hour", "knots": "knot",
    "degrees celsius": "degC", "degree celsius": "degC", "celsius": "degC", "°c": "degC", "degc": "degC",
    "deg c": "degC", "degrees c": "degC", "c": "degC",
    "cubic feet": "ft**3", "cubic foot": "ft**3", "degrees fahrenheit": "degF", "degree fahrenheit": "degF",
    "fahrenheit": "degF", "°f": "degF", "degf": "degF", "deg f": "degF", "degrees f": "degF",
    "degrees": "degree", "degree": "degree", "°": "degree",
    "megawatts": "MW", "megawatt": "MW", "mw": "MW", "gigawatts": "GW", "gigawatt": "GW", "gw": "GW",
    "kilowatts": "kW", "kilowatt": "kW", "kw": "kW", "watts": "W", "watt": "W", "w": "W",
    "kwh": "kWh", "mwh": "MWh", "gwh": "GWh", "kilowatt hours": "kWh", "kilowatt-hours": "kWh",
    "volts": "V", "volt": "V", "mah": "mAh",
    "horsepower": "hp", "hp": "hp", "bhp": "hp",
    "gigabytes": "GB", "gb": "GB", "terabytes": "TB", "tb": "TB", "megabytes": "MB", "mb": "MB",
    "mbps": "Mbit/s", "gbps": "Gbit/s", "kbps": "kbit/s",
    "hz": "Hz", "hertz": "Hz", "khz": "kHz", "mhz": "MHz", "ghz": "GHz", "kilohertz": "kHz",
    "megahertz": "MHz", "gigahertz": "GHz",
    "nanometres": "nm", "nanometers": "nm", "nanometre": "nm", "nanometer": "nm",
    "micrometres": "µm", "micrometers": "µm", "microns": "µm", "μm": "µm", "µm": "µm",
    "mpg": "mi/gallon", "miles per gallon": "mi/gallon", "rpm": "rpm", "psi": "psi", "ksi": "ksi",
    "gigapascals": "GPa", "gpa": "GPa", "megapascals": "MPa", "mpa": "MPa",
    "gigatons": "Gt", "gigatonnes": "Gt", "megatons": "Mt", "megatonnes": "Mt",
    "points": "point", "point": "point", "pts": "point", "basis points": "point", "bps": "point",
    "year-old": "year_of_age", "years-old": "year_of_age", "years old": "year_of_age",
    "year old": "year_of_age",
    "month-old": "month_of_age", "months-old": "month_of_age", "months old": "month_of_age",
}  # fmt: skip

PERCENT_WORDS = {
    "%": "percent", "percent": "percent", "per cent": "percent", "per-cent": "percent", "pct": "percent",
    "pc": "percent", "percentage points": "percent", "percentage point": "percent",
    "percent-owned": "percent",
}  # fmt: skip


# Currency words: code when unambiguous; "dollars" depends on context (see readings.py).
CURRENCY_SYMBOLS = {
    "US$": "USD", "U.S.$": "USD", "USD": "USD", "C$": "CAD", "CA$": "CAD", "CAD": "CAD", "CDN$": "CAD",
    "A$": "AUD", "AU$": "AUD", "AUD": "AUD", "HK$": "HKD", "NZ$": "NZD", "S$": "SGD", "R$": "BRL",
    "MX$": "MXN",
    "$US": "USD", "$A": "AUD", "$C": "CAD", "$NZ": "NZD", "$CAD": "CAD", "$CDN": "CAD",
    "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP", "¥": "JPY", "JPY": "JPY", "CNY": "CNY", "RMB": "CNY",
    "MXN": "MXN", "₹": "INR", "INR": "INR", "Rs": "INR", "Rs.": "INR", "CHF": "CHF", "₩": "KRW", "₪": "ILS",
    "NIS": "ILS", "RM": "MYR",
    # "¥" after an ASCII transliteration of the text.
    "Y=": "JPY",
    # "£" after an ASCII transliteration of the text (unidecode writes "PS").
    "PS": "GBP",
}  # fmt: skip

CURRENCY_WORDS = {
    "euros": "EUR", "euro": "EUR", "euro cents": "EUR_cent", "yen": "JPY", "japanese yen": "JPY",
    "yuan": "CNY", "chinese yuan": "CNY", "renminbi": "CNY", "pesos": "MXN", "peso": "MXN",
    "mexican pesos": "MXN",
    "rupees": "INR", "rupee": "INR", "indian rupees": "INR", "francs": "CHF", "swiss francs": "CHF",
    "pounds sterling": "GBP", "sterling": "GBP", "british pounds": "GBP",
    "shekels": "ILS", "shekel": "ILS", "new shekels": "ILS", "ringgit": "MYR", "reais": "BRL", "rand": "ZAR",
    "rubles": "RUB", "roubles": "RUB", "danish crowns": "DKK", "danish kroner": "DKK",
    "swedish crowns": "SEK",
    "swedish kronor": "SEK", "norwegian kroner": "NOK", "lira": "TRY", "dirhams": "AED", "riyals": "SAR",
    "baht": "THB", "naira": "NGN",
    "canadian dollars": "CAD", "u.s. dollars": "USD", "us dollars": "USD", "american dollars": "USD",
    "australian dollars": "AUD", "hong kong dollars": "HKD", "new zealand dollars": "NZD",
    "singapore dollars": "SGD",
}  # fmt: skip


def is_currency(unit: str) -> bool:
    """True for a currency code of the registry (``"CAD"``, ``"USD"``, ...)."""
    return unit in CURRENCIES


def to_quantity(row_or_value: object, unit: str | None = None) -> pint.Quantity:
    """A pint quantity from a facts row (``value`` and ``unit``) or from a value and a unit.

    >>> to_quantity(50, "lb").to("kg")
    <Quantity(22.6796185, 'kilogram')>
    >>> to_quantity({"value": 19.5, "unit": "kg"})
    <Quantity(19.5, 'kilogram')>
    """
    if unit is None:
        row = row_or_value
        return Q_(float(row["value"]), row["unit"])  # type: ignore[index]
    return Q_(float(row_or_value), unit)  # type: ignore[arg-type]


def quantities(facts: pd.DataFrame, unit: str) -> pd.Series:
    """The facts whose unit has ``unit``'s dimension, converted to it, as a pint-pandas column.

    Rows of another dimension (other currencies, counts when asking for kg) are left out,
    so money is never converted without a rate.

    >>> import pandas as pd
    >>> quantities(pd.DataFrame({"value": [19.5, 50.0, 3.0], "unit": ["kg", "lb", "count"]}), "kg").dtype
    pint[kilogram][Float64]
    """
    target = ureg.Unit(unit).dimensionality
    same = facts["unit"].map(lambda u: _dimensionality(u) == target)
    subset = facts.loc[same]
    magnitudes = [convert(v, u, unit) for v, u in zip(subset["value"], subset["unit"], strict=True)]
    return pd.Series(magnitudes, index=subset.index, dtype=f"pint[{unit}]", name=f"value_{unit}")


def _dimensionality(unit: str) -> object:
    try:
        return ureg.Unit(unit).dimensionality
    except (pint.errors.UndefinedUnitError, AttributeError, TypeError, ValueError, AssertionError):
        return None


def dimension_of(unit: str) -> str:
    """A stable name for the dimension of ``unit``: ``[mass]``, ``[currency_CAD]``, ``percent``, ``count``."""
    if unit in ("count", ""):
        return "count"
    if unit == "percent":
        return "percent"
    try:
        dims = ureg.Unit(unit).dimensionality
    except (pint.errors.UndefinedUnitError, AttributeError, TypeError, ValueError, AssertionError):
        return f"unknown:{unit}"
    return str(dims) if dims else "count"


def canonical_unit(unit: str) -> str:
    """The unit claims are compared in: kg for mass, the currency itself for money, etc."""
    dim = dimension_of(unit)
    if dim.startswith("[currency_"):
        return dim[len("[currency_") : -1]
    return CANONICAL.get(dim, unit)


def convert(value: float, unit: str, target: str) -> float:
    """``value`` in ``unit`` expressed in ``target`` (same dimension); NaN passes through."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if unit == target:
        return float(value)
    return float(Q_(value, unit).to(target).magnitude)


def convert_money(value: float, currency: str, target: str, rate: float) -> float:
    """Convert money with an explicit rate: ``rate`` units of ``target`` per one ``currency``."""
    if currency == target:
        return float(value)
    if not (rate and rate > 0):
        raise ValueError(f"a positive rate is needed to convert {currency} to {target}, got {rate!r}")
    return float(value) * rate
