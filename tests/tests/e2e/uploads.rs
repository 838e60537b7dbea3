//! Streaming uploads: files read as the body is sent, streams of chunks, and upload
//! progress.

use std::sync::{Arc, Mutex};

use grequests::multipart::{Form, Part};

use crate::support::{client, json, server};

fn temp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("grequests-{}-{name}", std::process::id()));
    std::fs::write(&path, content).unwrap();
    path
}

#[tokio::test]
async fn a_file_part_is_streamed_with_its_length() {
    let server = server().await;
    let content: Vec<u8> = (0..512 * 1024).map(|i| b'a' + (i % 26) as u8).collect();
    let path = temp_file("upload.txt", &content);
    let sent = Arc::new(Mutex::new(Vec::new()));
    let log = sent.clone();
    let response = client()
        .post(server.url("/post"))
        .multipart(
            Form::new()
                .text("kind", "log")
                .part("file", Part::file(&path)),
        )
        .on_upload_progress(move |done, total| log.lock().unwrap().push((done, total)))
        .send()
        .await
        .unwrap();
    let echo = json(&response);
    assert_eq!(
        echo["files"]["file"].as_str().map(str::len),
        Some(content.len())
    );
    assert_eq!(echo["form"]["kind"], "log");
    let length: u64 = echo["headers"]["Content-Length"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(length > content.len() as u64, "{length}");
    assert!(echo["headers"].get("Transfer-Encoding").is_none());
    // Read and sent in chunks, counting up to the whole body.
    let sent = sent.lock().unwrap().clone();
    assert!(sent.len() > 4, "{} progress reports", sent.len());
    assert!(sent.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(sent.last(), Some(&(length, Some(length))));
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn a_file_is_read_when_the_request_is_sent_not_before() {
    let server = server().await;
    let path = temp_file("gone.txt", b"soon gone");
    let request = client()
        .post(server.url("/post"))
        .multipart(Form::new().file("file", &path));
    std::fs::remove_file(&path).unwrap();
    let err = request.send().await.unwrap_err();
    assert!(err.is_body() || err.is_request(), "{err}");
}

#[tokio::test]
async fn a_stream_part_without_a_length_is_sent_chunked() {
    let server = server().await;
    let chunks =
        futures_util::stream::iter(["first,", "second,", "third"].map(Ok::<_, std::io::Error>));
    let echo = json(
        &client()
            .post(server.url("/post"))
            .multipart(Form::new().part("data", Part::stream(chunks, None).file_name("d.csv")))
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(echo["files"]["data"], "first,second,third");
    assert_eq!(echo["headers"]["Transfer-Encoding"], "chunked", "{echo}");
}

#[tokio::test]
async fn upload_progress_reports_a_buffered_body_once() {
    let server = server().await;
    let sent = Arc::new(Mutex::new(Vec::new()));
    let log = sent.clone();
    client()
        .post(server.url("/post"))
        .data(vec![7u8; 100_000])
        .on_upload_progress(move |done, total| log.lock().unwrap().push((done, total)))
        .send()
        .await
        .unwrap();
    assert_eq!(*sent.lock().unwrap(), [(100_000, Some(100_000))]);
}
