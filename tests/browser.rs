//! The search page (`src/http/index.html`) end to end in a real browser: a real server
//! over the seed pages plus `tests/browser/fixtures/` (a page whose id has a folder,
//! spaces, å/ä/ö, `&` and `#`, and whose text holds `<tags>`), driven by
//! `tests/browser/e2e.mjs` with playwright-core in headless Chromium.
//!
//! Needs `node`, Chromium (`/usr/bin/chromium`, or `$CHROMIUM`) and
//! `tests/browser/node_modules` (`npm ci` there); CI installs them (`.ci/run`). Without
//! them this test fails, saying what to install, rather than passing silently.
//!
//! The script's screenshot of the results page goes to `$HITTA_SCREENSHOT` when set
//! (that is how `docs/screenshot.png` is made), else to `target/tmp/browser-screenshot.png`;
//! when a check fails, the page as it was goes beside it (`…-failure.png`).

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const TIMEOUT: Duration = Duration::from_secs(240);

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// What is missing to run the browser test, as install instructions.
fn missing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !node.is_ok_and(|s| s.success()) {
        out.push("node is not on $PATH: install Node.js 20 or later (e.g. `apt-get install -y nodejs npm`)".into());
    }
    let chromium = chromium();
    if !chromium.is_file() {
        out.push(format!(
            "{} does not exist: install Chromium (`apt-get update && apt-get install -y chromium`) \
             or point $CHROMIUM at a Chromium binary",
            chromium.display()
        ));
    }
    if !dir
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        out.push(format!(
            "{}/node_modules has no playwright-core: run `npm ci` in {} \
             (never `npx playwright install`: it downloads a browser)",
            dir.display(),
            dir.display()
        ));
    }
    out
}

#[test]
fn search_page_works_in_a_real_browser() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = repo.join("tests/browser");
    let script = dir.join("e2e.mjs");
    assert!(script.is_file(), "missing {}", script.display());
    let missing = missing(&dir);
    assert!(
        missing.is_empty(),
        "the browser test cannot run; CI installs these in .ci/run:\n  - {}",
        missing.join("\n  - ")
    );

    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    let fixtures = dir.join("fixtures");
    let report = import(&index, &[&seeds(), &fixtures], &[]);
    assert!(
        report["skipped"].as_array().is_some_and(|s| s.is_empty()),
        "{report}"
    );
    let server = Server::start(&index);
    let tricky = server.search("fjällräv");
    assert!(
        tricky["hits"][0]["id"]
            .as_str()
            .unwrap_or("")
            .contains("/Räv & lo/"),
        "the fixture page is found: {tricky}"
    );

    let shot = std::env::var_os("HITTA_SCREENSHOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshot.png"));
    let mut child = Command::new("node")
        .arg(&script)
        .arg(&server.base)
        .arg(&shot)
        .env("CHROMIUM", chromium())
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    // A hung browser must not hang the test suite.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned();
    let err = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    let Some(status) = status else {
        panic!(
            "the browser test did not finish within {} s\n--- stdout\n{out}\n--- stderr\n{err}",
            TIMEOUT.as_secs()
        );
    };
    assert!(
        status.success(),
        "the browser e2e test failed ({status})\n--- stdout\n{out}\n--- stderr\n{err}"
    );
    assert!(
        out.contains("all browser checks passed"),
        "node exited 0 without finishing the checks\n--- stdout\n{out}\n--- stderr\n{err}"
    );
    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
}
