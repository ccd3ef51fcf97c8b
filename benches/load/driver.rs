//! The load driver of `benches/load/run.sh`: drives a running `blankett serve` on loopback with
//! whole journeys of felanmälan, over keep-alive HTTP/1.1 connections, and prints throughput and
//! latency. A benchmark, not a test: it asserts nothing; it counts what went wrong.
//!
//! ```text
//! cargo bench --bench load -- render --addr 127.0.0.1:8088 --connections 64 --seconds 10
//! cargo bench --bench load -- submit --addr 127.0.0.1:8088 --connections 64 --sessions 4000
//! cargo bench --bench load -- submit --addr 127.0.0.1:8088 --connections 64 --sessions 4000 --rate 1000
//! ```
//!
//! `render`: one session per connection, each with a draft that has the first page answered;
//! then every connection GETs the first question page (`/orust/felanmalan/felet`, the session
//! cookie sent) as fast as the server answers, for the given time.
//!
//! `submit`: first makes `--sessions` sessions with complete drafts (the start page, then a POST of
//! each question page, as a browser without JavaScript does), none submitted. Then it fires the
//! final POST of the check page (`/orust/felanmalan/kontrollera`) for every draft, over
//! `--connections` connections at once, and times each POST until its `303` to the receipt:
//! the server answers that only after the submission's transaction is committed (SQLite WAL,
//! `synchronous=FULL`).
//!
//! Requests go only to the address given, which must be a loopback address; both phases stop
//! after their count or their time limit, whichever comes first.

// A benchmark has no caller to hand an error to: a broken setup should stop it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const BASE: &str = "/orust/felanmalan";

struct Resp {
    status: u16,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
}

/// One keep-alive HTTP/1.1 connection; reconnects when the server has closed it.
struct Conn {
    addr: SocketAddr,
    io: Option<BufReader<TcpStream>>,
}

