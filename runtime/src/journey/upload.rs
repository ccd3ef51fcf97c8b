//! Reading a POSTed page: URL-encoded, or multipart when it carries files. Files are checked
//! by what they contain (not by their name), limited in size, renamed safely and stored.

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::store::{Attachment, Draft};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use blankett_compiler::eval::{Answers, FieldError};
use blankett_compiler::ir::FieldType;
use blankett_compiler::ir::{Form, Text};
use sha2::{Digest, Sha256};

pub struct Posted {
    pub pairs: Vec<(String, String)>,
    pub csrf: Option<String>,
    /// Stored uploads as answers: `{name, size, type, id}`.
    pub files: Answers,
    /// Uploads refused (wrong type, too large), as errors on their fields.
    pub upload_errors: Vec<FieldError>,
}

pub async fn read_post(
    state: &AppState,
    form: &Form,
    page: usize,
    draft: &Draft,
    req: Request,
) -> Result<Posted> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut posted = Posted {
        pairs: Vec::new(),
        csrf: None,
        files: Answers::new(),
        upload_errors: Vec::new(),
    };
    if !is_multipart {
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| Error::body(e.status()))?;
        posted.pairs = crate::web::form_pairs(&body);
    } else {
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|e| Error::body(e.status()))?;
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return Err(Error::body(e.status())),
            };
            let name = field.name().unwrap_or("").to_string();
            let filename = field.file_name().map(str::to_string);
            let bytes = field.bytes().await.map_err(|e| Error::body(e.status()))?;
            match filename {
                Some(filename) => {
                    if bytes.is_empty() && filename.is_empty() {
                        continue;
                    }
                    store_file(
                        state,
                        form,
                        page,
                        draft,
                        &name,
                        &filename,
                        &bytes,
                        &mut posted,
                    )
                    .await?;
                }
                None => posted
                    .pairs
                    .push((name, String::from_utf8_lossy(&bytes).into_owned())),
            }
        }
    }
    posted.csrf = posted
        .pairs
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.clone());
    Ok(posted)
}

#[allow(clippy::too_many_arguments)]
async fn store_file(
    state: &AppState,
    form: &Form,
    page: usize,
    draft: &Draft,
    name: &str,
    filename: &str,
    bytes: &[u8],
    posted: &mut Posted,
) -> Result<()> {
    // Only file fields of this page take uploads; anything else is ignored, not stored.
    let base = blankett_compiler::eval::field_path(name);
    let Some(id) = form
        .field(&base)
        .filter(|&id| form.fields[id].kind == FieldType::File && form.fields[id].page == page)
    else {
        return Ok(());
    };
    let field = &form.fields[id];
    let mime = sniff(bytes);
    let clean = sanitize_filename(filename);
    let refuse = |message: Text| FieldError {
        field: id,
        path: name.to_string(),
        message,
    };
    if !field.accept.is_empty()
        && !field
            .accept
            .iter()
            .any(|a| blankett_compiler::eval::validate::accepts(a, mime))
    {
        let kinds = field
            .accept
            .iter()
            .map(|a| a.rsplit('/').next().unwrap_or(a).to_uppercase())
            .collect::<Vec<_>>()
            .join(", ");
        posted.upload_errors.push(refuse(Text::sv_en(
            format!("Filen ”{clean}” är inte en av de tillåtna filtyperna ({kinds}). Välj en annan fil."),
            format!("The file “{clean}” is not one of the allowed types ({kinds}). Choose another file."),
        )));
        return Ok(());
    }
    if let Some(max) = field.max_size.filter(|&m| bytes.len() as u64 > m) {
        posted.upload_errors.push(refuse(Text::sv_en(
            format!(
                "Filen ”{clean}” är för stor. Den får vara högst {} MB.",
                (max as f64 / 1e6).to_string().replace('.', ",")
            ),
            format!(
                "The file “{clean}” is too large. It can be at most {} MB.",
                max as f64 / 1e6
            ),
        )));
        return Ok(());
    }
    let att = Attachment {
        id: uuid::Uuid::new_v4().to_string(),
        owner: draft.owner.clone(),
        draft_id: draft.id.clone(),
        submission_id: None,
        field_path: name.to_string(),
        filename: clean.clone(),
        mime: mime.to_string(),
        size: bytes.len() as i64,
        sha256: hex::encode(Sha256::digest(bytes)),
        created_at: chrono::Utc::now(),
    };
    state.store.put_attachment(&att, bytes).await?;
    posted.files.insert(
        name.to_string(),
        serde_json::json!({"name": clean, "size": bytes.len(), "type": mime, "id": att.id}),
    );
    Ok(())
}

/// The type a file's bytes show it to be; what its name claims is not trusted.
pub fn sniff(bytes: &[u8]) -> &'static str {
    if let Some(t) = infer::get(bytes) {
        return t.mime_type();
    }
    if std::str::from_utf8(bytes).is_ok() {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

/// A file name safe to store and show: no folders, no control characters, at most 100
/// characters, the extension kept.
pub fn sanitize_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    let cleaned = if cleaned.chars().count() > 100 {
        let ext: String = cleaned
            .rsplit_once('.')
            .map(|(_, e)| e.chars().take(10).collect())
            .unwrap_or_default();
        let stem: String = cleaned.chars().take(100 - ext.len() - 1).collect();
        format!("{stem}.{ext}")
    } else {
        cleaned
    };
    if cleaned.is_empty() {
        "fil".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("C:\\Users\\x\\foto.jpg"), "foto.jpg");
        assert_eq!(sanitize_filename("a\u{0}b<script>.png"), "abscript.png");
        assert_eq!(sanitize_filename(".."), "fil");
        assert_eq!(
            sanitize_filename(&format!("{}.pdf", "x".repeat(300)))
                .chars()
                .count(),
            100
        );
    }

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), "image/jpeg");
        assert_eq!(sniff(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(sniff(b"<html>not a photo</html>"), "text/html");
        assert_eq!(sniff(b"just words"), "text/plain");
    }
}
