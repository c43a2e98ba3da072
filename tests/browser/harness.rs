//! A real Chromium driven through WebDriver (chromedriver + fantoccini), with axe-core checks
//! and screenshots.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const AXE: &str = include_str!("vendor/axe.min.js");

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        for dir in std::env::split_paths(&path).chain([
            PathBuf::from("/usr/bin"),
            PathBuf::from("/usr/lib/chromium"),
        ]) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    base: String,
    shots: PathBuf,
    /// Added to screenshot names while the window is a phone's (`-390`).
    suffix: std::sync::Mutex<&'static str>,
}

/// Starts chromedriver and a headless Chromium, or says why it cannot and returns `None` —
/// unless ADESAO_BROWSER_REQUIRED is set (as in CI), where a missing browser is a failure.
pub async fn start(base: &str) -> Option<Browser> {
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = find_program(&["chromedriver"]);
    let (Some(chromium), Some(driver_path)) = (chromium, driver) else {
        let why = "browser suite skipped: chromium and chromedriver are not installed (apt-get install chromium chromium-driver)";
        if std::env::var_os("ADESAO_BROWSER_REQUIRED").is_some() {
            panic!("{why}, and ADESAO_BROWSER_REQUIRED is set");
        }
        eprintln!("{why}");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Command::new(driver_path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let caps = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1280,1000", "--lang=pt-BR"]
        }
    });
    let caps: serde_json::Map<String, Value> = caps.as_object().unwrap().clone();
    let mut client = None;
    for _ in 0..50 {
        let builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        if let Ok(c) = builder {
            client = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let client = client.expect("a WebDriver session opens");
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    Some(Browser {
        client,
        driver,
        base: base.to_owned(),
        shots,
        suffix: std::sync::Mutex::new(""),
    })
}

impl Browser {
    pub async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks the button or link whose visible text is `text`, and waits for the page it leads
    /// to (every button and link of the app loads a new page).
    pub async fn click_text(&self, text: &str) {
        // Buttons first: the header's "Entrar" link must not shadow the login form's button.
        let button = format!("//button[normalize-space(.)='{text}']");
        let link = format!("//a[normalize-space(.)='{text}']");
        let e = match self.client.find(Locator::XPath(&button)).await {
            Ok(e) => e,
            Err(_) => self
                .client
                .find(Locator::XPath(&link))
                .await
                .unwrap_or_else(|e| panic!("button {text}: {e}")),
        };
        let old_body = self.find("body").await;
        e.click()
            .await
            .unwrap_or_else(|e| panic!("click {text}: {e}"));
        for _ in 0..100 {
            // The old page's body goes stale once the new page replaced it.
            if old_body.attr("class").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.wait_loaded().await;
    }

    /// Clicks the link whose visible text is `text`, which opens a confirmation dialog on the
    /// same page; waits until the dialog is open.
    pub async fn open_dialog(&self, text: &str) {
        let link = format!("//a[normalize-space(.)='{text}']");
        self.client
            .find(Locator::XPath(&link))
            .await
            .unwrap_or_else(|e| panic!("link {text}: {e}"))
            .click()
            .await
            .unwrap();
        for _ in 0..100 {
            if self.exists("dialog[open]").await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{text} opens no dialog");
    }

    /// Clicks the button `text` inside the open dialog and waits for the page it leads to.
    pub async fn confirm_in_dialog(&self, text: &str) {
        let button = format!("//dialog[@open]//button[normalize-space(.)='{text}']");
        let e = self
            .client
            .find(Locator::XPath(&button))
            .await
            .unwrap_or_else(|e| panic!("dialog button {text}: {e}"));
        let old_body = self.find("body").await;
        e.click().await.unwrap();
        for _ in 0..100 {
            if old_body.attr("class").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.wait_loaded().await;
    }

    async fn wait_loaded(&self) {
        for _ in 0..100 {
            if let Ok(state) = self
                .client
                .execute("return document.readyState", vec![])
                .await
                && state == json!("complete")
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("select {css}={value}: {e}"));
    }

    pub async fn text(&self) -> String {
        self.find("body").await.text().await.unwrap()
    }

    pub async fn login(&self, cpf: &str) {
        self.login_with(cpf, crate::common::DEMO_PASSWORD).await;
    }

    pub async fn login_with(&self, cpf: &str, password: &str) {
        self.goto("/login").await;
        self.type_into("#cpf", cpf).await;
        self.type_into("#password", password).await;
        self.click_text("Entrar").await;
        assert!(!self.path().await.starts_with("/login"), "login of {cpf}");
    }

    pub async fn logout(&self) {
        self.click_text("Sair").await;
        assert!(self.path().await.starts_with("/login"));
    }

    /// Presses Tab until the focused element matches `css`; checks that focus is visible there.
    pub async fn tab_to(&self, css: &str) -> Element {
        use fantoccini::key::Key;
        for _ in 0..60 {
            let active = self.client.active_element().await.unwrap();
            active.send_keys(&Key::Tab.to_string()).await.unwrap();
            let matches = self
                .client
                .execute(
                    "return document.activeElement.matches(arguments[0]);",
                    vec![json!(css)],
                )
                .await
                .unwrap();
            if matches == json!(true) {
                // The design system draws the focus of inputs as a ring (box-shadow), of the
                // rest as an outline: either counts.
                let visible = self
                    .client
                    .execute(
                        "const s = getComputedStyle(document.activeElement); \
                         return s.outlineStyle !== 'none' || s.boxShadow !== 'none';",
                        vec![],
                    )
                    .await
                    .unwrap();
                assert_eq!(visible, json!(true), "keyboard focus is visible on {css}");
                return self.client.active_element().await.unwrap();
            }
        }
        panic!("{css} cannot be reached with Tab");
    }

    /// Presses Enter on the focused element and waits for the page it leads to.
    pub async fn press_enter(&self) {
        use fantoccini::key::Key;
        let old_body = self.find("body").await;
        self.client
            .active_element()
            .await
            .unwrap()
            .send_keys(&Key::Enter.to_string())
            .await
            .unwrap();
        for _ in 0..100 {
            if old_body.attr("class").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.wait_loaded().await;
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let suffix = *self.suffix.lock().unwrap();
        std::fs::write(self.shots.join(format!("{name}{suffix}.png")), png).unwrap();
    }

    /// A phone's window (390 × 844 CSS pixels, as signers reading their SMS have): the pages
    /// visited meanwhile are screenshot as `NAME-390.png` and checked by axe as usual.
    pub async fn phone(&self) {
        self.client.set_window_size(390, 844).await.unwrap();
        *self.suffix.lock().unwrap() = "-390";
    }

    /// Back to the desktop window of the other scenarios.
    pub async fn desktop(&self) {
        self.client.set_window_size(1280, 1000).await.unwrap();
        *self.suffix.lock().unwrap() = "";
    }

    /// What makes the page wider than the window (a sideways scroll bar on a phone): the
    /// innermost elements reaching past its right edge, or None when it fits.
    pub async fn too_wide(&self) -> Option<String> {
        let found = self
            .client
            .execute(
                r#"if (document.documentElement.scrollWidth <= window.innerWidth + 1) return null;
                   // Inside a box that scrolls or clips, an element does not widen the page.
                   const clipped = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                       const o = getComputedStyle(p).overflowX; if (o !== 'visible') return true; } return false; };
                   const out = [...document.querySelectorAll('body *')]
                     .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(e)
                                  && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
                     .slice(0, 5)
                     .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : ''));
                   return out.join(', ') || 'the page';"#,
                vec![],
            )
            .await
            .unwrap();
        found.as_str().map(str::to_owned)
    }

    /// Runs axe-core on the current page; fails on any violation of WCAG 2.1 A or AA.
    pub async fn check_accessibility(&self, page: &str) {
        let violations = self.wcag_violations().await;
        assert_eq!(violations, json!([]), "accessibility violations on {page}");
    }

    /// The axe-core violations of WCAG 2.0 and 2.1, levels A and AA, on the current page (every
    /// impact, not only the serious ones).
    pub async fn wcag_violations(&self) -> Value {
        self.client
            .execute(&format!("{AXE}\nreturn true;"), vec![])
            .await
            .unwrap();
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'],
                                runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
              .then(r => done(r.violations
                .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                             nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')) }))))
              .catch(e => done([{ id: 'axe-error', help: String(e) }]));
        "#;
        self.client.execute_async(script, vec![]).await.unwrap()
    }

    fn is_phone(&self) -> bool {
        !self.suffix.lock().unwrap().is_empty()
    }

    /// The checks of one width: screenshot, axe-core, and on a phone that the page fits its
    /// width (no sideways scrolling of the whole page).
    async fn check_here(&self, name: &str) {
        self.screenshot(name).await;
        self.check_accessibility(&format!("{name}{}", *self.suffix.lock().unwrap()))
            .await;
        if self.is_phone()
            && let Some(what) = self.too_wide().await
        {
            panic!("{name} is wider than a phone: {what}");
        }
    }

    /// Visits: the page now shown is checked at the desktop's width and at a phone's (390 px),
    /// each with a screenshot (`NAME.png`, `NAME-390.png`) and axe-core; the phone's must fit
    /// its width. The window is left as it was.
    pub async fn checkpoint(&self, name: &str) {
        if self.is_phone() {
            self.check_here(name).await;
            return;
        }
        self.check_here(name).await;
        self.phone().await;
        self.check_here(name).await;
        // The narrowest phones (320 px, WCAG 1.4.10's reflow width) fit too.
        self.client.set_window_size(320, 700).await.unwrap();
        if let Some(what) = self.too_wide().await {
            panic!("{name} is wider than 320 px: {what}");
        }
        self.desktop().await;
    }
}
