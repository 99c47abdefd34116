//! The header cache: the parsed headers of a project's revision files, kept
//! in `<project>/.retort/cache` so that commands which only need the graph
//! (`current`, `heads`, `history`, a no-op `upgrade`) do not open every file.
//!
//! It can never serve a stale answer:
//!
//! - the folders are listed on every run and every revision file is
//!   `stat`ed; an entry is used only when the file's size, modification
//!   time, change time (ctime, which no one can set back), inode and device
//!   are those it was cached with. Adding, removing, renaming, editing or
//!   touching a file invalidates its entry;
//! - an entry is stored only when the file's last change is older than the
//!   moment the new cache file was created (on filesystems with whole-second
//!   timestamps, two seconds older), so that an edit made in the same clock
//!   tick as the read that filled the entry still changes the ctime it is
//!   checked against;
//! - the file starts with a versioned magic line, the retort version and a
//!   fingerprint of the header parser, and the payload carries its SHA-256:
//!   a truncated, corrupt, foreign or other-version file is ignored and
//!   rebuilt;
//! - it is written to a temporary file in the same folder and renamed over
//!   the old one, so concurrent writers cannot leave a mixed file;
//! - failing to write it (a read-only project) is never an error.
//!
//! The sections of a script built from the cache are read when first used,
//! and that read checks the file again (see [`crate::script::Script::upgrade`]).
//! Only Unix has change times in the standard library: elsewhere the cache
//! is not used.

use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::script::{CachedHeader, Script};

/// The folder, under the project root, that holds the cache.
pub const CACHE_DIR: &str = ".retort";

/// The cache file's name in [`CACHE_DIR`].
pub const CACHE_FILE: &str = "cache";

/// Whether this platform can use the cache (it needs file change times).
pub const SUPPORTED: bool = cfg!(unix);

/// The first bytes of every cache file.
const MAGIC: &[u8; 20] = b"retort header cache\n";

/// The layout of the file, and what its checksums hash; bumped when either
/// changes (2: checksums of normalised line endings; 3: the `Code` key).
const FORMAT: u32 = 3;

/// The cache file of the project rooted at `root`.
pub fn cache_path(root: &Path) -> PathBuf {
    root.join(CACHE_DIR).join(CACHE_FILE)
}

/// What the header cache did while a project loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheReport {
    /// The cache file.
    pub path: PathBuf,
    /// Revision files in the project.
    pub revisions: usize,
    /// Headers taken from the cache (those files were not opened).
    pub from_cache: usize,
    /// Revision files opened and parsed.
    pub files_read: usize,
    /// Whether a new cache file was written.
    pub written: bool,
    /// Why the existing cache was ignored, or why none was written.
    pub note: Option<String>,
}

impl std::fmt::Display for CacheReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "header cache {}: {} of {} revision header(s) from the cache, {} file(s) read",
            self.path.display(),
            self.from_cache,
            self.revisions,
            self.files_read
        )?;
        if self.written {
            write!(f, ", cache written")?;
        }
        if let Some(note) = &self.note {
            write!(f, " ({note})")?;
        }
        Ok(())
    }
}

/// What identifies one state of a file: size, modification and change
/// times to the nanosecond, inode and device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    size: u64,
    mtime: (i64, u32),
    ctime: (i64, u32),
    ino: u64,
    dev: u64,
}

impl FileStamp {
    /// The stamp of a file's metadata.
    #[cfg(unix)]
    pub(crate) fn of(meta: &Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        let nanos = |n: i64| u32::try_from(n).unwrap_or(0);
        Self {
            size: meta.len(),
            mtime: (meta.mtime(), nanos(meta.mtime_nsec())),
            ctime: (meta.ctime(), nanos(meta.ctime_nsec())),
            ino: meta.ino(),
            dev: meta.dev(),
        }
    }

    /// The stamp of a file's metadata (size and modification time only:
    /// the cache is not used on this platform).
    #[cfg(not(unix))]
    pub(crate) fn of(meta: &Metadata) -> Self {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or((0, 0), |d| {
                (i64::try_from(d.as_secs()).unwrap_or(0), d.subsec_nanos())
            });
        Self {
            size: meta.len(),
            mtime,
            ctime: mtime,
            ino: 0,
            dev: 0,
        }
    }
}

