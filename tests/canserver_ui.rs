//! `canserver`'s live page (`GET /ui`) in a real browser: headless Chromium, driven over the
//! DevTools protocol, loads the page; a frame sent onto the bus shows in its table within a
//! second; a frame submitted through its form arrives on the bus. Screenshots go to
//! `target/canserver-ui-*.png` for a human to look at. Chromium (Debian's `chromium`) is
//! installed by `tools/test-all.sh`; without it the test fails in CI and skips elsewhere.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use common::canserver::{run_ok, Server};

const T: Duration = Duration::from_secs(20);

struct Browser {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_browser(chromium: &std::path::Path) -> Browser {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-port=0"])
        .arg("--window-size=1280,800")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.split("DevTools listening on ").nth(1) {
                let _ = tx.send(url.to_string());
            }
        }
    });
    let url = rx.recv_timeout(Duration::from_secs(60)).expect("chromium's DevTools address");
    let port = url.trim_start_matches("ws://").split(['/', ':']).nth(1).unwrap().parse().unwrap();
    Browser { child, port, _profile: profile }
}

/// One page, driven over its DevTools WebSocket.
struct Page {
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    next: u64,
}

impl Page {
    async fn open(browser: &Browser, url: &str) -> Page {
        // PUT /json/new?URL opens a tab and says where its DevTools socket is.
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", browser.port)).await.unwrap();
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        // The Host header names the port: DevTools builds the page's socket address from it.
        let request = format!(
            "PUT /json/new?{url} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            browser.port
        );
        s.write_all(request.as_bytes()).await.unwrap();
        // Chromium keeps the connection open: read the head, then Content-Length bytes.
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        let text = tokio::time::timeout(T, async {
            loop {
                let n = s.read(&mut buf).await.unwrap();
                bytes.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&bytes).into_owned();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().to_string())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if body.len() >= length || n == 0 {
                        return text;
                    }
                }
                if n == 0 {
                    return text;
                }
            }
        })
        .await
        .expect("DevTools answers /json/new");
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
        let info: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
        let ws_url = info["webSocketDebuggerUrl"].as_str().expect("a page socket").to_string();
        let (ws, _) = tokio_tungstenite::connect_async(ws_url).await.expect("connect to the page");
        Page { ws, next: 1 }
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        let message = json!({ "id": id, "method": method, "params": params }).to_string();
        self.ws.send(Message::Text(message.into())).await.unwrap();
        loop {
            let m =
                tokio::time::timeout(T, self.ws.next()).await.expect("a DevTools answer").unwrap().unwrap();
            if let Message::Text(t) = m {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["id"] == id {
                    return v;
                }
            }
        }
    }

    async fn eval(&mut self, expression: &str) -> Value {
        let v =
            self.call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true })).await;
        v["result"]["result"]["value"].clone()
    }

    /// Poll `expression` until it is true, every 20 ms; the time it took.
    async fn until(&mut self, expression: &str, within: Duration) -> Option<Duration> {
        let start = Instant::now();
        while start.elapsed() < within {
            if self.eval(expression).await == Value::Bool(true) {
                return Some(start.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    async fn screenshot(&mut self, name: &str) {
        let v = self.call("Page.captureScreenshot", json!({ "format": "png" })).await;
        if let Some(data) = v["result"]["data"].as_str() {
            let path = common::root().join("target").join(format!("canserver-ui-{name}.png"));
            let _ = std::fs::write(path, base64_decode(data));
        }
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=' && !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let n =
            chunk.iter().enumerate().fold(0u32, |acc, (i, &c)| acc | (u32::from(value(c)) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_bus_traffic_live_and_its_form_sends_frames() {
    let Some(chromium) = common::require("Chromium (apt-get install chromium)", common::program("chromium"))
    else {
        return;
    };
    let server = Server::start(&[]);
    let browser = start_browser(&chromium);
    let mut page = Page::open(&browser, &format!("http://127.0.0.1:{}/ui", server.http)).await;
    let live = page.until("document.getElementById('status').textContent === 'live'", T).await;
    assert!(live.is_some(), "the page never connected its event stream");

    // A frame onto the bus shows in the table within a second.
    run_ok(server.on_bus(common::canlogger()).args(["send", "1AB#DEADBEEF"]), T);
    let shown = page
        .until(
            "[...document.querySelectorAll('#frames tr')].some(r => r.textContent.includes('1AB') && r.textContent.includes('DE AD BE EF'))",
            T,
        )
        .await;
    let shown = shown.expect("the frame never showed in the table");
    assert!(shown < Duration::from_secs(1), "the frame took {shown:?} to show");
    // Traffic for the screenshot: a few ids at a few hundred frames per second.
    let frames: Vec<String> = (0..300).map(|i| format!("{:03X}#{:04X}", 0x100 + i % 7, i)).collect();
    run_ok(server.on_bus(common::canlogger()).arg("send").args(&frames), T);
    page.until("document.querySelectorAll('#frames tr').length >= 8", T)
        .await
        .expect("eight ids in the table");
    page.screenshot("traffic").await;

    // The form sends through GET /?id=…: the frame arrives on the bus.
    let mut wait = server.on_bus(common::canlogger());
    wait.args(["wait", "--id", "321", "--timeout", "20s"]).stdout(Stdio::piped()).stderr(Stdio::piped());
    let waiting = wait.spawn().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    page.eval(
        "document.getElementById('id').value = '321'; document.getElementById('data').value = 'CA FE'; \
         document.getElementById('send').requestSubmit(); true",
    )
    .await;
    let out = tokio::task::spawn_blocking(move || waiting.wait_with_output().unwrap()).await.unwrap();
    assert!(
        out.status.success(),
        "the form's frame did not arrive: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    page.until("document.getElementById('sent').textContent.startsWith('sent 321#CAFE')", T)
        .await
        .expect("the page says it sent the frame");
    page.screenshot("sent").await;
}
