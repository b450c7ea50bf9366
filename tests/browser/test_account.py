"""A citizen account in headless Chromium: create it, confirm the address from the email the outbox delivered (the file
sender, so the test reads what a resident would receive), report while signed in, and find the report under "your
requests". axe-core runs on every page."""
import json
import os
import re
import time
from urllib.parse import urlparse

from selenium.webdriver.common.by import By

from test_cases import submit
from test_desk import BASE, accessible, browser, shot  # noqa: F401  (browser is a fixture)

MESSAGES = os.environ.get("TOWNHALL_MESSAGE_FILE", "")
PASSWORD = "kettle harbour violet"


def delivered_link(email, timeout=30):
    """The confirmation link in the newest message delivered to `email`, as a path on this server."""
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(MESSAGES):
            with open(MESSAGES, encoding="utf-8") as f:
                lines = [json.loads(line) for line in f if line.strip()]
            found = [m for m in lines if m["to"] == email and m["kind"] == "account_verification"]
            if found:
                url = re.search(r"https?://\S+/account/confirm\?token=[A-Za-z0-9_-]+", found[-1]["body"]).group(0)
                parsed = urlparse(url)
                return f"{parsed.path}?{parsed.query}"
        time.sleep(0.5)
    raise AssertionError(f"no confirmation email reached {email} in {timeout}s")


def test_citizen_creates_an_account_reports_and_follows_it(browser):
    assert MESSAGES, "TOWNHALL_MESSAGE_FILE must name the server's message file"
    email = f"resident{int(time.time() * 1000)}@example.com"
    browser.get(BASE + "/account/create")
    accessible(browser)
    browser.find_element(By.ID, "name").send_keys("Ann Clegg")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys("short")
    submit(browser, "form[action='/account/create'] button")
    assert browser.title.startswith("Error: ")
    assert browser.find_element(By.CSS_SELECTOR, ".th-error-summary a").get_attribute("href").endswith("#password")
    accessible(browser)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    submit(browser, "form[action='/account/create'] button")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Check your email"
    accessible(browser)

    # The link from the email, then the password chosen with it.
    browser.get(BASE + delivered_link(email))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Confirm your account"
    accessible(browser)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    submit(browser, "form[action='/account/confirm'] button")
    assert "Your account is ready" in browser.find_element(By.CSS_SELECTOR, ".th-notification").text
    accessible(browser)

    # Report while signed in: no contact details to type.
    browser.get(BASE + "/report/details?service=587")
    assert "You are signed in as Ann Clegg" in browser.page_source
    assert not browser.find_elements(By.ID, "email")
    browser.find_element(By.ID, "postcode").send_keys("BB11 2BD")
    browser.find_element(By.CSS_SELECTOR, "input[name='attribute[waste_type]'][value='household']").click()
    browser.find_element(By.CSS_SELECTOR, "input[name='attribute[quantity]'][value='bag']").click()
    submit(browser, "form[action='/report/details'] button[type=submit]")
    assert f"Ann Clegg, {email} (your account)" in browser.find_element(By.CSS_SELECTOR, "dl.th-check-answers").text
    submit(browser, "form[action='/report/send'] > button.th-button")
    reference = browser.find_element(By.CSS_SELECTOR, ".th-panel--confirmation strong").text
    assert "listed under your requests" in browser.find_element(By.TAG_NAME, "main").text
    accessible(browser)

    browser.find_element(By.LINK_TEXT, "your requests").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Your requests"
    card = browser.find_element(By.CSS_SELECTOR, ".th-summary-card")
    assert reference in card.text and "Burnley Borough Council" in card.text and "New" in card.text
    accessible(browser)
    shot(browser, "account-requests.png")

    # Signing out from the header ends the session.
    submit(browser, "form[action='/account/sign-out'] button")
    browser.get(BASE + "/account")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in to your account"
    accessible(browser)
