//! Reading a POSTed page: URL-encoded, or multipart when it carries files. Files are checked
//! by what they contain (not by their name), limited in size and number, renamed safely and
//! stored; only a part that is stored here becomes a file (`Posted::uploads`), whatever text a
//! POST carries under a file field's name.

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::{Attachment, Draft};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use blankett_compiler::eval::FieldError;
use blankett_compiler::ir::FieldType;
use blankett_compiler::ir::{Form, Text};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// No draft holds more uploads than this, nor more bytes in all: an anonymous form is open to
/// anyone, and its uploads must not fill the store. (Uploads the answers no longer name are
/// deleted on every save, so this bounds what a draft holds, not what it ever held.)
pub const MAX_DRAFT_FILES: usize = 100;
pub const MAX_DRAFT_BYTES: u64 = 500_000_000;

/// The longest file name a case system takes, in bytes.
pub const MAX_NAME_BYTES: usize = 255;

pub struct Posted {
    pub pairs: Vec<(String, String)>,
    pub csrf: Option<String>,
    /// Files stored from this POST: the input's name (`bilagor[0].fil`) and the upload's id.
    pub uploads: Vec<(String, String)>,
    /// Uploads refused (wrong type, too large, too many, a name too long), one per input.
    pub upload_errors: Vec<FieldError>,
}

/// Reads a page's POST. A file is stored only after the page's CSRF token has come (the pages
/// send it first), so another site's POST stores nothing.
pub async fn read_post(
    state: &AppState,
    form: &Form,
    page: usize,
    draft: &Draft,
    session: &Session,
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
        uploads: Vec::new(),
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
        let held = state.store.attachments_of_draft(&draft.id).await?;
        let mut budget = Budget {
            files: held.len(),
            bytes: held
                .iter()
                .map(|a| u64::try_from(a.size).unwrap_or(0))
                .sum(),
            per_input: HashMap::new(),
        };
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
                    let token = posted.pairs.iter().find(|(k, _)| k == "_csrf");
                    if !crate::session::csrf_ok(session, token.map(|(_, v)| v.as_str())) {
                        return Err(Error::Csrf);
                    }
                    let upload = Upload {
                        name: &name,
                        filename: &filename,
                        bytes: &bytes,
                    };
                    store_file(state, form, page, draft, upload, &mut budget, &mut posted).await?;
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

/// One file part of a POST.
struct Upload<'a> {
    /// The input's name: the field's instance path.
    name: &'a str,
    filename: &'a str,
    bytes: &'a [u8],
}

/// What the draft holds and this POST has added to each input so far.
struct Budget {
    files: usize,
    bytes: u64,
    per_input: HashMap<String, usize>,
}

