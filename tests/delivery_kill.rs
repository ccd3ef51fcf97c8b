//! Delivery survives the process dying: 1,000 submissions made through the journey while the
//! receiver refuses connections, the server SIGKILLed in the middle of delivering them,
//! restarted on the same data; the receiver ends with each submission's tx id exactly once.

use blankett_runtime::outbox::receiver::{Mode, Receiver};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SUBMISSIONS: usize = 1000;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data: &std::path::Path, config: &std::path::Path, port: u16) -> Child {
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
        .arg("--config")
        .arg(config)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
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

    fn get(&mut self, path: &str) -> String {
        let mut req = self.agent.get(&format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let mut res = req.call().unwrap();
        self.remember(&res);
        res.body_mut().read_to_string().unwrap()
    }

    fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Option<String> {
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

/// One anonymous felanmälan; returns the submission id (the last part of the receipt URL).
fn submit_one(port: u16, n: usize) -> String {
    let mut b = Browser::new(port);
    let page = b.get("/orust/felanmalan/felet");
    let i = page.find("name=\"_csrf\"").expect("a CSRF token");
    let v = page[i..].find("value=\"").unwrap() + i + 7;
    let t = page[v..v + page[v..].find('"').unwrap()].to_string();
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
    let receipt = b
        .post("/orust/felanmalan/kontrollera", &[("_csrf", &t)])
        .expect("a receipt");
    receipt.rsplit('/').next().unwrap().to_string()
}

fn delivered(port: u16) -> usize {
    let mut b = Browser::new(port);
    let metrics = b.get("/metrics");
    metrics
        .lines()
        .find_map(|l| {
            l.strip_prefix("blankett_delivery_jobs{target=\"diariet\",state=\"delivered\"} ")
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn deliveries_survive_sigkill_exactly_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let receiver = rt.block_on(Receiver::start()).unwrap();
    rt.block_on(receiver.set_mode(Mode::Refuse)).unwrap();
    let data = std::env::temp_dir().join(format!("blankett-outbox-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let config = data.join("blankett.toml");
    // A short lease: the jobs the killed process had in flight are claimed again soon.
    std::fs::write(
        &config,
        format!(
            r#"
[delivery]
workers = 4
attempt_limit = 100000
backoff_base_ms = 5
backoff_cap_ms = 200
lease_seconds = 3
send_timeout_seconds = 2
poll_ms = 20
canary_interval_seconds = 0

[[delivery.targets]]
name = "diariet"
transport = "http"
url = "{}"
to_address = "urn:X-shs:2120001439"
"#,
            receiver.url()
        ),
    )
    .unwrap();
    let port = free_port();
    let mut server = start(&data, &config, port);

    // Four citizens at a time, while the receiver refuses every connection.
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|w| {
                s.spawn(move || {
                    (w..SUBMISSIONS)
                        .step_by(4)
                        .map(|n| submit_one(port, n))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(ids.len(), SUBMISSIONS);

    // The receiver recovers; the server is killed as soon as deliveries are under way.
    rt.block_on(receiver.set_mode(Mode::Accept)).unwrap();
    while receiver.accepted_count() < 100 {
        std::thread::sleep(Duration::from_millis(1));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let at_kill = receiver.accepted_count();

    let mut server = start(&data, &config, port);
    let deadline = Instant::now() + Duration::from_secs(600);
    while delivered(port) < SUBMISSIONS {
        assert!(
            Instant::now() < deadline,
            "deliveries stopped after the restart"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    eprintln!(
        "accepted {at_kill} before the kill; receiver: {} posts, {} duplicates dropped",
        receiver.posts(),
        receiver.duplicates()
    );

    let store = rt
        .block_on(blankett_runtime::store::open(
            data.join("blankett.db").to_str().unwrap(),
        ))
        .unwrap();
    let mut expected = BTreeSet::new();
    for id in &ids {
        let jobs = rt.block_on(store.delivery_jobs_of(id)).unwrap();
        assert_eq!(jobs.len(), 1, "one job per submission");
        assert_eq!(jobs[0].state, "delivered");
        assert!(expected.insert(jobs[0].tx_id.clone()));
        let s = rt.block_on(store.submission(id)).unwrap().unwrap();
        assert_eq!(s.status, "levererad");
    }
    let accepted: BTreeSet<String> = receiver.accepted().into_iter().collect();
    assert_eq!(
        accepted, expected,
        "the receiver has each submission's tx id once, and no other"
    );
    let _ = std::fs::remove_dir_all(&data);
}
