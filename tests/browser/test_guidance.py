"""Agent guidance in headless Chromium: while an agent logs a contact, guidance for the chosen service and the words typed
appears beside the form; the article opens in a new tab, rendered from markdown; search finds it without JavaScript."""
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_desk import BASE, accessible, browser, shot, sign_in  # noqa: F401  (browser is a fixture)
from test_single_view import open_first_person


def hints(driver):
    # The list is replaced as suggestions arrive; a read that races a replacement is an empty read (the waits retry).
    try:
        box = driver.find_element(By.ID, "guidance-hints")
        return [] if not box.is_displayed() else [a.text for a in box.find_elements(By.TAG_NAME, "a")]
    except StaleElementReferenceException:
        return []


def test_guidance_is_suggested_as_the_agent_types_and_reads_as_an_article(browser):
    sign_in(browser, "burnley.agent")
    open_first_person(browser, "smith")
    assert hints(browser) == []
    # A word the caller used suggests the bulky waste article.
    browser.find_element(By.ID, "reason").send_keys("wants an old wardrobe taken away")
    WebDriverWait(browser, 5).until(lambda d: any("Bulky waste collections" in h for h in hints(d)))
    # Choosing the service puts its call script first.
    Select(browser.find_element(By.ID, "service_code")).select_by_value("587")
    WebDriverWait(browser, 5).until(lambda d: hints(d) and hints(d)[0].startswith("Fly-tipping: what to ask"))
    accessible(browser)
    shot(browser, "guidance-suggestions.png")

    # The article, rendered from markdown, in a new tab so the contact form keeps what was typed.
    link = browser.find_element(By.CSS_SELECTOR, "#guidance-hints a")
    assert link.get_attribute("target") == "_blank"
    form_window = browser.current_window_handle
    link.click()
    WebDriverWait(browser, 5).until(lambda d: len(d.window_handles) == 2)
    browser.switch_to.window([w for w in browser.window_handles if w != form_window][0])
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "Fly-tipping: what to ask")
    headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".th-guidance h2")]
    assert headings == ["What to say", "What to ask", "Take care"]
    assert len(browser.find_elements(By.CSS_SELECTOR, ".th-guidance ol li")) == 4
    assert "Change this guidance" not in browser.page_source   # agents read; managers write
    accessible(browser)
    browser.close()
    browser.switch_to.window(form_window)
    assert browser.find_element(By.ID, "reason").get_attribute("value") == "wants an old wardrobe taken away"


def test_guidance_search_works_without_javascript(browser):
    sign_in(browser, "burnley.agent")
    browser.get(f"{BASE}/desk/guidance?q=column+number")
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".th-guidance-list h3 a")]
    assert titles == ["Street lights: reporting a fault"]
    accessible(browser)
    browser.get(f"{BASE}/desk/guidance")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".th-guidance-list h3 a")) >= 5
    accessible(browser)
