"""The ways people in Việt Nam write a phone number, brackets around the
country code included, all become the same +84 number; garbage stays out."""

from __future__ import annotations

import pytest

from server.domain.text import ValidationError, clean_phone


@pytest.mark.parametrize(
    "raw",
    [
        "(+84) 912-345-678",  # the user trial's form
        "(+84) 912 345 678",
        "(+84)912345678",
        "(+84) 912.345.678",
        "(84) 912 345 678",
        "(0084) 912 345 678",
        "+84 912.345.678",
        "+84-912-345-678",
        "+84 (0) 912 345 678",
        "+84(0)912345678",
        "0912-345-678",
        "(0912) 345 678",
        "84912345678",
        " +84 912 345 678 ",
    ],
)
def test_common_forms_are_one_number(raw: str) -> None:
    assert clean_phone(raw) == "+84912345678"


def test_a_landline_with_its_area_code_in_brackets() -> None:
    assert clean_phone("(+84) (24) 3825 1234") == "+842438251234"
    assert clean_phone("(0236) 3822 222") == "+842363822222"


@pytest.mark.parametrize(
    "raw",
    [
        "0912 (+84) 345 678",  # a plus anywhere but first
        "0912 345 678 (+84)",
        "((+84)) 912 345 678",
        "(0912) +84 345 678",
        "(+) 912 345 678",
        "(+1) 212 555 1212",
        "(+84) 112 345 678",
        "++84 912 345 678",
        "+ 84 912 345 678x",
        "(+84) 912 345 67",
    ],
)
def test_garbage_in_brackets_is_still_refused(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_phone(raw)
    assert (caught.value.field, caught.value.code) == ("contact.phone", "invalid")