impl Conn {
    fn new(addr: SocketAddr) -> Self {
        Conn { addr, io: None }
    }

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
    ) -> std::io::Result<Resp> {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: blankett-load\r\n",
            self.addr
        );
        if let Some(c) = cookie {
            req.push_str(&format!("Cookie: blankett_session={c}\r\n"));
        }
        if let Some(b) = form {
            req.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{b}",
                b.len()
            ));
        } else {
            req.push_str("\r\n");
        }
        for attempt in 0..2 {
            if self.io.is_none() {
                let s = TcpStream::connect(self.addr).await?;
                s.set_nodelay(true)?;
                self.io = Some(BufReader::with_capacity(64 * 1024, s));
            }
            match self.exchange(req.as_bytes()).await {
                Ok(r) => return Ok(r),
                Err(e) if attempt == 0 => {
                    // A closed keep-alive connection: once more on a new one.
                    let _ = e;
                    self.io = None;
                }
                Err(e) => {
                    self.io = None;
                    return Err(e);
                }
            }
        }
        unreachable!()
    }

    async fn exchange(&mut self, req: &[u8]) -> std::io::Result<Resp> {
        let io = self.io.as_mut().expect("connected");
        io.get_mut().write_all(req).await?;
        let mut line = String::new();
        if io.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed",
            ));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let (mut len, mut chunked, mut location, mut cookie, mut close) =
            (0usize, false, None, None, false);
        loop {
            line.clear();
            if io.read_line(&mut line).await? == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "closed in headers",
                ));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            let v = v.trim();
            match k.to_ascii_lowercase().as_str() {
                "content-length" => len = v.parse().unwrap_or(0),
                "transfer-encoding" => chunked = v.eq_ignore_ascii_case("chunked"),
                "location" => location = Some(v.to_string()),
                "connection" => close = v.eq_ignore_ascii_case("close"),
                "set-cookie" => {
                    if let Some(rest) = v.strip_prefix("blankett_session=") {
                        cookie = Some(rest.split(';').next().unwrap_or("").to_string());
                    }
                }
                _ => {}
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                io.read_line(&mut line).await?;
                let n = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0u8; n + 2];
                io.read_exact(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        } else {
            body.resize(len, 0);
            io.read_exact(&mut body).await?;
        }
        if close {
            self.io = None;
        }
        Ok(Resp {
            status,
            location,
            cookie,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

fn csrf_of(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\"")?;
    let rest = &html[i..];
    let v = rest.find("value=\"")? + 7;
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

/// POSTs one question page; the answer must be a `303` to the next step.
async fn post(c: &mut Conn, cookie: &str, page: &str, body: String) -> Result<String, String> {
    let r = c
        .request("POST", &format!("{BASE}/{page}"), Some(cookie), Some(&body))
        .await
        .map_err(|e| e.to_string())?;
    if r.status != 303 {
        return Err(format!(
            "POST {page}: status {} {}",
            r.status,
            r.body.chars().take(200).collect::<String>()
        ));
    }
    Ok(r.location.unwrap_or_default())
}

/// A session with a draft: the first page answered; with `complete`, every page.
async fn prepare(c: &mut Conn, complete: bool) -> Result<(String, String), String> {
    let r = c
        .request("GET", &format!("{BASE}/felet"), None, None)
        .await
        .map_err(|e| e.to_string())?;
    let cookie = r
        .cookie
        .ok_or_else(|| format!("no session cookie (status {})", r.status))?;
    let csrf = csrf_of(&r.body).ok_or("no CSRF token on the page")?;
    post(
        c,
        &cookie,
        "felet",
        format!(
            "_csrf={csrf}&kategori=gata&beskrivning=Stort+h%C3%A5l+i+asfalten+mitt+i+cykelbanan."
        ),
    )
    .await?;
    if complete {
        post(
            c,
            &cookie,
            "plats",
            format!("_csrf={csrf}&platsbeskrivning=Strandv%C3%A4gen+vid+bussh%C3%A5llplatsen"),
        )
        .await?;
        let to = post(
            c,
            &cookie,
            "aterkoppling",
            format!("_csrf={csrf}&vill_ha_aterkoppling=false"),
        )
        .await?;
        if !to.ends_with("/kontrollera") {
            return Err(format!("the draft is not complete: sent to {to}"));
        }
    }
    Ok((cookie, csrf))
}

struct Stats {
    latencies_us: Vec<u64>,
    errors: usize,
    elapsed: f64,
}

fn print_stats(what: &str, s: &mut Stats, connections: usize) -> serde_json::Value {
    s.latencies_us.sort_unstable();
    let n = s.latencies_us.len();
    let pct = |p: f64| {
        if n == 0 {
            0.0
        } else {
            s.latencies_us[((n as f64 * p).ceil() as usize).clamp(1, n) - 1] as f64 / 1e3
        }
    };
    let rate = n as f64 / s.elapsed;
    println!(
        "{what}: {n} ok, {} errors in {:.2} s over {connections} connections: {rate:.0}/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        s.errors,
        s.elapsed,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
    serde_json::json!({"what": what, "ok": n, "errors": s.errors, "seconds": s.elapsed, "per_second": rate,
        "p50_ms": pct(0.5), "p90_ms": pct(0.9), "p99_ms": pct(0.99), "max_ms": pct(1.0), "connections": connections})
}

/// Runs `make` over `count` jobs on `connections` connections; each job's time is recorded.
async fn prepare_many(
    addr: SocketAddr,
    count: usize,
    connections: usize,
    complete: bool,
    deadline: Instant,
) -> Vec<(String, String)> {
    let next = Arc::new(AtomicUsize::new(0));
    let out = Arc::new(Mutex::new(Vec::with_capacity(count)));
    let mut tasks = Vec::new();
    for _ in 0..connections.min(count) {
        let (next, out) = (next.clone(), out.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::new(addr);
            while next.fetch_add(1, Ordering::Relaxed) < count && Instant::now() < deadline {
                match prepare(&mut c, complete).await {
                    Ok(s) => out.lock().unwrap().push(s),
                    Err(e) => eprintln!("preparing a draft failed: {e}"),
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    Arc::try_unwrap(out)
        .map(|m| m.into_inner().unwrap())
        .unwrap_or_default()
}

async fn render(addr: SocketAddr, connections: usize, seconds: f64) -> serde_json::Value {
    let sessions = prepare_many(
        addr,
        connections,
        connections,
        false,
        Instant::now() + Duration::from_secs(60),
    )
    .await;
    println!(
        "render: {} sessions with a draft; GET {BASE}/felet for {seconds} s",
        sessions.len()
    );
    let stop = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (cookie, _) in sessions.clone() {
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::new(addr);
            let (mut lat, mut errors) = (Vec::with_capacity(100_000), 0usize);
            while Instant::now() < stop {
                let t = Instant::now();
                match c
                    .request("GET", &format!("{BASE}/felet"), Some(&cookie), None)
                    .await
                {
                    Ok(r) if r.status == 200 && r.body.contains("</html>") => {
                        lat.push(t.elapsed().as_micros() as u64)
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut s = Stats {
        latencies_us: Vec::new(),
        errors: 0,
        elapsed: 0.0,
    };
    for t in tasks {
        if let Ok((l, e)) = t.await {
            s.latencies_us.extend(l);
            s.errors += e;
        }
    }
    s.elapsed = started.elapsed().as_secs_f64();
    print_stats(
        "page renders (GET question page, session cookie)",
        &mut s,
        sessions.len(),
    )
}

/// `rate`: open loop, the i-th POST sent at `i / rate` seconds (or as soon as a connection is
/// free after that), its latency counted from that moment, so a server that falls behind shows
/// it in the latency and not only in a lower rate. Without: closed loop, each connection sends
/// its next POST when the last is answered (the most the server does, at that concurrency).
async fn submit(
    addr: SocketAddr,
    connections: usize,
    count: usize,
    seconds: f64,
    rate: Option<f64>,
) -> serde_json::Value {
    let t = Instant::now();
    let drafts = prepare_many(
        addr,
        count,
        connections,
        true,
        Instant::now() + Duration::from_secs(300),
    )
    .await;
    println!(
        "submit: {} complete drafts made in {:.1} s ({} requests); now POST {BASE}/kontrollera for each",
        drafts.len(),
        t.elapsed().as_secs_f64(),
        drafts.len() * 4
    );
    let drafts = Arc::new(drafts);
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections.min(drafts.len()) {
        let (drafts, next) = (drafts.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::new(addr);
            let (mut lat, mut errors) = (Vec::new(), 0usize);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= drafts.len() || Instant::now() >= stop {
                    break;
                }
                let (cookie, csrf) = &drafts[i];
                let t = match rate {
                    Some(r) => {
                        let at = started + Duration::from_secs_f64(i as f64 / r);
                        tokio::time::sleep_until(at.into()).await;
                        at
                    }
                    None => Instant::now(),
                };
                match c
                    .request(
                        "POST",
                        &format!("{BASE}/kontrollera"),
                        Some(cookie),
                        Some(&format!("_csrf={csrf}")),
                    )
                    .await
                {
                    Ok(r)
                        if r.status == 303
                            && r.location
                                .as_deref()
                                .is_some_and(|l| l.contains("/kvitto/")) =>
                    {
                        lat.push(t.elapsed().as_micros() as u64)
                    }
                    Ok(r) => {
                        if errors < 3 {
                            eprintln!("submit: status {} location {:?}", r.status, r.location);
                        }
                        errors += 1
                    }
                    Err(e) => {
                        if errors < 3 {
                            eprintln!("submit: {e}");
                        }
                        errors += 1
                    }
                }
            }
            (lat, errors)
        }));
    }
    let mut s = Stats {
        latencies_us: Vec::new(),
        errors: 0,
        elapsed: 0.0,
    };
    for t in tasks {
        if let Ok((l, e)) = t.await {
            s.latencies_us.extend(l);
            s.errors += e;
        }
    }
    s.elapsed = started.elapsed().as_secs_f64();
    let what = match rate {
        Some(r) => {
            format!("durable submissions offered at {r:.0}/s (POST check page → 303 receipt)")
        }
        None => "durable submissions, closed loop (POST check page → 303 receipt)".to_string(),
    };
    let mut j = print_stats(&what, &mut s, connections.min(drafts.len()));
    j["offered_per_second"] = serde_json::json!(rate);
    j
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let (mut mode, mut addr, mut connections, mut seconds, mut sessions, mut rate) =
        (None, None, 64usize, 10.0f64, 4000usize, None);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--addr" => addr = args.next(),
            "--connections" => {
                connections = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(connections)
            }
            "--seconds" => seconds = args.next().and_then(|v| v.parse().ok()).unwrap_or(seconds),
            "--sessions" => sessions = args.next().and_then(|v| v.parse().ok()).unwrap_or(sessions),
            "--rate" => {
                rate = args
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|r| *r > 0.0)
            }
            "render" | "submit" => mode = Some(a.clone()),
            _ => {}
        }
    }
    let (Some(mode), Some(addr)) = (mode, addr) else {
        println!("the load driver needs a running server: see benches/load/run.sh");
        return;
    };
    let addr: SocketAddr = match addr.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("--addr {addr}: {e}");
            std::process::exit(2);
        }
    };
    if !addr.ip().is_loopback() {
        eprintln!("--addr must be a loopback address; this driver sends load only to this machine");
        std::process::exit(2);
    }
    // One thread: the driver takes at most one of the machine's cores from the server.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let result = rt.block_on(async {
        match mode.as_str() {
            "render" => render(addr, connections, seconds).await,
            _ => submit(addr, connections, sessions, seconds, rate).await,
        }
    });
    println!("{result}");
}
