//! The real `blankett serve` as a child process and a small cookie-keeping HTTP client, for the
//! tests that kill the server (durability, delivery).

// Each test crate uses its own part of this module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `blankett serve examples/orust --dev` on `port` with `data`, plus `extra` arguments; returns
/// once it accepts connections.
pub fn start(data: &std::path::Path, port: u16, extra: &[&std::ffi::OsStr]) -> Child {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut child = Command::new(env!("CARGO_BIN_EXE_blankett"))
        .args([
            "serve",
            &format!("{root}/examples/orust"),
            "--dev",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("--data")
        .arg(data)
        .args(extra)
        // Hundreds of citizens, all on loopback: one address, far over a real client's limit.
        .env("BLANKETT_SUBMIT_RATE_PER_ADDRESS_PER_MINUTE", "1000000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain the log so the server never blocks on a full pipe.
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || for _ in BufReader::new(err).lines() {});
    let deadline = Instant::now() + Duration::from_secs(60);
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

pub struct Browser {
    agent: ureq::Agent,
    base: String,
    cookie: Option<String>,
}

impl Browser {
    pub fn new(port: u16) -> Self {
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

    pub fn get(&mut self, path: &str) -> (u16, String) {
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

    /// A form POST that must be answered with a redirect; returns where to.
    pub fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Option<String> {
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
        assert_eq!(res.status().as_u16(), 303, "POST {path}");
        res.headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
    }
}

fn csrf(html: &str) -> String {
    let i = html.find("name=\"_csrf\"").expect("a CSRF token");
    let rest = &html[i..];
    let v = rest.find("value=\"").unwrap() + 7;
    rest[v..v + rest[v..].find('"').unwrap()].to_string()
}

/// One anonymous felanmälan through to its receipt; returns the receipt's URL.
pub fn submit_felanmalan(b: &mut Browser, n: usize) -> String {
    let (_, page) = b.get("/orust/felanmalan/felet");
    let t = csrf(&page);
    let text = format!("Hål nummer {n} i asfalten vid skolan.");
    b.post(
        "/orust/felanmalan/felet",
        &[("_csrf", &t), ("kategori", "gata"), ("beskrivning", &text)],
    );
    b.post(
        "/orust/felanmalan/plats",
        &[("_csrf", &t), ("platsbeskrivning", "Skolvägen")],
    );
    b.post(
        "/orust/felanmalan/aterkoppling",
        &[("_csrf", &t), ("vill_ha_aterkoppling", "false")],
    );
    b.post("/orust/felanmalan/kontrollera", &[("_csrf", &t)])
        .expect("a receipt")
}

/// `blankett.toml` for delivery over SHS to the test mailbox at `url`, retried without end and
/// soon (short lease, so the jobs a killed process had in flight are claimed again at once),
/// with no canary: for the tests that kill the server while it delivers.
pub fn shs_delivery_config(url: &str, workers: usize, backoff_cap_ms: u64) -> String {
    format!(
        r#"
[delivery]
workers = {workers}
attempt_limit = 100000
backoff_base_ms = 5
backoff_cap_ms = {backoff_cap_ms}
lease_seconds = 3
send_timeout_seconds = 2
poll_ms = 20
canary_interval_seconds = 0

[[delivery.targets]]
name = "diariet"
transport = "shs"
url = "{url}"
to_address = "urn:X-shs:2120001439"
"#
    )
}
