"""Secret masking (SecretMasker.cs, ValueEncoders.cs, Worker.InitializeSecretMasker)."""

from __future__ import annotations

import base64
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmoi.execute.masking import (
    RUNNER_ENCODERS,
    MaskedLineStream,
    SecretMasker,
    base64_escape,
    base64_shift1,
    base64_shift2,
    command_line_escape,
    expression_escape,
    json_escape,
    powershell_post_ampersand,
    powershell_pre_ampersand,
    trim_double_quotes,
    uri_escape,
    xml_escape,
)


def masker(*secrets: str) -> SecretMasker:
    result = SecretMasker()
    for secret in secrets:
        result.add_secret(secret)
    return result


@pytest.mark.parametrize(
    ("encoder", "value", "encoded"),
    [
        (base64_escape, "abc", "YWJj"),
        (base64_shift1, "abc", "YmM="),
        (base64_shift2, "abc", "Yw=="),
        (base64_shift2, "ab", "YWI="),  # too short to shift: unshifted
        (command_line_escape, 'a"b', 'a\\"b'),
        (expression_escape, "it's", "it''s"),
        (json_escape, 'a"b\\c\n\t\x01é\u2028', 'a\\"b\\\\c\\n\\t\\u0001é\\u2028'),
        (uri_escape, "a b/c~d_e.f-g+é", "a%20b%2Fc~d_e.f-g%2B%C3%A9"),
        (xml_escape, "<a & 'b' \"c\">", "&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;"),
        (trim_double_quotes, '"12345678"', "12345678"),
        (trim_double_quotes, '"123456"', ""),
        (trim_double_quotes, "12345678", ""),
        (powershell_pre_ampersand, "abcdef&", "abcdef&"),
        (powershell_pre_ampersand, "abcdef&+ghijkl", "abcdef&+"),
        (powershell_pre_ampersand, "abc&def&", "abc&def&"),
        (powershell_pre_ampersand, "ab&", ""),
        (powershell_pre_ampersand, "abcdefgh", ""),
        (powershell_post_ampersand, "abc&ghijkl", "ghijkl"),
        (powershell_post_ampersand, "abc&+Xghijkl", "ghijkl"),
        (powershell_post_ampersand, "abc&gh", ""),
    ],
)
def test_encoders(encoder, value: str, encoded: str) -> None:  # type: ignore[no-untyped-def]
    assert encoder(value) == encoded


def test_encoder_list_is_the_runners() -> None:
    assert len(RUNNER_ENCODERS) == 11


def test_mask_every_occurrence_and_encoding() -> None:
    m = masker("hunter22")
    assert m.mask("pw=hunter22; again hunter22") == "pw=***; again ***"
    encoded = base64.b64encode(b"user:hunter22").decode()
    assert "hunter22" not in m.mask(encoded) and "***" in m.mask(encoded)
    assert m.mask("q=hunter22%0A") == "q=***%0A"
    assert m.mask("HUNTER22") == "HUNTER22"  # ordinal, case-sensitive


def test_overlapping_and_adjacent_hits_merge() -> None:
    m = masker("abcd", "cdef")
    assert m.mask("xabcdefx") == "x***x"
    assert m.mask("abcdabcd") == "***"
    assert masker("aa").mask("aaa") == "***"


def test_longest_first_order_and_values() -> None:
    m = SecretMasker(encoders=())
    m.add_value("ab")
    m.add_value("abcd")
    assert m.values == ("abcd", "ab")
    m.add_value("ab")  # already registered: no change
    assert m.values == ("abcd", "ab")


def test_multi_line_secret_is_masked_line_by_line() -> None:
    key = "-----BEGIN KEY-----\r\n  line-one\nline-two  \n-----END KEY-----\n"
    m = masker(key)
    output = "x\n-----BEGIN KEY-----\nline-one\nlog: line-two\n"
    assert m.mask(output) == "x\n***\n***\nlog: ***\n"
    assert m.mask(key) == "***\n"  # the secret is registered trimmed


def test_whitespace_is_trimmed_and_blank_values_ignored() -> None:
    m = masker("  padded  ", " \n \t ")
    assert m.mask("a padded b") == "a *** b"
    assert m.values and all(value.strip() for value in m.values)
    assert masker("").mask("anything") == "anything"


