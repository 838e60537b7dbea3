//! `--resume`: the indexes an earlier run already wrote, read back from its output, and
//! the repair of a line a crash cut short.
//!
//! Records are written whole, the lines of fetches that ended together in one `write`, so
//! a crash (even SIGKILL) leaves at most one partial line, at the end. Resuming cuts the
//! file back to its last newline, and cuts the WARC file back to where the last kept
//! record's WARC records end:
//! WARC records are written before their JSONL line, so anything past that offset belongs
//! to a request whose line never made it, and which is fetched again.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom};
use std::path::Path;

use serde::Deserialize;

/// The indexes done, as a bit set: a 10-million-line list takes 1.25 MB.
#[derive(Debug, Default)]
pub struct Done {
    bits: Vec<u64>,
    count: u64,
}

impl Done {
    pub fn insert(&mut self, index: u64) {
        let (word, bit) = ((index / 64) as usize, index % 64);
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        if self.bits[word] & (1 << bit) == 0 {
            self.bits[word] |= 1 << bit;
            self.count += 1;
        }
    }

    pub fn contains(&self, index: u64) -> bool {
        let (word, bit) = ((index / 64) as usize, index % 64);
        self.bits.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    /// How many indexes are done.
    pub fn len(&self) -> u64 {
        self.count
    }
}

/// What resuming found.
#[derive(Debug, Default)]
pub struct Resumed {
    pub done: Done,
    /// Where the WARC file's kept records end.
    pub warc_end: u64,
}

/// The fields of a record that resuming reads.
#[derive(Deserialize)]
struct Kept {
    index: u64,
    #[serde(default)]
    warc: Option<WarcSpan>,
}

#[derive(Deserialize)]
struct WarcSpan {
    offset: u64,
    length: u64,
}

/// Reads the records of `output` (which may not exist yet), cutting a partial last line
/// off the file.
pub fn read(output: &Path) -> io::Result<Resumed> {
    let mut resumed = Resumed::default();
    let file = match OpenOptions::new().read(true).write(true).open(output) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(resumed),
        Err(err) => return Err(err),
    };
    let mut reader = BufReader::new(&file);
    let mut line = Vec::new();
    let mut kept_end = 0u64;
    let mut line_number = 0u64;
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        line_number += 1;
        if line.last() != Some(&b'\n') {
            break; // cut short by a crash: dropped below
        }
        let record: Kept = serde_json::from_slice(&line).map_err(|err| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: line {line_number} is not a record of grequests fetch ({err}); \
                     only the last line may be cut short",
                    output.display()
                ),
            )
        })?;
        resumed.done.insert(record.index);
        if let Some(span) = record.warc {
            resumed.warc_end = resumed.warc_end.max(span.offset + span.length);
        }
        kept_end += read as u64;
    }
    drop(reader);
    if file.metadata()?.len() != kept_end {
        file.set_len(kept_end)?;
    }
    Ok(resumed)
}

/// Cuts the WARC file back to `end` (records past it have no JSONL line).
pub fn repair_warc(warc: &Path, end: u64) -> io::Result<()> {
    match OpenOptions::new().write(true).open(warc) {
        Ok(file) if file.metadata()?.len() > end => file.set_len(end),
        Ok(_) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err),
    }
}

/// The length of `file`, where appending starts.
pub fn end_of(file: &mut File) -> io::Result<u64> {
    file.seek(SeekFrom::End(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bit_set_counts_each_index_once() {
        let mut done = Done::default();
        for index in [1, 64, 65, 1, 10_000_000] {
            done.insert(index);
        }
        assert_eq!(done.len(), 4);
        assert!(done.contains(65) && done.contains(10_000_000) && !done.contains(2));
    }

    #[test]
    fn a_partial_last_line_is_cut_off() {
        let dir = std::env::temp_dir().join(format!("grequests-resume-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("test file");
        let path = dir.join("out.jsonl");
        let whole = "{\"index\":1}\n{\"index\":3,\"warc\":{\"offset\":0,\"length\":90}}\n";
        std::fs::write(&path, format!("{whole}{{\"index\":4,\"ur")).expect("test file");
        let resumed = read(&path).expect("test file");
        assert_eq!(std::fs::read_to_string(&path).expect("test file"), whole);
        assert!(resumed.done.contains(1) && resumed.done.contains(3));
        assert!(!resumed.done.contains(4));
        assert_eq!(resumed.warc_end, 90);

        std::fs::write(&path, "{\"index\":1}\nnot json\n{\"index\":2}\n").expect("test file");
        let err = read(&path).expect_err("a bad line");
        assert!(err.to_string().contains("line 2"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
