"""A tiny module so the example's workflows have something to check."""


def add(a: int, b: int) -> int:
    return a + b