/// Opens and reads a revision file; with `stamp`, also the stamp of the
/// file it read. A plain read loop: `read_to_end` on a file would `stat`
/// it (and seek) first.
pub(crate) fn read_revision_file(
    path: &Path,
    stamp: bool,
) -> std::io::Result<(Vec<u8>, Option<FileStamp>)> {
    let mut file = File::open(path)?;
    let stamp = match stamp {
        true => Some(FileStamp::of(&file.metadata()?)),
        false => None,
    };
    let size = stamp.map_or(8192, |s| usize::try_from(s.size).unwrap_or(0) + 1);
    let mut buf = Vec::with_capacity(size);
    let mut chunk = [0u8; 8192];
    loop {
        let n = file.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok((buf, stamp))
}

/// Parses the revision files at the given paths, in order, with the stamp
/// of each file read.
pub(crate) type ParseFiles<'a> = &'a dyn Fn(&[PathBuf]) -> Result<Vec<(Script, Option<FileStamp>)>>;

/// Builds the scripts of the listed revision files (path and stamp, in
/// order), taking what it can from the cache of the project at `root` and
/// parsing the rest with `parse`; then writes the cache when it changed.
pub(crate) fn load(
    root: &Path,
    files: Vec<(PathBuf, FileStamp)>,
    parse: ParseFiles<'_>,
) -> Result<(Vec<Script>, CacheReport)> {
    let path = cache_path(root);
    let mut report = CacheReport {
        path: path.clone(),
        revisions: files.len(),
        ..CacheReport::default()
    };
    let bytes = read_cache(&path);
    let (stored, mut must_write) = match bytes.as_deref().map(index) {
        Ok(Ok(stored)) => (stored, false),
        Ok(Err(why)) => {
            report.note = Some(format!("ignored and rebuilt: {why}"));
            (HashMap::new(), true)
        }
        Err(why) => {
            report.note.clone_from(why);
            (HashMap::new(), true)
        }
    };
    let root_bytes = root.as_os_str().as_encoded_bytes();
    let mut slots: Vec<Option<Script>> = Vec::with_capacity(files.len());
    // The listed stamps, in order; each path moves into its script (or the
    // list of files to read).
    let mut listed: Vec<FileStamp> = Vec::with_capacity(files.len());
    let mut misses = Vec::new();
    for (path, stamp) in files {
        listed.push(stamp);
        let key = key_of(root_bytes, &path);
        match stored
            .get(key)
            .and_then(|entry| cached_header(entry, &stamp))
        {
            Some(header) => slots.push(Some(Script::from_cached(header, path, stamp))),
            None => {
                slots.push(None);
                misses.push(path);
            }
        }
    }
    report.from_cache = slots.len() - misses.len();
    // Entries of files that are gone or changed make the cache worth
    // rewriting.
    must_write |= stored.len() != report.from_cache;
    if misses.is_empty() && !must_write {
        return Ok((filled(slots), report));
    }
    // The moment the new cache is created bounds what it may store: it
    // comes before the files below are read.
    let writer = Writer::create(root);
    report.files_read = misses.len();
    let mut parsed = parse(&misses)?.into_iter();
    let mut stamps: Vec<Option<FileStamp>> = Vec::with_capacity(slots.len());
    for (slot, listed) in slots.iter_mut().zip(&listed) {
        if slot.is_some() {
            stamps.push(Some(*listed));
            continue;
        }
        let Some((script, read)) = parsed.next() else {
            return Err(crate::Error::Usage(
                "a revision file was not read; run the command again with --no-cache".into(),
            ));
        };
        // The stamp of the file as it was read; stored only when settled.
        let stamp = read.unwrap_or(*listed);
        let settled = writer.as_ref().is_ok_and(|w| w.settled(&stamp));
        must_write |= settled;
        stamps.push(settled.then_some(stamp));
        *slot = Some(script);
    }
    let scripts = filled(slots);
    match writer {
        Ok(writer) if must_write => {
            let entries = scripts.iter().zip(&stamps).filter_map(|(script, stamp)| {
                stamp.map(|stamp| (key_of(root_bytes, &script.path), stamp, script))
            });
            match writer.commit(&encode(entries)) {
                Ok(()) => report.written = true,
                Err(e) => report.note = Some(format!("not written: {e}")),
            }
        }
        Ok(_) => {}
        Err(e) => report.note = Some(format!("not written: {e}")),
    }
    Ok((scripts, report))
}

/// The cache key of a revision file: its path relative to the project root
/// (the same from any working folder), else the whole path. The listed
/// paths are the root joined with the folder and the name, so comparing
/// bytes is enough (and much cheaper than comparing path components).
fn key_of<'p>(root: &[u8], path: &'p Path) -> &'p [u8] {
    let bytes = path.as_os_str().as_encoded_bytes();
    match bytes.strip_prefix(root) {
        Some([b'/' | b'\\', rest @ ..]) if !root.is_empty() => rest,
        _ => bytes,
    }
}

