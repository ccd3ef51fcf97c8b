//! A citizen submitting felanmälan with a photo over real HTTP, where any step may fail because
//! the server is being killed or its disk is full: every failure is `None` and nothing was
//! promised. For the crash campaign and the disk-full test.

use sha2::{Digest, Sha256};
use std::time::Duration;

/// What a citizen was told: the receipt's submission id and the photo they sent.
pub struct Receipt {
    pub id: String,
    pub photo: Vec<u8>,
}

impl Receipt {
    /// What the citizen was told is kept: the submission, and its one photo byte for byte.
    pub fn assert_kept(
        &self,
        rt: &tokio::runtime::Runtime,
        store: &blankett_runtime::store::DynStore,
    ) {
        let id = &self.id;
        let s = rt.block_on(store.submission(id)).unwrap();
        assert!(s.is_some(), "receipt {id} has no submission");
        let files = rt.block_on(store.attachments_of_submission(id)).unwrap();
        assert_eq!(files.len(), 1, "receipt {id}: {files:?}");
        let (_, bytes) = rt
            .block_on(store.attachment(&files[0].id))
            .unwrap()
            .unwrap();
        assert_eq!(bytes, self.photo, "receipt {id}: the photo changed");
        assert_eq!(files[0].sha256, hex::encode(Sha256::digest(&self.photo)));
    }
}

/// A PNG whose bytes are unique to `n` (the data after IEND is ignored by viewers, kept by us).
pub fn photo(n: u64) -> Vec<u8> {
    let mut png = include_bytes!("../fixtures/pixel.png").to_vec();
    png.extend_from_slice(format!("blankett crash campaign photo {n}").as_bytes());
    png
}

/// One citizen's HTTP, where any step may fail because the server is being killed: every
/// failure is `None`, and the citizen starts over (they were told nothing).
pub struct Citizen {
    agent: ureq::Agent,
    base: String,
    cookie: Option<String>,
    /// The status and page of the last answer that was not the expected one (none: no answer).
    pub refused: Option<(u16, String)>,
}

impl Citizen {
    pub fn new(port: u16) -> Self {
        let agent = ureq::Agent::new_with_config(
            ureq::config::Config::builder()
                .max_redirects(0)
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(20)))
                .build(),
        );
        Citizen {
            agent,
            base: format!("http://127.0.0.1:{port}"),
            cookie: None,
            refused: None,
        }
    }

    fn remember(&mut self, res: &ureq::http::Response<ureq::Body>) {
        for v in res.headers().get_all("set-cookie") {
            let Ok(v) = v.to_str() else { continue };
            let pair = v.split(';').next().unwrap_or_default();
            if pair.starts_with("blankett_session=") {
                self.cookie = Some(pair.to_string());
            }
        }
    }

    pub fn get(&mut self, path: &str) -> Option<String> {
        let mut req = self.agent.get(&format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let mut res = req.call().ok()?;
        self.remember(&res);
        let body = res.body_mut().read_to_string().unwrap_or_default();
        if res.status().as_u16() != 200 {
            self.refused = Some((res.status().as_u16(), body));
            return None;
        }
        Some(body)
    }

    /// A POST answered with a redirect; returns where to.
    pub fn post(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Option<String> {
        let mut req = self
            .agent
            .post(&format!("{}{path}", self.base))
            .header("content-type", content_type);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let mut res = req.send(&body[..]).ok()?;
        self.remember(&res);
        if res.status().as_u16() != 303 {
            let page = res.body_mut().read_to_string().unwrap_or_default();
            self.refused = Some((res.status().as_u16(), page));
            return None;
        }
        Some(res.headers().get("location")?.to_str().ok()?.to_string())
    }

    fn form(&mut self, path: &str, pairs: &[(&str, &str)]) -> Option<String> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.post(path, "application/x-www-form-urlencoded", body.into_bytes())
    }

    /// The first page with the photo as a multipart upload, as a browser sends it.
    fn first_page(&mut self, csrf: &str, n: u64, photo: &[u8]) -> Option<String> {
        let boundary = format!("----blankett{n:016x}");
        let mut body = Vec::new();
        for (name, value) in [
            ("_csrf", csrf.to_string()),
            ("kategori", "gata".to_string()),
            ("beskrivning", format!("Hål nummer {n} i asfalten.")),
        ] {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"foto\"; filename=\"hal-{n}.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(photo);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post(
            "/orust/felanmalan/felet",
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        )
    }

    /// One anonymous felanmälan with a photo, through to its receipt.
    pub fn submit(&mut self, n: u64) -> Option<Receipt> {
        let page = self.get("/orust/felanmalan/felet")?;
        let csrf = csrf_of(&page)?;
        let photo = photo(n);
        self.first_page(&csrf, n, &photo)?;
        self.form(
            "/orust/felanmalan/plats",
            &[("_csrf", &csrf), ("platsbeskrivning", "Skolvägen")],
        )?;
        self.form(
            "/orust/felanmalan/aterkoppling",
            &[("_csrf", &csrf), ("vill_ha_aterkoppling", "false")],
        )?;
        let receipt = self.form("/orust/felanmalan/kontrollera", &[("_csrf", &csrf)])?;
        receipt.contains("/kvitto/").then_some(())?;
        Some(Receipt {
            id: receipt.rsplit('/').next()?.to_string(),
            photo,
        })
    }
}

pub fn csrf_of(html: &str) -> Option<String> {
    let rest = &html[html.find("name=\"_csrf\"")?..];
    let v = rest.find("value=\"")? + 7;
    Some(rest[v..v + rest[v..].find('"')?].to_string())
}
