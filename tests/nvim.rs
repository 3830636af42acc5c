//! The Neovim plugin (`editors/nvim`) end to end: a real server over the seed pages,
//! a headless Neovim running `editors/nvim/tests/e2e.lua` against it.
//!
//! Needs `nvim` (0.7 or later) on `$PATH`; CI installs it (`.ci/run`). Without it this
//! test fails rather than passing silently.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A document id with spaces, å/ä/ö, a folder, `&` and `#`: the plugin must encode it.
const TRICKY_ID: &str = "Skolor i Härnösand/Närvaro & frånvaro #1.txt";

/// An URL on which nothing listens (a port that was free a moment ago).
fn closed_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn neovim_plugin_searches_opens_pages_and_reports_health() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plugin = repo.join("editors/nvim");
    let script = plugin.join("tests/e2e.lua");
    assert!(script.is_file(), "missing {}", script.display());

    let tmp = tempfile::tempdir().unwrap();
    // The seeds, plus one page whose id needs percent-encoding.
    let pages = tmp.path().join("pages");
    copy_dir(&seeds(), &pages);
    std::fs::create_dir_all(pages.join("Skolor i Härnösand")).unwrap();
    std::fs::copy(
        // A copy of a page that ranks below NÄR-SAM for skolfrånvaro, so the two never tie.
        seeds().join("001_afc759a9f325d7a5.txt"),
        pages.join(TRICKY_ID),
    )
    .unwrap();
    let index = tmp.path().join("index");
    let report = import(&index, &[&pages], &[]);
    assert_eq!(report["imported"], 6, "{report}");
    let server = Server::start(&index);
    assert_eq!(
        server.search("Karlskoga")["hits"][0]["path"],
        "003_33fe084e53ab7db6.txt"
    );

    // Keep the user's config and plugins out.
    let home = tmp.path().join("home");
    for d in ["config", "data", "state", "cache"] {
        std::fs::create_dir_all(home.join(d)).unwrap();
    }
    let mut cmd = Command::new("nvim");
    cmd.args(["--headless", "-u", "NONE", "-i", "NONE", "--cmd"])
        .arg(format!("set rtp^={}", plugin.display()))
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        // Reached only when the script could not run to its own exit (e.g. it does not load).
        .args(["-c", "cquit 2"])
        .env("HITTA_TEST_URL", &server.base)
        .env("HITTA_TEST_CLOSED_URL", closed_url())
        .env("HITTA_TEST_TRICKY_ID", TRICKY_ID)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "nvim is not installed: the Neovim plugin test needs it. Install neovim \
             (e.g. `apt-get install -y neovim`, 0.7 or later) and run again; CI does this in .ci/run"
        ),
        Err(e) => panic!("cannot start nvim: {e}"),
    };

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

    // A hung editor (say, a prompt waiting for input) must not hang the test suite.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned();
    let err = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    let Some(status) = status else {
        panic!("nvim did not finish within 180 s\n--- stdout\n{out}\n--- stderr\n{err}");
    };
    assert!(
        status.success(),
        "the Neovim e2e test failed ({status})\n--- stdout\n{out}\n--- stderr\n{err}"
    );
    assert!(
        out.contains("hitta.nvim e2e: all checks passed"),
        "nvim exited 0 without finishing the checks\n--- stdout\n{out}\n--- stderr\n{err}"
    );
}
