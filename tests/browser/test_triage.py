"""Adult social care triage in headless Chromium: an agent runs the flow from the single view, one question a page, from the
keyboard, reaches a referral to a social-care professional and creates it with the answers attached."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_cases import submit
from test_desk import accessible, browser, shot, sign_in  # noqa: F401  (browser is a fixture)
from test_single_view import open_first_person


def answer(driver, label):
    """Chooses an answer by its label, with the keyboard, and continues."""
    option = driver.find_element(By.XPATH, f"//label[normalize-space()='{label}']")
    driver.find_element(By.ID, option.get_attribute("for")).send_keys(Keys.SPACE)
    submit(driver, "form[method=get] button[type=submit]")


def test_agent_runs_social_care_triage_and_creates_a_referral(browser):
    sign_in(browser, "burnley.agent")
    open_first_person(browser, "smith")
    name = browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.PARTIAL_LINK_TEXT, "Start: Adult social care").click()
    assert browser.find_element(By.CSS_SELECTOR, "legend").text == "Is the person in immediate danger?"
    assert "What to ask:" in browser.find_element(By.ID, "choice-hint").text
    accessible(browser)

    # Continuing without an answer asks again, with the error linked to the first choice.
    submit(browser, "form[method=get] button[type=submit]")
    assert browser.title.startswith("Error: ")
    assert browser.find_element(By.CSS_SELECTOR, ".th-error-summary a").get_attribute("href").endswith("#choice-0")
    accessible(browser)

    answer(browser, "No")
    assert browser.find_element(By.CSS_SELECTOR, "legend").text.startswith("Is there a concern")
    answer(browser, "No")
    answer(browser, "Personal care, meals or managing at home every day")
    answer(browser, "Yes, the care is at risk of breaking down")

    outcome = browser.find_element(By.ID, "outcome-title").text
    assert outcome == "Referral to a social-care professional (care at risk of breaking down)"
    answers = browser.find_element(By.CSS_SELECTOR, "dl.th-summary-list").text
    assert "Personal care, meals or managing at home every day" in answers
    accessible(browser)
    shot(browser, "triage-outcome.png")

    browser.find_element(By.ID, "notes").send_keys("Daughter is the main carer and is going into hospital next week")
    submit(browser, "form[method=post][action*='/triage/'] button[type=submit]")
    banner = browser.find_element(By.CSS_SELECTOR, ".th-notification").text
    assert banner.startswith("Case TH-") and "Lancashire County Council" in banner
    assert browser.find_element(By.TAG_NAME, "h1").text == name
    contacts = browser.find_element(By.XPATH, "//h2[@id='contacts']/following-sibling::table[1]")
    first = contacts.find_element(By.CSS_SELECTOR, "tbody tr").text
    assert "Triage: Adult social care: first contact" in first and "Case created" in first
    accessible(browser)
