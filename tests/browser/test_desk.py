"""Staff desk journeys in a real headless Chromium, with axe-core accessibility checks on every page."""
import os
import re

import pytest
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ.get("TOWNHALL_URL", "http://127.0.0.1:8181")
SHOTS = os.environ.get("SCREENSHOTS_DIR", "docs/screenshots")
PASSWORD = "townhall-demo-2026"


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    driver.set_script_timeout(120)   # axe-core over a long table takes a while on a 2-core machine
    yield driver
    driver.quit()


def accessible(driver):
    """No serious or critical axe-core violations (WCAG 2 A/AA, 2.1 AA and best-practice rules).
    axe-selenium-python bundles axe-core 3.x, which knows only these tags; an unknown tag makes axe.run fail."""
    axe = Axe(driver)
    axe.inject()
    results = axe.run(options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]}})
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}" for v in bad)


def shot(driver, name):
    os.makedirs(SHOTS, exist_ok=True)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1280, max(800, min(height, 3000)))
    driver.save_screenshot(os.path.join(SHOTS, name))


def sign_in(driver, username="burnley.agent"):
    driver.get(BASE + "/sign-in")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # Wait for the sign-in redirect to land before the test navigates, or the two navigations race.
    WebDriverWait(driver, 15).until(lambda d: "/sign-in" not in d.current_url)


def test_start_page_links_to_sign_in(browser):
    browser.get(BASE + "/")
    accessible(browser)
    browser.find_element(By.LINK_TEXT, "Sign in to the staff desk").click()
    assert browser.current_url.endswith("/sign-in")
    accessible(browser)
    shot(browser, "sign-in.png")


def test_wrong_password_shows_error_summary_linked_to_the_field(browser):
    browser.get(BASE + "/sign-in")
    browser.find_element(By.ID, "username").send_keys("burnley.agent")
    browser.find_element(By.ID, "password").send_keys("not the password")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    summary = browser.find_element(By.CSS_SELECTOR, ".th-error-summary")
    assert "The username or password is not right." in summary.text
    assert browser.title.startswith("Error: ")
    link = summary.find_element(By.CSS_SELECTOR, "a")
    assert link.get_attribute("href").endswith("#password")
    accessible(browser)
    shot(browser, "sign-in-error.png")


def test_agent_finds_a_person_by_misspelt_name_and_opens_their_home(browser):
    sign_in(browser)
    assert browser.current_url.endswith("/desk")
    accessible(browser)
    shot(browser, "desk-home.png")
    box = browser.find_element(By.ID, "q")
    box.send_keys("jon smyth")
    box.send_keys(Keys.ENTER)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.th-table tbody tr")
    assert rows, "a misspelt name should still find people"
    names = [r.find_element(By.CSS_SELECTOR, "td a").text for r in rows]
    assert any(re.search(r"Jo\w* Smith", n) for n in names), names
    assert re.fullmatch(r"Jo\w{0,2} Smith", names[0]), "a spelling variant (Jon, John) ranks above a longer name (Jonathan)"
    accessible(browser)
    shot(browser, "desk-search.png")

    rows[0].find_element(By.CSS_SELECTOR, "td a").click()
    assert browser.find_element(By.TAG_NAME, "h1").text.endswith("Smith")
    assert "Address history" in browser.page_source
    accessible(browser)
    shot(browser, "person.png")

    browser.find_element(By.CSS_SELECTOR, "table.th-table tbody a").click()
    assert any("UPRN" in d.text for d in browser.find_elements(By.CSS_SELECTOR, "dl.th-summary-list"))
    # The home's council tax account, through the single view's panel (the demo bills every Burnley household).
    panel = browser.find_element(By.ID, "panel-council-tax")
    assert "Council tax" in panel.text and re.search(r"Council tax CT\d{8}", panel.text) and "Balance" in panel.text, panel.text
    assert browser.find_elements(By.CSS_SELECTOR, "table.th-table tbody tr"), "the home should list its occupants"
    accessible(browser)
    shot(browser, "property.png")

    # The account page from the panel: years, instalments, the agent's actions, and the printable demand notice.
    panel.find_element(By.CSS_SELECTOR, "a[href^='/desk/revenues/accounts/']").click()
    assert re.search(r"CT\d{8}", browser.find_element(By.TAG_NAME, "h1").text)
    assert browser.find_element(By.ID, "years") and browser.find_element(By.ID, "amount")
    accessible(browser)
    shot(browser, "council-tax-account.png")
    amount = browser.find_element(By.ID, "amount")
    amount.send_keys("-3")
    amount.submit()
    summary = browser.find_element(By.CSS_SELECTOR, ".th-error-summary")
    assert summary.find_element(By.CSS_SELECTOR, "a[href='#amount']"), summary.text
    accessible(browser)
    browser.find_element(By.CSS_SELECTOR, "#bills a").click()
    assert "Council tax demand notice" in browser.find_element(By.TAG_NAME, "h1").text
    assert "Lancashire" in browser.find_element(By.CSS_SELECTOR, "table.th-table").text
    accessible(browser)
    shot(browser, "demand-notice.png")


def test_search_by_postcode_lists_people_and_properties(browser):
    sign_in(browser)
    box = browser.find_element(By.ID, "q")
    box.send_keys("bb11 2bd")
    box.send_keys(Keys.ENTER)
    tables = browser.find_elements(By.CSS_SELECTOR, "table.th-table")
    assert len(tables) == 2, browser.page_source[-3000:]
    assert "BB11 2BD" in tables[1].text
    accessible(browser)


def test_an_empty_search_is_an_error_on_the_field(browser):
    sign_in(browser)
    browser.get(BASE + "/desk?q=%21%21%21")
    assert browser.title.startswith("Error: ")
    assert browser.find_element(By.ID, "q-error").is_displayed()
    accessible(browser)


def test_police_see_burnley_records_under_the_agreement_but_not_pendles(browser):
    sign_in(browser, "lancashire-police.agent")
    browser.get(BASE + "/desk?q=bb11%202bd")
    held = {td.text for td in browser.find_elements(By.CSS_SELECTOR, "table.th-table tbody tr td:nth-child(4)")}
    assert held == {"Burnley Borough Council"}, held
    browser.get(BASE + "/desk?q=bb9%207pu")
    assert "No people match" in browser.page_source


def test_skip_link_is_first_and_visible_on_focus(browser):
    browser.get(BASE + "/sign-in")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.text == "Skip to main content"
    assert active.is_displayed()


def test_the_desk_requires_sign_in(browser):
    browser.get(BASE + "/desk/people/00000000-0000-0000-0000-000000000000")
    assert "/sign-in?next=" in browser.current_url
