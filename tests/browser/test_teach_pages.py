"""Browser checks of the teaching pages (quiz, handout, contrast) on the shared browser fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from .pages import DESKTOP, PHONE, SAMPLES

PAIR = (SAMPLES / "strategic-im.txt", SAMPLES / "desperate-community-im.txt")


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    from click.testing import CliRunner

    from analyzer.cli import cli

    out = tmp_path_factory.mktemp("teach-pages")
    made = {"quiz": out / "quiz.html", "handout": out / "handout.html", "contrast": out / "contrast.html"}
    for args in (("quiz", "--html", "--rounds", "4", "--seed", "3", "-o", str(made["quiz"])),
                 ("handout", "-o", str(made["handout"])),
                 ("contrast", *map(str, PAIR), "-o", str(made["contrast"]))):
        result = CliRunner().invoke(cli, ["teach", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return made


def _open(browser, path: Path, context: dict | None = None, **extra):
    page = browser.new_page(**(context or DESKTOP), **extra)
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    errors.extend(f"request {u}" for u in requests if u != path.as_uri())
    return page, errors


def _serious_violations(page) -> list[str]:
    import axe_playwright_python

    page.add_script_tag(path=str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:120]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ["quiz", "handout", "contrast"])
def test_page_has_no_console_error_nor_serious_axe_violation(browser, pages, name, scheme):
    page, errors = _open(browser, pages[name], color_scheme=scheme)
    if name == "quiz":
        page.keyboard.press("c")  # check the revealed card too
    if name == "contrast":
        page.focus("#a-h0")  # and an open meaning
    assert _serious_violations(page) == []
    assert errors == []
    page.close()


@pytest.mark.parametrize("name", ["quiz", "handout", "contrast"])
def test_page_fits_a_390px_phone(browser, pages, name):
    page, errors = _open(browser, pages[name], PHONE)
    if name == "quiz":
        page.keyboard.press("o")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    page.close()


def test_quiz_works_by_keyboard(browser, pages):
    page, errors = _open(browser, pages["quiz"])
    cards = page.locator(".qcard")
    assert cards.count() == 4
    assert cards.nth(0).is_visible() and not cards.nth(1).is_visible()
    page.keyboard.press("?")
    assert cards.nth(0).locator("details.hint").evaluate("d => d.open")
    answer = cards.nth(0).get_attribute("data-answer")
    page.keyboard.press(answer[0])
    assert cards.nth(0).locator("details.reveal").evaluate("d => d.open")
    assert cards.nth(0).locator(".result").inner_text() == "Right."
    page.keyboard.press("ArrowRight")
    assert cards.nth(1).is_visible() and not cards.nth(0).is_visible()
    page.keyboard.press(" ")
    assert cards.nth(1).locator("details.reveal").evaluate("d => d.open")
    wrong = next(k for k in "con" if not cards.nth(1).get_attribute("data-answer").startswith(k))
    page.keyboard.press(wrong)
    assert cards.nth(1).locator(".result").inner_text().startswith("Not quite")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.locator("#done").is_visible()
    assert page.locator("#score").inner_text() == "You got 1 of 2 right (2 not answered)."
    assert cards.nth(1).get_attribute("data-category") in page.locator("#review").inner_text()
    page.keyboard.press("ArrowLeft")
    assert cards.nth(3).is_visible()
    assert errors == []
    page.close()


def test_quiz_works_by_clicking(browser, pages):
    page, errors = _open(browser, pages["quiz"])
    card = page.locator(".qcard").nth(0)
    card.locator("summary", has_text="Show the answer").click()
    assert card.locator("details.reveal").evaluate("d => d.open")
    page.get_by_role("button", name="Next").click()
    assert page.locator(".qcard").nth(1).is_visible()
    assert errors == []
    page.close()


def test_contrast_of_the_sample_pair_shows_both_verdicts(browser, pages):
    page, errors = _open(browser, pages["contrast"])
    left, right = page.locator("#verdict-a"), page.locator("#verdict-b")
    assert "Strategically IMG-friendly" in left.inner_text() and "strategic-im.txt" in left.inner_text().lower()
    assert "Desperate for bodies" in right.inner_text() and "desperate-community-im.txt" in right.inner_text().lower()
    assert page.locator("#a-h0").count() == 1 and page.locator("#b-h0").count() == 1
    from analyzer import service

    lexicon = service.analyzer_for(service.Options()).lexicon
    for key, note in zip("ab", PAIR, strict=True):
        first = service.analyze_file(note).hits[0]
        page.locator(f"#{key}-h0").focus()
        assert page.locator(f"#{key}-h0 .pop").is_visible()
        shown = page.evaluate(f"""getComputedStyle(document.querySelector('#{key}-h0 .pm'), '::after').content""")
        assert shown == '"' + lexicon.entries[first.entry].meaning + '"'

    assert errors == []
    page.close()