def test_min_length_is_opt_in() -> None:
    assert masker("x").mask("axb") == "a***b"  # the runner masks any non-empty value
    short = SecretMasker(min_length=4)
    short.add_secret("abc")
    assert short.mask("abc") == "abc"


def test_empty_inputs() -> None:
    assert masker("abc").mask("") == ""
    assert SecretMasker().mask("abc") == "abc"


def test_stream_handles_chunks_and_line_endings() -> None:
    stream = MaskedLineStream(masker("s3cret"))
    assert stream.feed("one s3") == []
    assert stream.feed("cret\r") == []
    assert stream.feed("\ntwo\rthree\n\nfour s3c") == ["one ***", "two", "three", ""]
    assert stream.feed("ret") == []
    assert stream.close() == ["four ***"]
    assert stream.close() == []


# '*' could re-create a secret out of the mask itself; whitespace-only secrets are not
# registered (the runner trims them away).
secret_text = st.text(alphabet=st.characters(blacklist_characters="*\r\n"), min_size=1).filter(
    lambda s: s.strip() != "" and s == s.strip())
noise = st.text(alphabet=st.characters(blacklist_characters="*"))


@given(st.lists(secret_text, min_size=1, max_size=3), noise, noise, st.data())
def test_no_registered_secret_survives_mask(
        secrets: list[str], before: str, after: str, data: st.DataObject) -> None:
    m = masker(*secrets)
    secret = data.draw(st.sampled_from(secrets))
    assert secret not in m.mask(before + secret + after)


@given(secret_text, st.lists(st.sampled_from(["a", " ", "\n", "\r", "\r\n", "xy"]), max_size=8),
       st.lists(st.integers(min_value=0, max_value=40), max_size=6))
def test_no_secret_survives_the_stream_split_anywhere(
        secret: str, pieces: list[str], cuts: list[int]) -> None:
    text = "".join(pieces[: len(pieces) // 2]) + secret + "".join(pieces[len(pieces) // 2 :])
    stream = MaskedLineStream(masker(secret))
    bounds = sorted({min(cut, len(text)) for cut in cuts} | {0, len(text)})
    lines: list[str] = []
    for start, end in itertools.pairwise(bounds):
        lines += stream.feed(text[start:end])
    lines += stream.close()
    assert all(secret not in line for line in lines)
    assert secret not in "\n".join(lines)


@given(st.text(alphabet="ab\r\n", max_size=30), st.lists(st.integers(0, 30), max_size=5))
def test_stream_lines_do_not_depend_on_chunking(text: str, cuts: list[int]) -> None:
    whole = MaskedLineStream(SecretMasker())
    expected = whole.feed(text) + whole.close()
    stream = MaskedLineStream(SecretMasker())
    bounds = sorted({min(cut, len(text)) for cut in cuts} | {0, len(text)})
    got: list[str] = []
    for start, end in itertools.pairwise(bounds):
        got += stream.feed(text[start:end])
    assert got + stream.close() == expected


def test_mask_lines_masks_each_line_and_keeps_the_list_when_nothing_matches() -> None:
    lines = ["abc", "", "xabcx abc", "ab", "c"]
    assert masker("abc").mask_lines(lines) == ["***", "", "x***x ***", "ab", "c"]
    clean = ["nothing", "here"]
    assert masker("abc").mask_lines(clean) is clean
    assert SecretMasker().mask_lines(clean) is clean


def test_mask_lines_never_joins_a_secret_across_lines() -> None:
    # "ab\ncd" is registered whole (and as "ab" and "cd"): split over two lines, only the
    # lines' own values match, one line at a time, as the runner masks them
    m = masker("ab\ncd", "b")
    assert m.mask_lines(["xab", "cdx", "b"]) == ["x***", "***x", "***"]
    assert masker("x1\ny2").mask_lines(["x1", "y2"]) == ["***", "***"]


line_text = st.text(alphabet="ab*\u00e9 ", max_size=12)


@given(st.lists(st.text(alphabet="ab\u00e9 \n", min_size=1, max_size=6), max_size=4),
       st.lists(line_text, max_size=10))
def test_mask_lines_is_mask_of_every_line(secrets: list[str], lines: list[str]) -> None:
    m = masker(*secrets)
    assert m.mask_lines(lines) == [m.mask(line) for line in lines]
