//! Just enough `multipart/form-data` parsing for httpbin's `form` and `files`.

/// `(name, value)` pairs, in order.
pub(crate) type Pairs = Vec<(String, String)>;

/// Splits a multipart body into its text fields and its files (file contents as text, as
/// httpbin shows them).
pub(crate) fn parse(content_type: &str, body: &[u8]) -> (Pairs, Pairs) {
    let mut fields = Vec::new();
    let mut files = Vec::new();
    let Some(boundary) = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
    else {
        return (fields, files);
    };
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let content = content.strip_suffix("\r\n").unwrap_or(content).to_owned();
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .unwrap_or("");
        let name = param(disposition, "name").unwrap_or_default();
        if param(disposition, "filename").is_some() {
            files.push((name, content));
        } else {
            fields.push((name, content));
        }
    }
    (fields, files)
}

fn param(header: &str, key: &str) -> Option<String> {
    header.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim().trim_matches('"').to_owned())
    })
}