/// The bytes of the cache file at `path`, or why there are none (`None`
/// when there is simply no cache yet).
fn read_cache(path: &Path) -> std::result::Result<Vec<u8>, Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(None),
        Err(e) => Err(Some(format!("ignored: {e}"))),
    }
}

/// The entries of a cache file by key, each the bytes after its key (not
/// decoded yet); or why the file cannot be used.
fn index(bytes: &[u8]) -> std::result::Result<HashMap<&[u8], &[u8]>, &'static str> {
    const BAD: &str = "its entries do not decode";
    let payload = check_envelope(bytes)?;
    let mut r = Reader { buf: payload };
    let count = r.u32().ok_or(BAD)?;
    let mut out = HashMap::with_capacity(count.min(1 << 20) as usize);
    for _ in 0..count {
        let mut entry = Reader {
            buf: r.bytes().ok_or(BAD)?,
        };
        let key = entry.bytes().ok_or(BAD)?;
        out.insert(key, entry.buf);
    }
    if !r.buf.is_empty() {
        return Err(BAD);
    }
    Ok(out)
}

/// The header of an entry, if its stamp is `stamp` and it decodes.
fn cached_header(entry: &[u8], stamp: &FileStamp) -> Option<CachedHeader> {
    let mut r = Reader { buf: entry };
    if r.stamp()? != *stamp {
        return None;
    }
    let header = r.header()?;
    r.buf.is_empty().then_some(header)
}

/// The fixed part of the file before the payload: magic, format, retort
/// version and parser fingerprint.
fn preamble() -> Vec<u8> {
    let mut out = Vec::with_capacity(96);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    put_str(&mut out, env!("CARGO_PKG_VERSION"));
    // Any change to the header parser invalidates older caches.
    out.extend_from_slice(&Sha256::digest(include_str!("script/header.rs").as_bytes())[..16]);
    out
}

/// The payload of a cache file, once its preamble, length and checksum
/// are checked.
fn check_envelope(bytes: &[u8]) -> std::result::Result<&[u8], &'static str> {
    if !bytes.starts_with(MAGIC) {
        return Err("not a retort header cache");
    }
    let rest = bytes
        .strip_prefix(preamble().as_slice())
        .ok_or("written by another version of retort")?;
    let (len, rest) = rest.split_first_chunk::<8>().ok_or("truncated")?;
    let (sum, payload) = rest.split_first_chunk::<32>().ok_or("truncated")?;
    if usize::try_from(u64::from_le_bytes(*len)).ok() != Some(payload.len()) {
        return Err("truncated");
    }
    if Sha256::digest(payload).as_slice() != sum.as_slice() {
        return Err("its checksum does not match");
    }
    Ok(payload)
}

/// The whole cache file for these entries.
fn encode<'s>(entries: impl Iterator<Item = (&'s [u8], FileStamp, &'s Script)>) -> Vec<u8> {
    let mut payload = Vec::new();
    let mut count: u32 = 0;
    payload.extend_from_slice(&0u32.to_le_bytes());
    let mut entry = Vec::new();
    for (key, stamp, script) in entries {
        count += 1;
        entry.clear();
        put_bytes(&mut entry, key);
        put_stamp(&mut entry, &stamp);
        put_header(&mut entry, &script.cached_header());
        put_bytes(&mut payload, &entry);
    }
    payload[..4].copy_from_slice(&count.to_le_bytes());
    let mut out = preamble();
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&payload));
    out.extend_from_slice(&payload);
    out
}

fn put_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, u32::try_from(b.len()).unwrap_or(u32::MAX));
    out.extend_from_slice(&b[..b.len().min(u32::MAX as usize)]);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

