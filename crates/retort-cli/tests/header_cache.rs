//! The header cache (`.retort/cache`) through the binary: every way of
//! changing a revision file gives the answers `--no-cache` gives, a damaged
//! cache is rebuilt without an error, and concurrent writers leave a valid
//! cache.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use common::{retort, retort_command, TestProject};

const REVISIONS: usize = 6;

/// A linear project `aaa` … `fff` (sorted file names in revision order),
/// the first two applied to its SQLite database.
fn project() -> TestProject {
    let p = TestProject::new();
    let ids = ["aaa", "bbb", "ccc", "ddd", "eee", "fff"];
    for (i, id) in ids.iter().enumerate() {
        let parent = if i == 0 { "" } else { ids[i - 1] };
        p.table_revision(id, parent, "");
    }
    retort(p.path(), &["upgrade", "bbb"]).ok();
    p
}

/// What the read commands print, with or without the cache.
fn answers(dir: &Path, no_cache: bool) -> Vec<String> {
    let commands: [&[&str]; 6] = [
        &["heads"],
        &["history"],
        &["history", "--verbose"],
        &["current"],
        &["upgrade", "head", "--sql"],
        &["--format", "json", "history"],
    ];
    commands
        .iter()
        .map(|args| {
            let mut args = args.to_vec();
            if no_cache {
                args.push("--no-cache");
            }
            let run = retort(dir, &args);
            // `--verbose` also says what the cache did: not an answer.
            let stderr: String = run
                .stderr
                .lines()
                .filter(|l| !l.contains("header cache"))
                .map(|l| format!("{l}\n"))
                .collect();
            format!(
                "$ {}\nexit {}\n{}{stderr}",
                args.join(" "),
                run.code,
                without_times(&run.stdout),
            )
        })
        .collect()
}

/// `--sql` output with the history rows' start times (which differ from
/// run to run) blanked out; the checksums stay.
fn without_times(text: &str) -> String {
    text.lines()
        .map(|line| {
            if !line.starts_with("INSERT INTO retort_history") {
                return format!("{line}\n");
            }
            let mut fields: Vec<&str> = line.split("', '").collect();
            if fields.len() > 4 {
                fields[4] = "TIME";
            }
            format!("{}\n", fields.join("', '"))
        })
        .collect()
}

/// The cached answers (asked first, so that they come from the cache) are
/// the uncached ones; returns them.
#[track_caller]
fn same_answers(dir: &Path) -> String {
    let cached = answers(dir, false);
    let plain: Vec<String> = answers(dir, true)
        .iter()
        .map(|a| a.replacen(" --no-cache\n", "\n", 1))
        .collect();
    assert_eq!(cached, plain);
    cached.join("\n")
}

/// The `-v` note of a read command.
fn note(dir: &Path) -> String {
    let run = retort(dir, &["-v", "heads"]).ok();
    run.stderr
        .lines()
        .find(|l| l.contains("header cache"))
        .unwrap_or_else(|| panic!("no cache note: {}", run.stderr))
        .to_string()
}

