"""What an LLM run cost: prices per million tokens, from the command line or a price file.

A price file is a TSV file, one model per line (``#`` starts a comment)::

    # model	input per million	output per million
    gpt-4o-mini	0.15	0.60

Prices are the user's statement, in the currency they use (the board prints them as given);
with no price for a model the cost is unknown and shown as "–", never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.reading import InputError, read_input_bytes

#: A price file's size limit: a list of models, not data.
MAX_PRICE_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Price:
    """Prices per million input and output tokens, and where they were given."""

    input_per_million: float
    output_per_million: float
    source: str

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """The cost of that many tokens.

        >>> round(Price(1.0, 2.0, "--price-input/--price-output").cost(1_500_000, 250_000), 6)
        2.0
        """
        return (input_tokens * self.input_per_million + output_tokens * self.output_per_million) / 1_000_000


def _amount(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ZhNerBenchError(f"{where}: {text[:40]!r} is not a price (a number per million tokens)") from None
    if not 0 <= value < 1e9:
        raise ZhNerBenchError(f"{where}: a price must be between 0 and 1e9 per million tokens")
    return value


def read_price_file(path: Path) -> dict[str, Price]:
    """``{model: Price}`` from a price file (see the module doc); a bad line is named by number."""
    try:
        content = read_input_bytes(path, MAX_PRICE_FILE_BYTES).decode("utf-8")
    except (InputError, UnicodeDecodeError) as error:
        raise ZhNerBenchError(f"--price-file {path}: cannot read it ({error})") from None
    prices: dict[str, Price] = {}
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        where = f"{path}:{number}"
        if len(fields) != 3 or not fields[0].strip():
            raise ZhNerBenchError(f"{where}: expected MODEL<TAB>INPUT<TAB>OUTPUT (prices per million tokens)")
        model = fields[0].strip()
        if model in prices:
            raise ZhNerBenchError(f"{where}: {model[:60]} has a price already")
        prices[model] = Price(_amount(fields[1].strip(), where), _amount(fields[2].strip(), where), path.name)
    return prices


def model_price(model: str, price_input: float | None, price_output: float | None,
                price_file: Path | None) -> Price | None:
    """The price of ``model``: ``--price-input``/``--price-output`` when given (both are
    needed), else its line of ``price_file``, else ``None`` (unknown).

    >>> model_price("m", 1.0, 2.0, None)
    Price(input_per_million=1.0, output_per_million=2.0, source='--price-input/--price-output')
    >>> model_price("m", None, None, None) is None
    True
    """
    if (price_input is None) != (price_output is None):
        raise ZhNerBenchError("--price-input and --price-output go together (prices per million tokens)")
    if price_input is not None and price_output is not None:
        return Price(_amount(str(price_input), "--price-input"), _amount(str(price_output), "--price-output"),
                     "--price-input/--price-output")
    if price_file is not None:
        return read_price_file(price_file).get(model)
    return None
