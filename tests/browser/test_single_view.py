"""The single view of the customer in headless Chromium: an agent finds a person, sees their cases and contacts, and logs
this contact as resolved at the first point of contact, from the keyboard."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_cases import submit
from test_desk import accessible, browser, shot, sign_in  # noqa: F401  (browser is a fixture)


def open_first_person(driver, query):
    box = driver.find_element(By.ID, "q")
    box.send_keys(query)
    box.send_keys(Keys.ENTER)
    driver.find_element(By.CSS_SELECTOR, "table.th-table tbody tr td a").click()
    assert driver.find_element(By.TAG_NAME, "h1").text


def test_agent_logs_a_contact_resolved_at_first_point(browser):
    sign_in(browser, "burnley.agent")
    open_first_person(browser, "smith")
    name = browser.find_element(By.TAG_NAME, "h1").text
    for heading in ("Cases", "Recent contacts", "Log this contact"):
        assert browser.find_element(By.XPATH, f"//h2[normalize-space()='{heading}']")
    accessible(browser)

    # Forgetting the reason: an error summary linked to the field, and nothing recorded.
    browser.find_element(By.ID, "outcome-resolved_first_contact").click()
    submit(browser, "form[action$='/contacts'] button[type=submit]")
    assert browser.title.startswith("Error: ")
    summary = browser.find_element(By.CSS_SELECTOR, ".th-error-summary")
    assert summary.find_element(By.CSS_SELECTOR, "a").get_attribute("href").endswith("#reason")
    assert browser.find_element(By.ID, "outcome-resolved_first_contact").is_selected(), "the choice made is kept"
    accessible(browser)

    # A few keystrokes: the reason, tab on to the service, then record.
    reason = browser.find_element(By.ID, "reason")
    reason.send_keys("Asked which day the green bin is collected")
    browser.find_element(By.ID, "minutes").send_keys("2")
    submit(browser, "form[action$='/contacts'] button[type=submit]")
    assert "Contact recorded" in browser.find_element(By.CSS_SELECTOR, ".th-notification").text
    assert browser.find_element(By.TAG_NAME, "h1").text == name
    contacts = browser.find_element(By.XPATH, "//h2[@id='contacts']/following-sibling::table[1]")
    first = contacts.find_element(By.CSS_SELECTOR, "tbody tr").text
    assert "Asked which day the green bin is collected" in first
    assert "Resolved at first point of contact" in first
    assert "burnley.agent" in first
    accessible(browser)
    shot(browser, "single-view.png")


def test_search_suggests_people_as_the_agent_types(browser):
    from selenium.webdriver.support.ui import WebDriverWait
    sign_in(browser, "burnley.agent")
    box = browser.find_element(By.ID, "q")
    box.send_keys("Hartl")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#q-suggestions a"))
    labels = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#q-suggestions a")]
    assert any(label.startswith("Dean Hartley") for label in labels), labels
    accessible(browser)
    box.send_keys(Keys.ARROW_DOWN)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("href").split("/desk/")[1].startswith(("people/", "properties/", "cases/"))
    focused.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: "/desk/people/" in d.current_url or "/desk/properties/" in d.current_url)
