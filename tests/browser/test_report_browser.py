"""The report, the lexicon page and the paste page in Debian's Chromium: what a reader on a phone or laptop sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .pages import DESKTOP, PHONE, render

FIRST_RECT = """(sel) => { const el = document.querySelector(sel); el.scrollIntoView({block: 'center'});
  const r = el.getClientRects()[0]; return [r.x + Math.min(4, r.width / 2), r.y + r.height / 2]; }"""
MEANING = """(id) => { const p = document.getElementById(id).querySelector('.pop');
  const css = (sel, pseudo) => JSON.parse(getComputedStyle(p.querySelector(sel), pseudo).content);
  return [css('.pm', '::before'), css('.pm', '::after'), css('.pa', '::before'), css('.pa', '::after')]; }"""
POP_VISIBLE = "(id) => getComputedStyle(document.getElementById(id).querySelector('.pop')).display !== 'none'"


def open_page(browser, path_or_url, **context):
    page = browser.new_page(**context)
    page.goto(path_or_url if str(path_or_url).startswith("http") else Path(path_or_url).as_uri())
    return page


def hit_ids(page) -> list[str]:
    return page.eval_on_selector_all(".hit[id]", "els => els.map(e => e.id)")


def test_click_opens_meaning_in_place(browser, reports, shots_dir):
    page = open_page(browser, reports["desperate-community-im"], **DESKTOP)
    page.screenshot(path=str(shots_dir / "report-light.png"))
    box = page.locator("#verdict").bounding_box()
    assert box and box["y"] + box["height"] <= 900  # the whole verdict card in the first screen
    first = hit_ids(page)[0]
    assert not page.evaluate(POP_VISIBLE, first)
    page.mouse.click(*page.evaluate(FIRST_RECT, f"#{first} mark"))
    assert page.evaluate(POP_VISIBLE, first)
    pop = page.locator(f"#{first} .pop")
    side = pop.locator(".pi").first.evaluate("e => JSON.parse(getComputedStyle(e, '::before').content)")
    assert re.search(r"(Coverage|Outcomes) talk|Heard", side), side
    meaning = page.evaluate(MEANING, first)
    assert "Often means: " == meaning[0] and len(meaning[1]) > 30 and "Ask: " == meaning[2] and "?" in meaning[3]
    box, hit = pop.bounding_box(), page.locator(f"#{first} mark").bounding_box()
    assert box and hit and 0 <= box["y"] - (hit["y"] + hit["height"]) < 60  # right under the phrase
    page.screenshot(path=str(shots_dir / "report-light-open.png"))
    page.close()


def test_tap_opens_meaning_at_phone_width(browser, reports, shots_dir):
    page = open_page(browser, reports["desperate-community-im"], **PHONE)
    page.screenshot(path=str(shots_dir / "report-phone.png"))
    for part in ("#verdict-h", "#verdict .plain", ".gauge-svg"):  # the verdict and its gauge in the first screen
        box = page.locator(part).bounding_box()
        assert box and box["y"] + box["height"] <= 844, part
    target = hit_ids(page)[2]
    page.touchscreen.tap(*page.evaluate(FIRST_RECT, f"#{target} mark"))
    assert page.evaluate(POP_VISIBLE, target)
    box = page.locator(f"#{target} .pop").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots_dir / "report-phone-tapped.png"))
    page.close()


def test_keyboard_focus_opens_meaning(browser, reports):
    page = open_page(browser, reports["desperate-community-im"], **DESKTOP)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.hit')"):
            break
    focused = page.evaluate("document.activeElement.id")
    assert focused == hit_ids(page)[0]
    assert page.evaluate(POP_VISIBLE, focused)
    page.keyboard.press("Escape")
    assert not page.evaluate(POP_VISIBLE, focused)
    page.close()


def test_j_and_k_move_between_hits(browser, reports):
    page = open_page(browser, reports["desperate-community-im"], **DESKTOP)
    ids = hit_ids(page)
    assert len(ids) > 3
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == ids[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == ids[2]
    assert page.evaluate(POP_VISIBLE, ids[2])
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == ids[1]
    page.close()


def test_role_filter_hides_the_right_hits(browser, reports):
    page = open_page(browser, reports["mixed-roles"], **DESKTOP)
    shown = """() => [...document.querySelectorAll('.note .hit[id]')].map(h =>
        [h.dataset.rg || 'other', getComputedStyle(h.querySelector('.b')).display !== 'none'])"""
    before = page.evaluate(shown)
    groups = {g for g, _ in before}
    assert {"leadership", "residents"} <= groups and all(v for _, v in before)
    for choice in ("residents", "leadership"):
        page.get_by_label(choice, exact=True).check()
        after = page.evaluate(shown)
        assert after and all(visible == (group == choice) for group, visible in after), after
        visible_groups = page.eval_on_selector_all(
            ".group", "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.rg)")
        assert visible_groups and all(choice in g.split() for g in visible_groups)
        page.keyboard.press("j")
        assert page.evaluate("document.activeElement.dataset.rg") == choice
    page.get_by_label("everyone", exact=True).check()
    assert all(v for _, v in page.evaluate(shown))
    page.close()


def test_no_page_is_wider_than_a_phone(browser, reports, serve_url):
    pages = [*reports.values(), serve_url[0]]
    for target in pages:
        page = open_page(browser, target, **PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{target}: {width}px wide at 390"
        if page.locator("details").count():
            page.eval_on_selector_all("details", "els => els.forEach(d => d.open = true)")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{target} with details open: {width}px wide at 390"
        page.close()


def _axe(page) -> list[dict]:
    import axe_playwright_python

    script = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")
    page.evaluate(script)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(browser, reports, scheme):
    names = ("desperate-community-im", "dependent-neuro") + (("lexicon",) if scheme == "light" else ())
    for name in names:
        page = browser.new_page(**DESKTOP, color_scheme=scheme)
        page.goto(reports[name].as_uri())
        page.eval_on_selector_all("details", "els => els.forEach(d => d.open = true)")
        ids = hit_ids(page)
        if ids:
            page.focus(f"#{ids[0]}")
        assert _axe(page) == [], f"{name} ({scheme})"
        page.close()


def test_dark_mode_screenshot(browser, reports, shots_dir):
    page = browser.new_page(**DESKTOP, color_scheme="dark")
    page.goto(reports["strategic-im"].as_uri())
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    page.screenshot(path=str(shots_dir / "report-dark.png"))
    page.locator("#note").scroll_into_view_if_needed()
    page.screenshot(path=str(shots_dir / "report-dark-note.png"))
    page.close()


INJECTION = """---
program: "<img src=x onerror=alert('program')>"
date: 2026-11-01
---
Dr. <b onmouseover=alert('speaker')>Evil</b> (PD): We are like a family here <script>alert('note')</script>.
<svg onload=alert('svg')> Resident (PGY-1): nights are brutal <iframe src="javascript:alert('frame')"></iframe>
PD: **bold <img src=y onerror=alert('md')>** and [link](javascript:alert('link'))
"""


def test_injection_payloads_show_as_text(browser, tmp_path):
    from analyzer.report import render_html
    from analyzer.service import analyze_file

    note = tmp_path / "evil.md"
    note.write_text(INJECTION, encoding="utf-8")
    report = tmp_path / "evil.html"
    report.write_text(render_html(analyze_file(note)), encoding="utf-8")
    page = browser.new_page(**DESKTOP)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(report.as_uri())
    page.mouse.move(300, 300)
    page.eval_on_selector_all(".hit[id]", "els => els.forEach(e => { e.focus(); e.dispatchEvent(new MouseEvent('mouseover')); })")
    assert dialogs == []
    assert page.locator("img, iframe, svg:not(.gauge-svg), b[onmouseover]").count() == 0
    assert page.locator("script").count() == 1
    text = page.inner_text("body")
    assert "<img src=x onerror=alert('program')>" in text
    assert "<script>alert('note')</script>" in text
    page.close()


def test_loading_a_report_makes_no_network_request(browser, reports):
    for name in ("strategic-im", "desperate-community-im", "lexicon"):
        page = browser.new_page(**DESKTOP)
        requests: list[str] = []
        page.on("request", lambda r, seen=requests: seen.append(r.url))
        page.goto(reports[name].as_uri())
        page.keyboard.press("j")
        page.wait_for_timeout(100)
        assert requests == [reports[name].as_uri()], requests
        page.close()


def test_no_console_errors(browser, reports):
    page = browser.new_page(**DESKTOP)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(reports["resident-social"].as_uri())
    page.keyboard.press("j")
    page.get_by_label("residents", exact=True).check()
    assert errors == []
    page.close()


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_sample_reports_print_to_three_pages_or_fewer(browser, reports, shots_dir):
    counts = {}
    for name, path in reports.items():
        if name == "lexicon":
            continue
        page = browser.new_page()
        page.goto(path.as_uri())
        pdf = page.pdf(format="Letter")
        counts[name] = _pdf_pages(pdf)
        if name == "desperate-community-im":
            (shots_dir / "report-print.pdf").write_bytes(pdf)
            page.get_by_label(re.compile("Print the whole report")).check()
            assert _pdf_pages(page.pdf(format="Letter")) > counts[name]  # the full form is longer
        page.close()
    assert counts and max(counts.values()) <= 3, counts


def test_printed_form_keeps_the_gauge_and_the_questions(browser, reports, shots_dir):
    page = browser.new_page(viewport={"width": 816, "height": 1056})
    page.goto(reports["desperate-community-im"].as_uri())
    page.emulate_media(media="print")
    page.screenshot(path=str(shots_dir / "report-print.png"), full_page=True)
    assert page.locator(".gauge-svg .fill").is_visible()
    assert page.locator("ol.questions.print-only").is_visible()
    assert not page.locator("#note").is_visible()
    page.close()


def test_serve_round_trip_saves_the_note(browser, serve_url, shots_dir):
    url, notes = serve_url
    page = browser.new_page(**DESKTOP)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.get_by_label("Program").fill("St. Elsewhere IM")
    page.get_by_label("What they said").fill(
        "PD: We are like a family here. Our residents are very independent and we are a very busy hospital.\n"
        "PD: We hope to start a research track. Nights are brutal.\n")
    page.get_by_role("button", name="Analyze").click()
    page.wait_for_load_state()
    frame = page.frame_locator("iframe[title=Report]")
    assert "St. Elsewhere IM" in frame.locator("h1").inner_text()
    assert frame.locator(".hit[id]").count() >= 3
    saved = sorted(notes.glob("*.md"))
    assert len(saved) == 1 and saved[0].name.endswith("-st-elsewhere-im.md")
    content = saved[0].read_text("utf-8")
    assert content.startswith("---\nprogram: St. Elsewhere IM\ndate: ") and "like a family" in content
    page.screenshot(path=str(shots_dir / "serve-page.png"))
    page.get_by_role("button", name="Analyze").click()
    page.wait_for_load_state()
    assert len(list(notes.glob("*.md"))) == 2  # a second paste never overwrites the first
    assert all(r.startswith((url, "about:")) for r in requests), requests
    page.close()


def test_serve_page_at_phone_width(browser, serve_url, shots_dir):
    page = open_page(browser, serve_url[0], **PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots_dir / "serve-phone.png"))
    page.close()


def test_markdown_and_control_characters_render_safely(browser, tmp_path):
    text = "## Visa\nPD: **Dr. Lee** said we are like a family\u202e here and nights are brutal.\n"
    path = render(text, "md.txt", tmp_path, "md")
    page = browser.new_page(**DESKTOP)
    page.goto(path.as_uri())
    note = page.inner_text(".note")
    assert "##" not in note and "**" not in note
    assert page.locator(".note strong", has_text="Dr. Lee").count() == 1
    assert "a family<U+202E> here" in note
    page.close()


def test_sides_differ_without_colour(browser, reports, shots_dir):
    page = browser.new_page(**DESKTOP)
    page.goto(reports["desperate-community-im"].as_uri())
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setEmulatedVisionDeficiency", {"type": "deuteranopia"})
    page.locator("#note").scroll_into_view_if_needed()
    page.screenshot(path=str(shots_dir / "report-deuteranopia.png"))
    look = """(side) => { const m = document.querySelector('.note .hit.' + side + ' > mark');
      return [getComputedStyle(m).textDecorationStyle, getComputedStyle(m.previousElementSibling, '::before').content]; }"""
    coverage, outcomes = page.evaluate(look, "coverage"), page.evaluate(look, "outcomes")
    assert coverage[0] != outcomes[0] and coverage[1] != outcomes[1], (coverage, outcomes)
    page.emulate_media(media="print")
    assert page.evaluate(look, "coverage")[0] != page.evaluate(look, "outcomes")[0]
    page.close()


def test_report_works_with_scripts_off(browser, reports):
    page = browser.new_page(**DESKTOP, java_script_enabled=False)
    page.goto(reports["mixed-roles"].as_uri())
    first = hit_ids(page)[0]
    page.mouse.click(*page.evaluate(FIRST_RECT, f"#{first} mark"))
    assert page.evaluate(POP_VISIBLE, first)
    assert not page.locator("[data-js-only]").first.is_visible()  # no dead buttons
    page.get_by_label("residents", exact=True).check()
    hidden = page.eval_on_selector_all(
        ".note .hit[id]", "els => els.filter(h => getComputedStyle(h.querySelector('.b')).display === 'none').length")
    assert hidden > 0
    page.close()


def test_copy_button_copies_every_question(browser, reports):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.goto(reports["desperate-community-im"].as_uri())
    page.evaluate("""() => { window.__copied = null;
      Object.defineProperty(navigator, 'clipboard', {value: {writeText: t => { window.__copied = t; return Promise.resolve(); }}}); }""")
    page.get_by_role("button", name="Copy the questions").click()
    page.wait_for_function("window.__copied !== null")
    copied = page.evaluate("window.__copied").splitlines()
    listed = page.eval_on_selector_all("#questions-all li", "els => els.map(e => e.textContent.trim())")
    assert copied == [f"{i}. {q}" for i, q in enumerate(listed, 1)] and len(copied) > 3
    assert page.locator("#copy-status").inner_text() == "Copied"
    context.close()