/// Runs until every header comes from the cache (an entry is stored once
/// its file's last change is older than the cache file).
fn warm(dir: &Path, revisions: usize) {
    let want = format!("{revisions} of {revisions} revision header(s) from the cache, 0 file(s)");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let note = note(dir);
        if note.contains(&want) {
            return;
        }
        assert!(Instant::now() < deadline, "never warm: {note}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn file(p: &TestProject, id: &str) -> PathBuf {
    p.versions().join(format!("{id}.sql"))
}

fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

fn set_mtime(path: &Path, when: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

#[test]
fn adding_a_revision_file() {
    let p = project();
    warm(p.path(), REVISIONS);
    p.table_revision("ggg", "fff", "");
    let out = same_answers(p.path());
    assert!(out.contains("ggg (head)"), "{out}");
    assert!(note(p.path()).contains("of 7 revision header(s)"));
}

#[test]
fn removing_a_revision_file() {
    let p = project();
    warm(p.path(), REVISIONS);
    std::fs::remove_file(file(&p, "fff")).unwrap();
    let out = same_answers(p.path());
    assert!(out.contains("eee (head)") && !out.contains("fff"), "{out}");
}

#[test]
fn renaming_a_revision_file() {
    let p = project();
    warm(p.path(), REVISIONS);
    let renamed = p.versions().join("zzz_ddd.sql");
    std::fs::rename(file(&p, "ddd"), &renamed).unwrap();
    let out = same_answers(p.path());
    assert!(
        out.contains("zzz_ddd.sql") && !out.contains("/ddd.sql"),
        "{out}"
    );
}

#[test]
fn editing_with_the_same_size_and_the_old_modification_time() {
    let p = project();
    warm(p.path(), REVISIONS);
    let path = file(&p, "ddd");
    let before = std::fs::read_to_string(&path).unwrap();
    let when = mtime(&path);
    // The message and the upgrade change, the size does not.
    let after = before
        .replace("-- revision ddd", "-- revision DDD")
        .replace("CREATE TABLE t_ddd", "CREATE TABLE t_ddx");
    assert_eq!(after.len(), before.len());
    std::fs::write(&path, &after).unwrap();
    set_mtime(&path, when);
    assert_eq!(mtime(&path), when);
    let out = same_answers(p.path());
    assert!(
        out.contains("revision DDD") && out.contains("t_ddx"),
        "{out}"
    );
    assert!(!out.contains("t_ddd ("), "{out}");
}

#[test]
fn editing_that_changes_the_size() {
    let p = project();
    warm(p.path(), REVISIONS);
    let path = file(&p, "eee");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("-- revision eee", "-- revision eee, now longer")
        .replace("Revises: ddd", "Revises: bbb");
    std::fs::write(&path, text).unwrap();
    let out = same_answers(p.path());
    assert!(out.contains("now longer"), "{out}");
    // eee now branches from bbb: two heads.
    assert!(
        out.contains("ddd (head)") && out.contains("fff (head)"),
        "{out}"
    );
}

#[test]
fn touching_a_revision_file() {
    let p = project();
    warm(p.path(), REVISIONS);
    let path = file(&p, "ccc");
    set_mtime(&path, mtime(&path) + Duration::from_secs(5));
    // The touched file is read again, the others come from the cache.
    let note = note(p.path());
    assert!(
        note.contains(&format!("{} of {REVISIONS}", REVISIONS - 1))
            && note.contains("1 file(s) read"),
        "{note}"
    );
    same_answers(p.path());
}

#[test]
fn damaged_caches_are_rebuilt_without_an_error() {
    let p = project();
    warm(p.path(), REVISIONS);
    let cache = p.path().join(".retort/cache");
    let good = std::fs::read(&cache).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 2;
    flipped[last] ^= 0x01;
    let damages: [(&str, Vec<u8>); 5] = [
        ("truncated", good[..good.len() / 2].to_vec()),
        ("truncated", good[..good.len() - 1].to_vec()),
        (
            "not a retort header cache",
            b"garbage, not a cache at all".to_vec(),
        ),
        ("not a retort header cache", Vec::new()),
        ("checksum does not match", flipped),
    ];
    for (why, bytes) in damages {
        std::fs::write(&cache, bytes).unwrap();
        let run = retort(p.path(), &["-v", "history"]).ok();
        assert!(
            run.stderr.contains("ignored and rebuilt"),
            "{why}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(why), "{why}: {}", run.stderr);
        assert!(!run.stderr.contains("error"), "{}", run.stderr);
        warm(p.path(), REVISIONS);
        same_answers(p.path());
    }
}

#[test]
fn concurrent_writers_leave_a_valid_cache() {
    let p = project();
    warm(p.path(), REVISIONS);
    let expected = retort(p.path(), &["--no-cache", "history"]).ok().stdout;
    let cache = p.path().join(".retort/cache");
    for round in 0..5 {
        std::fs::remove_file(&cache).unwrap();
        let children: Vec<_> = (0..8)
            .map(|_| {
                retort_command(p.path(), &["history"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn retort")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            assert!(out.status.success(), "round {round}: {out:?}");
            assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
        }
        // The next run reads the cache one of them wrote, whole.
        let note = note(p.path());
        assert!(
            note.contains(&format!(
                "{REVISIONS} of {REVISIONS} revision header(s) from the cache, 0 file(s) read"
            )),
            "round {round}: {note}"
        );
        assert!(!note.contains("ignored"), "round {round}: {note}");
        // No temporary file is left behind.
        let left: Vec<_> = std::fs::read_dir(p.path().join(".retort"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

#[test]
fn no_cache_flag_and_config_switch_leave_no_cache() {
    let p = project();
    std::fs::remove_dir_all(p.path().join(".retort")).unwrap();
    let run = retort(p.path(), &["-v", "--no-cache", "heads"]).ok();
    assert!(run.stdout.contains("Rev: fff (head)"), "{}", run.stdout);
    assert!(!run.stderr.contains("header cache"), "{}", run.stderr);
    assert!(!p.path().join(".retort").exists());

    p.write_config(
        "[database]\nurl = \"sqlite:///test.db\"\n\n[migrations]\nheader_cache = false\n",
    );
    let run = retort(p.path(), &["-v", "history"]).ok();
    assert!(run.stdout.contains("fff (head)"), "{}", run.stdout);
    assert!(!p.path().join(".retort").exists());
}

#[test]
fn an_unwritable_cache_folder_is_not_an_error() {
    let p = project();
    std::fs::remove_dir_all(p.path().join(".retort")).unwrap();
    std::fs::write(p.path().join(".retort"), "a file, not a folder").unwrap();
    let run = retort(p.path(), &["-v", "heads"]).ok();
    assert!(run.stdout.contains("Rev: fff (head)"), "{}", run.stdout);
    assert!(run.stderr.contains("not written"), "{}", run.stderr);
    let run = retort(p.path(), &["heads"]).ok();
    assert_eq!(run.stderr, "");
    same_answers(p.path());
}