fn put_list(out: &mut Vec<u8>, list: &[String]) {
    put_u32(out, u32::try_from(list.len()).unwrap_or(0));
    for item in list {
        put_str(out, item);
    }
}

fn put_line(out: &mut Vec<u8>, line: Option<usize>) {
    // 0 is never a line number: it stands for "no section".
    put_u64(out, line.map_or(0, |l| l as u64));
}

fn put_stamp(out: &mut Vec<u8>, s: &FileStamp) {
    put_u64(out, s.size);
    put_u64(out, s.mtime.0 as u64);
    put_u32(out, s.mtime.1);
    put_u64(out, s.ctime.0 as u64);
    put_u32(out, s.ctime.1);
    put_u64(out, s.ino);
    put_u64(out, s.dev);
}

fn put_header(out: &mut Vec<u8>, h: &CachedHeader) {
    put_str(out, &h.id);
    put_list(out, &h.parents);
    put_list(out, &h.branch_labels);
    put_list(out, &h.depends_on);
    out.push(u8::from(h.create_date.is_some()));
    put_str(out, h.create_date.as_deref().unwrap_or(""));
    out.push(u8::from(h.transactional));
    out.push(u8::from(h.code.is_some()));
    put_str(out, h.code.as_deref().unwrap_or(""));
    put_str(out, &h.doc);
    put_str(out, &h.checksum);
    put_line(out, Some(h.upgrade_line));
    put_line(out, h.downgrade_line);
}

/// A cursor over a payload; every read checks the bounds.
struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.buf.len() {
            return None;
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8)?.try_into().ok().map(u64::from_le_bytes)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    fn string(&mut self) -> Option<String> {
        std::str::from_utf8(self.bytes()?).ok().map(str::to_string)
    }

    fn list(&mut self) -> Option<Vec<String>> {
        let n = self.u32()?;
        (0..n).map(|_| self.string()).collect()
    }

    fn line(&mut self) -> Option<Option<usize>> {
        let n = usize::try_from(self.u64()?).ok()?;
        Some((n != 0).then_some(n))
    }

    fn stamp(&mut self) -> Option<FileStamp> {
        Some(FileStamp {
            size: self.u64()?,
            mtime: (self.u64()? as i64, self.u32()?),
            ctime: (self.u64()? as i64, self.u32()?),
            ino: self.u64()?,
            dev: self.u64()?,
        })
    }

    fn header(&mut self) -> Option<CachedHeader> {
        let id = self.string()?;
        let parents = self.list()?;
        let branch_labels = self.list()?;
        let depends_on = self.list()?;
        let has_date = self.u8()? != 0;
        let date = self.string()?;
        let transactional = self.u8()? != 0;
        let has_code = self.u8()? != 0;
        let code = self.string()?;
        let doc = self.string()?;
        let checksum = self.string()?;
        let upgrade_line = self.line()??;
        let downgrade_line = self.line()?;
        Some(CachedHeader {
            id,
            parents,
            branch_labels,
            depends_on,
            create_date: has_date.then_some(date),
            transactional,
            code: has_code.then_some(code),
            doc,
            checksum,
            upgrade_line,
            downgrade_line,
        })
    }
}

/// A new cache file being written: a temporary file in the cache folder,
/// renamed over the cache by [`Writer::commit`] and removed otherwise.
struct Writer {
    file: File,
    temp: PathBuf,
    target: PathBuf,
    /// The change time of the temporary file when it was created: entries
    /// of files changed at or after it are not stored.
    created: (i64, u32),
    committed: bool,
}

impl Writer {
    /// Creates the cache folder (with a `.gitignore` that ignores it) and
    /// a temporary file in it.
    fn create(root: &Path) -> std::io::Result<Writer> {
        let dir = root.join(CACHE_DIR);
        if !dir.is_dir() {
            std::fs::create_dir_all(&dir)?;
            // Best effort: the folder is the cache's alone.
            let _ = std::fs::write(
                dir.join(".gitignore"),
                "# retort's header cache: safe to delete, never commit\n*\n",
            );
        }
        let unique = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let temp = dir.join(format!("{CACHE_FILE}.{}.{unique}.tmp", std::process::id()));
        let file = File::options().write(true).create_new(true).open(&temp)?;
        let created = match file.metadata() {
            Ok(meta) => FileStamp::of(&meta).ctime,
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
        };
        Ok(Writer {
            file,
            temp,
            target: dir.join(CACHE_FILE),
            created,
            committed: false,
        })
    }

