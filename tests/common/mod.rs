//! Helpers for end-to-end tests: run the real `hitta` binary on temp folders and talk
//! to a real server on 127.0.0.1:0 over HTTP.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The shared corpus beside the checkout.
pub fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel)
}

/// The seed dumps shipped in `import/`.
pub fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("import")
}

/// `hitta` with a clean environment and no config file from the working folder.
pub fn hitta(workdir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hitta"));
    c.current_dir(workdir);
    for (k, _) in std::env::vars() {
        if k.starts_with("HITTA_") {
            c.env_remove(k);
        }
    }
    c
}

/// Run and return the output, panicking with stderr when it fails.
pub fn ok(mut c: Command) -> Output {
    let out = c.output().expect("run hitta");
    assert!(
        out.status.success(),
        "hitta failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `hitta import --json PATHS --index INDEX`, returning the report.
pub fn import(index: &Path, paths: &[&Path], extra: &[&str]) -> Value {
    let work = index.parent().unwrap();
    let mut c = hitta(work);
    c.arg("import")
        .arg("--json")
        .arg("--index")
        .arg(index)
        .args(extra)
        .args(paths);
    let out = ok(c);
    serde_json::from_slice(&out.stdout).expect("import --json prints one JSON object")
}

/// Copy every file of `from` (not recursive) into a new folder `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A running `hitta serve`, stopped on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Server {
    /// Serve `index` without importing, on a free port.
    pub fn start(index: &Path) -> Server {
        let mut c = hitta(index.parent().unwrap());
        c.args(["serve", "--no-import", "--bind", "127.0.0.1:0", "--index"])
            .arg(index)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("start hitta serve");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("http://") {
                    let _ = tx.send(line[at..].trim().to_string());
                }
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("server announces its address");
        Server { child, base }
    }

    /// GET `path_and_query`, returning (status, JSON body).
    pub fn get(&self, path_and_query: &str) -> (u16, Value) {
        let agent = agent();
        let resp = agent
            .get(&format!("{}{}", self.base, path_and_query))
            .call()
            .expect("GET");
        let status = resp.status().as_u16();
        let body: Value = resp.into_body().read_json().expect("JSON body");
        (status, body)
    }

    /// POST a JSON body.
    pub fn post(&self, path: &str, body: &str) -> (u16, Value) {
        let resp = agent()
            .post(&format!("{}{}", self.base, path))
            .header("content-type", "application/json")
            .send(body)
            .expect("POST");
        let status = resp.status().as_u16();
        (status, resp.into_body().read_json().expect("JSON body"))
    }

    /// `GET /search?q=…` with the query URL-encoded; returns the body of a 200.
    pub fn search(&self, q: &str) -> Value {
        let (status, body) = self.get(&format!("/search?q={}&limit=100", encode(q)));
        assert_eq!(status, 200, "{body}");
        body
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// Percent-encode a query value (UTF-8).
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The `path`s of the hits of a search answer.
pub fn hit_paths(answer: &Value) -> Vec<String> {
    answer["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect()
}

/// Poll `f` until it returns true or `timeout` passes; returns whether it did.
pub fn eventually(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    f()
}