async fn store_file(
    state: &AppState,
    form: &Form,
    page: usize,
    draft: &Draft,
    upload: Upload<'_>,
    budget: &mut Budget,
    posted: &mut Posted,
) -> Result<()> {
    let Upload {
        name,
        filename,
        bytes,
    } = upload;
    // Only file fields of this page take uploads; anything else is ignored, not stored.
    let base = blankett_compiler::eval::field_path(name);
    let Some(id) = form
        .field(&base)
        .filter(|&id| form.fields[id].kind == FieldType::File && form.fields[id].page == page)
    else {
        return Ok(());
    };
    // One error per input: after the first refusal, its further parts are not read into files.
    if posted.upload_errors.iter().any(|e| e.path == name) {
        return Ok(());
    }
    let field = &form.fields[id];
    let mime = sniff(bytes);
    let clean = sanitize_filename(filename);
    let refuse = |message: Text| FieldError {
        field: id,
        path: name.to_string(),
        message,
    };
    let sent = budget.per_input.entry(name.to_string()).or_default();
    if *sent >= field.max_files.max(1) as usize {
        posted.upload_errors.push(too_many(form, id, name));
        return Ok(());
    }
    if clean_name(filename).len() > MAX_NAME_BYTES {
        posted.upload_errors.push(refuse(Text::sv_en(
            format!("Filnamnet är för långt. Det får vara högst {MAX_NAME_BYTES} tecken (å, ä och ö räknas som två). Byt namn på filen och välj den igen."),
            format!("The file name is too long. It can be at most {MAX_NAME_BYTES} characters (letters such as å, ä and ö count as two). Rename the file and choose it again."),
        )));
        return Ok(());
    }
    if budget.files >= MAX_DRAFT_FILES || budget.bytes + bytes.len() as u64 > MAX_DRAFT_BYTES {
        posted.upload_errors.push(refuse(Text::sv_en(
            "Du har laddat upp så många filer att inga fler får plats. Ta bort filer du inte behöver och försök igen.",
            "You have uploaded so many files that no more fit. Remove files you do not need and try again.",
        )));
        return Ok(());
    }
    if !field.accept.is_empty()
        && !field
            .accept
            .iter()
            .any(|a| blankett_compiler::eval::validate::accepts(a, mime))
    {
        let kinds = blankett_compiler::eval::validate::accept_kinds(field);
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
    *sent += 1;
    budget.files += 1;
    budget.bytes += bytes.len() as u64;
    posted.uploads.push((name.to_string(), att.id));
    Ok(())
}

/// The refusal of a file more than its field takes.
fn too_many(form: &Form, field: blankett_compiler::ir::FieldId, name: &str) -> FieldError {
    let f = &form.fields[field];
    let max = f.max_files.max(1);
    let (sv, en) = (f.label.get("sv"), f.label.get("en"));
    let (files_sv, files_en) = if max == 1 {
        ("1 fil".to_string(), "1 file".to_string())
    } else {
        (format!("{max} filer"), format!("{max} files"))
    };
    FieldError {
        field,
        path: name.to_string(),
        message: Text::sv_en(
            format!("Du kan ladda upp högst {files_sv} för ”{sv}”. Ta bort en fil innan du lägger till en ny."),
            format!("You can upload at most {files_en} for “{en}”. Remove a file before you add another."),
        ),
    }
}

/// The page's pairs with this POST's uploads among them: each new upload's id under its
/// input's name, after the ids of the files the page keeps (its hidden inputs). A field of one
/// file takes the new upload instead of the kept one; a field of several takes new ones up to
/// `max_files`, and refuses the rest (they are not named, so they are deleted with the save).
pub fn with_uploads(form: &Form, posted: Posted) -> (Vec<(String, String)>, Vec<FieldError>) {
    let Posted {
        mut pairs,
        uploads,
        upload_errors: mut errors,
        ..
    } = posted;
    for (name, id) in uploads {
        let Some(field) = form.field(&blankett_compiler::eval::field_path(&name)) else {
            continue;
        };
        let max = form.fields[field].max_files.max(1) as usize;
        if max == 1 {
            pairs.retain(|(k, _)| *k != name);
        } else if pairs
            .iter()
            .filter(|(k, v)| *k == name && !v.is_empty())
            .count()
            >= max
        {
            if !errors.iter().any(|e| e.path == name) {
                errors.push(too_many(form, field, &name));
            }
            continue;
        }
        pairs.push((name, id));
    }
    (pairs, errors)
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

/// A file name safe to store and show: no folders, no control characters, no characters that
/// turn text around (`\u{202e}gpj.exe` is shown as "exe.jpg"), at most 100 characters, the
/// extension kept. A name longer than [`MAX_NAME_BYTES`] is refused before this shortens it.
pub fn sanitize_filename(name: &str) -> String {
    let cleaned = clean_name(name);
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

/// A name without folders and the characters a name must not hold, not yet shortened.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| {
            !c.is_control()
                && !is_bidi_control(*c)
                && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')
        })
        .collect();
    cleaned.trim().trim_start_matches('.').to_string()
}

/// The characters that change the direction text is shown in (Unicode's bidirectional
/// controls and marks), and the zero-width ones that hide in a name.
fn is_bidi_control(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
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
        // Shown as "exe.jpg" if kept; stored as what it is.
        assert_eq!(sanitize_filename("foto\u{202e}gpj.exe"), "fotogpj.exe");
        assert_eq!(
            sanitize_filename("../../etc/<b>passwd</b>\u{202e}fdp.exe.pdf"),
            "bfdp.exe.pdf"
        );
        assert_eq!(sanitize_filename("a\u{2067}b\u{200f}.pdf"), "ab.pdf");
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