    /// Whether an entry with this stamp may be stored: the file's last
    /// change is before the cache was created (by two seconds when the
    /// filesystem keeps whole seconds only).
    fn settled(&self, stamp: &FileStamp) -> bool {
        let (secs, nanos) = stamp.ctime;
        let limit = if nanos == 0 {
            (self.created.0 - 2, self.created.1)
        } else {
            self.created
        };
        SUPPORTED && (secs, nanos) < limit
    }

    /// Writes `bytes` and renames the file over the cache.
    fn commit(mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        self.file.flush()?;
        std::fs::rename(&self.temp, &self.target)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// The scripts of filled slots, in the slots' own memory (collecting a
/// `flatten` would grow a second vector by doubling: megabytes at 10,000
/// revisions).
fn filled(slots: Vec<Option<Script>>) -> Vec<Script> {
    // `filter_map` over the vector's own iterator collects in place;
    // `flatten` (what clippy suggests) does not.
    #[allow(clippy::filter_map_identity)]
    slots.into_iter().filter_map(|s| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(text: &str) -> Script {
        Script::parse(Path::new("/p/v/a.sql"), text).expect("parses")
    }

    fn stamp(n: u64) -> FileStamp {
        FileStamp {
            size: n,
            mtime: (n as i64, 7),
            ctime: (n as i64 + 1, 9),
            ino: n * 3,
            dev: 1,
        }
    }

    #[test]
    fn entries_round_trip() {
        let a = script("-- Add a\n-- more\n-- Revision ID: a\n-- Revises: x, y\n-- Branch Labels: l\n-- Depends On: d\n-- Create Date: today\n-- Transaction: false\n-- +upgrade\nCREATE TABLE a (id int);\n-- +downgrade\nDROP TABLE a;\n");
        let b = script("-- Revision ID: b\n-- +upgrade\n");
        let bytes = encode(
            [
                (&b"v/a.sql"[..], stamp(1), &a),
                (&b"v/b.sql"[..], stamp(2), &b),
            ]
            .into_iter(),
        );
        let entries = index(&bytes).expect("valid");
        assert_eq!(entries.len(), 2);
        let entry = entries[&b"v/a.sql"[..]];
        assert_eq!(cached_header(entry, &stamp(2)), None, "another stamp");
        let h = cached_header(entry, &stamp(1)).expect("decodes");
        assert_eq!(h, a.cached_header());
        assert_eq!(h.downgrade_line, Some(12));
        let back = Script::from_cached(h, PathBuf::from("/p/v/a.sql"), stamp(1));
        assert_eq!(back.message, "Add a");
        assert!(!back.sections_loaded());
        let b_header = cached_header(entries[&b"v/b.sql"[..]], &stamp(2)).unwrap();
        assert_eq!(b_header.downgrade_line, None);
        assert_eq!(key_of(b"/p", Path::new("/p/v/a.sql")), b"v/a.sql");
        assert_eq!(key_of(b"/q", Path::new("/p/v/a.sql")), b"/p/v/a.sql");
        assert_eq!(key_of(b"", Path::new("v/a.sql")), b"v/a.sql");
    }

    #[test]
    fn damaged_files_are_refused() {
        let a = script("-- Revision ID: a\n-- +upgrade\nSELECT 1;\n");
        let bytes = encode([(&b"a.sql"[..], stamp(1), &a)].into_iter());
        assert!(check_envelope(&bytes).is_ok());
        for cut in [0, 10, 30, bytes.len() - 1] {
            assert!(check_envelope(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 0x20;
        assert_eq!(
            check_envelope(&flipped).unwrap_err(),
            "its checksum does not match"
        );
        assert_eq!(
            check_envelope(b"hello world, not a cache").unwrap_err(),
            "not a retort header cache"
        );
        let mut other = bytes.clone();
        other[MAGIC.len()] ^= 1; // another format number
        assert_eq!(
            check_envelope(&other).unwrap_err(),
            "written by another version of retort"
        );
    }
}
