//! The output layer as a user meets it: colour only on a terminal (or with
//! `--color always`), never under `NO_COLOR` or `TERM=dumb`; the progress
//! line only on a terminal, never in a pipe, in JSON or under `-q`; a closed
//! pipe ends quietly; shell completions and manual pages.
//!
//! The terminal is a real pseudo-terminal: `script` from util-linux runs
//! `retort` on one and copies what the terminal received.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use common::{retort, retort_command, Run, TestProject};

const ESC: char = '\x1b';

/// A chain of `n` revisions (ids `000000000001`…, hexadecimal), each
/// creating one table, written straight to disk.
fn chain(n: usize) -> TestProject {
    let p = TestProject::new();
    let mut parent = String::new();
    for i in 1..=n {
        let id = format!("{i:012x}");
        p.revision(
            &id,
            &parent,
            "",
            &format!("CREATE TABLE t{i} (id integer PRIMARY KEY);"),
            Some(&format!("DROP TABLE t{i};")),
        );
        parent = id;
    }
    p
}

/// `retort ARGS` with extra environment variables, both streams piped.
fn piped(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = retort_command(dir, args);
    cmd.envs(env.iter().copied());
    cmd.output().expect("spawn retort").into()
}

/// `retort ARGS` with standard output and standard error on a
/// pseudo-terminal (TERM=xterm-256color unless `env` says otherwise).
/// Returns the exit code and what the terminal received, `\r` removed.
fn on_terminal(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let line = std::iter::once(env!("CARGO_BIN_EXE_retort"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new("script");
    cmd.args(["-qfec", &line, "/dev/null"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .env_remove("RETORT_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color")
        .envs(env.iter().copied());
    let out = cmd
        .output()
        .expect("run `script` (util-linux) to give retort a pseudo-terminal");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).replace('\r', ""),
    )
}

/// `text` without terminal escape sequences (CSI sequences and two-byte
/// escapes).
fn strip(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != ESC {
            out.push(c);
            continue;
        }
        if chars.next_if_eq(&'[').is_some() {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
}

/// Whether `text` holds an SGR (colour or weight) sequence, `ESC [ … m`.
fn has_colour(text: &str) -> bool {
    text.match_indices("\x1b[").any(|(i, _)| {
        text[i + 2..]
            .chars()
            .find(|c| !c.is_ascii_digit() && *c != ';')
            == Some('m')
    })
}

/// What the progress line shows for a migration step, as a terminal
/// would show it once escapes are gone.
fn progress_of(text: &str) -> bool {
    text.contains("[1/") && (text.contains("applying") || text.contains("stairway"))
}

#[test]
fn a_pipe_gets_neither_colour_nor_progress() {
    let p = chain(30);
    let up = retort(p.path(), &["upgrade", "head"]).ok();
    assert!(!up.all().contains(ESC), "{:?}", up.all());
    assert!(!progress_of(&up.stderr), "{}", up.stderr);
    assert_eq!(up.stderr.matches("Running upgrade").count(), 30);
    for args in [
        &["history", "--indicate-current"][..],
        &["current"],
        &["heads"],
        &["verify"],
        &["lint", "--dialect", "sqlite"],
        &["--color", "auto", "history"],
    ] {
        let run = retort(p.path(), args);
        assert!(!run.all().contains(ESC), "{args:?}: {:?}", run.all());
        assert!(!progress_of(&run.all()), "{args:?}: {}", run.all());
    }
    // Errors too.
    let bad = retort(p.path(), &["show", "nope"]).fails(1);
    assert!(bad.stderr.starts_with("error: "), "{:?}", bad.stderr);
}

#[test]
fn color_always_colours_a_pipe_and_adds_nothing_but_escapes() {
    let p = chain(3);
    retort(p.path(), &["upgrade", "head"]).ok();
    let plain = retort(p.path(), &["history", "--indicate-current"]).ok();
    for env in [&[][..], &[("NO_COLOR", "1")], &[("TERM", "dumb")]] {
        // The flag wins over the environment.
        let coloured = piped(
            p.path(),
            &["--color", "always", "history", "--indicate-current"],
            env,
        )
        .ok();
        assert!(
            has_colour(&coloured.stdout),
            "{env:?}: {:?}",
            coloured.stdout
        );
        assert_eq!(strip(&coloured.stdout), plain.stdout, "{env:?}");
    }
    // Each state is a word as well as a colour.
    assert!(
        plain.stdout.contains("(head) (current)"),
        "{}",
        plain.stdout
    );

    let error = piped(p.path(), &["--color=always", "show", "nope"], &[]).fails(1);
    assert!(has_colour(&error.stderr), "{:?}", error.stderr);
    assert!(
        strip(&error.stderr).starts_with("error: "),
        "{:?}",
        error.stderr
    );

    // CLICOLOR_FORCE is honoured under auto, and --color never beats it.
    let forced = piped(p.path(), &["heads"], &[("CLICOLOR_FORCE", "1")]).ok();
    assert!(has_colour(&forced.stdout), "{:?}", forced.stdout);
    let never = piped(
        p.path(),
        &["--color", "never", "heads"],
        &[("CLICOLOR_FORCE", "1")],
    )
    .ok();
    assert!(!never.stdout.contains(ESC), "{:?}", never.stdout);
}

#[test]
fn a_terminal_gets_colour_and_a_progress_line() {
    let p = chain(30);
    let (code, screen) = on_terminal(p.path(), &["upgrade", "head"], &[]);
    assert_eq!(code, 0, "{screen}");
    let text = strip(&screen);
    assert!(
        text.contains("[1/30] applying 000000000001 revision 000000000001"),
        "{text}"
    );
    assert!(progress_of(&text), "{text}");
    // The log lines stay; the progress line is erased at the end.
    assert_eq!(text.matches("Running upgrade").count(), 30, "{text}");
    let (log, last_line) = screen.rsplit_once('\n').expect("lines");
    assert!(
        log.ends_with("Running upgrade 00000000001d -> 00000000001e, revision 00000000001e"),
        "{log:?}"
    );
    assert!(last_line.ends_with("\x1b[2K"), "{last_line:?}");

    let (code, screen) = on_terminal(p.path(), &["history", "--indicate-current"], &[]);
    assert_eq!(code, 0, "{screen}");
    assert!(has_colour(&screen), "{screen:?}");
    assert!(
        strip(&screen)
            .starts_with("00000000001d -> 00000000001e (head) (current), revision 00000000001e\n"),
        "{screen:?}"
    );

    let (code, screen) = on_terminal(p.path(), &["downgrade", "base"], &[]);
    assert_eq!(code, 0, "{screen}");
    assert!(
        strip(&screen).contains("[1/30] reverting 00000000001e"),
        "{screen}"
    );
}

#[test]
fn verify_shows_its_stairway_on_a_terminal() {
    let p = chain(8);
    let (code, screen) = on_terminal(p.path(), &["verify", "--no-database"], &[]);
    assert_eq!(code, 0, "{screen}");
    let text = strip(&screen);
    assert!(text.contains("[1/8] stairway 000000000001"), "{text}");
    assert!(text.contains("ok      stairway"), "{text}");
    assert!(has_colour(&screen), "{screen:?}");
}

#[test]
fn reading_schemas_for_a_diff_shows_a_spinner_on_a_terminal() {
    let p = chain(3);
    std::fs::write(
        p.path().join("schema.sql"),
        "CREATE TABLE t1 (id integer PRIMARY KEY);",
    )
    .unwrap();
    let args = ["diff", "--from", "migrations@head", "--to", "schema.sql"];
    let (code, screen) = on_terminal(p.path(), &args, &[]);
    assert_eq!(code, 0, "{screen}");
    let text = strip(&screen);
    assert!(text.contains("reading migrations@head and "), "{text}");
    assert!(text.contains("DROP TABLE t2"), "{text}");
    // Piped: the SQL alone on stdout, nothing drawn on stderr.
    let run = retort(p.path(), &args).ok();
    assert!(run.stdout.contains("DROP TABLE t2"), "{}", run.stdout);
    assert!(
        !run.all().contains(ESC) && !run.stderr.contains("reading"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_color_and_dumb_terminals_get_no_colour() {
    let p = chain(30);
    // NO_COLOR: words only, and no escape code at all, so no progress line
    // either (redrawing one takes control codes).
    let (code, screen) = on_terminal(p.path(), &["upgrade", "head"], &[("NO_COLOR", "1")]);
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains(ESC), "{screen:?}");
    assert!(!progress_of(&screen), "{screen}");
    assert_eq!(screen.matches("Running upgrade").count(), 30, "{screen}");
    let (_, screen) = on_terminal(p.path(), &["history"], &[("NO_COLOR", "1")]);
    assert!(!screen.contains(ESC), "{screen:?}");
    // An empty NO_COLOR does not count.
    let (_, screen) = on_terminal(p.path(), &["history"], &[("NO_COLOR", "")]);
    assert!(has_colour(&screen), "{screen:?}");
    // --color never on a terminal.
    let (_, screen) = on_terminal(p.path(), &["--color", "never", "history"], &[]);
    assert!(!screen.contains(ESC), "{screen:?}");

    // TERM=dumb: no escape of any kind, so no progress line either.
    let (code, screen) = on_terminal(p.path(), &["downgrade", "base"], &[("TERM", "dumb")]);
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains(ESC), "{screen:?}");
    assert!(!progress_of(&screen), "{screen}");
    assert_eq!(screen.matches("Running downgrade").count(), 30, "{screen}");
}

#[test]
fn quiet_and_json_never_show_progress_on_a_terminal() {
    let p = chain(20);
    let (code, screen) = on_terminal(p.path(), &["-q", "upgrade", "head"], &[]);
    assert_eq!(code, 0, "{screen}");
    assert_eq!(screen, "", "-q prints nothing at all on success");
    retort(p.path(), &["downgrade", "base"]).ok();

    let (code, screen) = on_terminal(p.path(), &["--format", "json", "upgrade", "head"], &[]);
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains(ESC), "{screen:?}");
    let doc: serde_json::Value = serde_json::from_str(&screen).expect("only JSON");
    assert_eq!(doc["applied"].as_array().map(Vec::len), Some(20));
}

/// Spawns `retort ARGS`, reads one line of its standard output, closes the
/// pipe, and returns that line, the exit code and standard error.
fn read_one_line_and_close(dir: &Path, args: &[&str]) -> (String, Option<i32>, String) {
    let mut child = retort_command(dir, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn retort");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("read a line");
    // The reader and the pipe are dropped here: further writes fail with EPIPE.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("wait");
    (first, status.code(), stderr)
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // 4,000 revisions: history is far larger than a pipe's buffer, so the
    // write is cut off by the closed pipe (before, a panic after ~3,000).
    let p = chain(4000);
    let (line, code, stderr) = read_one_line_and_close(p.path(), &["history"]);
    assert_eq!(
        line,
        "000000000f9f -> 000000000fa0 (head), revision 000000000fa0\n"
    );
    assert_eq!(
        code,
        Some(0),
        "exit status (not a signal); stderr: {stderr}"
    );
    assert_eq!(stderr, "");

    for args in [
        &["history", "--verbose"][..],
        &["--format", "json", "history"],
        &["graph"],
        &["upgrade", "head", "--sql"],
        &["completions", "bash"],
        &["man"],
    ] {
        let (line, code, stderr) = read_one_line_and_close(p.path(), args);
        assert!(!line.is_empty(), "{args:?}");
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        if args == ["graph"] {
            // It says why nothing is marked current: there is no database.
            assert!(stderr.starts_with("note: "), "{stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
        } else if args == ["history", "--verbose"] {
            // --verbose also says what the header cache did.
            assert!(stderr.starts_with("note: header cache"), "{stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
        } else {
            assert_eq!(stderr, "", "{args:?}");
        }
    }

    // Through a shell, as a user types it.
    let out = Command::new("bash")
        .args([
            "-c",
            &format!(
                "set -o pipefail; '{}' history | head -1",
                env!("CARGO_BIN_EXE_retort")
            ),
        ])
        .current_dir(p.path())
        .env_remove("RETORT_DATABASE_URL")
        .output()
        .expect("bash");
    let run: Run = out.into();
    let run = run.ok();
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert_eq!(run.stderr, "");
}

#[test]
fn a_closed_pipe_keeps_the_exit_code_of_a_failed_check() {
    let p = TestProject::new();
    let mut parent = String::new();
    for i in 1..=1000 {
        let id = format!("{i:012x}");
        // R001: NOT NULL without a default, in every revision.
        p.revision(
            &id,
            &parent,
            "",
            &format!("ALTER TABLE users ADD COLUMN c{i} integer NOT NULL;"),
            Some(&format!("ALTER TABLE users DROP COLUMN c{i};")),
        );
        parent = id;
    }
    let (line, code, _) = read_one_line_and_close(p.path(), &["lint", "--dialect", "postgresql"]);
    assert!(line.contains(": R0"), "{line}");
    assert_eq!(code, Some(1), "lint found problems: exit 1 even so");
}

#[test]
fn writing_to_a_full_disk_is_an_error_not_a_panic() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let p = chain(3);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let out = retort_command(p.path(), &["history"])
        .stdout(full)
        .output()
        .expect("spawn");
    let run: Run = out.into();
    let run = run.fails(1);
    assert!(
        run.stderr
            .starts_with("error: cannot write to standard output:"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn completions_load_in_bash_and_complete_subcommands() {
    let d = tempfile::tempdir().unwrap();
    let exe = env!("CARGO_BIN_EXE_retort");
    let script = format!(
        r#"source <('{exe}' completions bash) && complete -p retort &&
COMP_WORDS=(retort up); COMP_CWORD=1; _retort retort up retort; echo "sub: ${{COMPREPLY[*]}}"
COMP_WORDS=(retort --color ''); COMP_CWORD=2; _retort retort '' --color; echo "color: ${{COMPREPLY[*]}}"
COMP_WORDS=(retort completions ''); COMP_CWORD=2; _retort retort '' completions; echo "shells: ${{COMPREPLY[*]}}""#
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .current_dir(d.path())
        .output()
        .expect("bash");
    let run: Run = out.into();
    let run = run.ok();
    assert!(
        run.stdout.contains("complete -") && run.stdout.contains(" retort\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("sub: upgrade\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("color: auto always never\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("bash elvish fish powershell zsh\n"),
        "{}",
        run.stdout
    );

    for (shell, marker) in [
        ("zsh", "#compdef retort"),
        ("fish", "complete -c retort"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[retort]"),
    ] {
        let run = retort(d.path(), &["completions", shell]).ok();
        assert!(run.stdout.contains(marker), "{shell}: {}", run.stdout);
        assert!(run.stdout.contains("upgrade"), "{shell}");
    }
    // Outside any project, and a bad shell is a usage error.
    retort(d.path(), &["completions", "tcsh"]).fails(2);
}

/// The subcommands `retort --help` lists.
fn listed_commands(dir: &Path) -> Vec<String> {
    let help = retort(dir, &["--help"]).ok().stdout;
    help.split("Commands:\n")
        .nth(1)
        .expect("a Commands: section")
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn man_pages_are_written_and_render() {
    let d = tempfile::tempdir().unwrap();
    let page = retort(d.path(), &["man"]).ok().stdout;
    assert!(page.contains(".TH retort 1"), "{page}");
    assert!(
        page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"),
        "{page}"
    );
    assert!(page.contains("retort\\-upgrade(1)"), "{page}");

    let dir = d.path().join("man1");
    let run = retort(d.path(), &["man", "--dir", dir.to_str().unwrap()]).ok();
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected: Vec<String> = listed_commands(d.path())
        .iter()
        .map(|c| format!("retort-{c}.1"))
        .collect();
    expected.push("retort.1".into());
    expected.sort();
    assert_eq!(written, expected);
    assert_eq!(run.stdout.lines().count(), expected.len(), "{}", run.stdout);

    let upgrade = std::fs::read_to_string(dir.join("retort-upgrade.1")).unwrap();
    assert!(upgrade.contains(".TH retort-upgrade 1"), "{upgrade}");
    assert!(upgrade.contains("\\-\\-lock\\-timeout"), "{upgrade}");
    assert!(
        upgrade.contains("\\-\\-color"),
        "global options are on every page"
    );

    // Rendered by groff when it is installed (man-db uses it).
    let groff = Command::new("groff")
        .args(["-man", "-Tutf8"])
        .arg(dir.join("retort-upgrade.1"))
        .output();
    if let Ok(out) = groff {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        // Bold and underline may come as overstrikes (`N\u{8}N`).
        let mut plain = String::new();
        for c in strip(&text).chars() {
            if c == '\u{8}' {
                plain.pop();
            } else {
                plain.push(c);
            }
        }
        let text = plain;
        assert!(text.contains("NAME"), "{text}");
        assert!(text.contains("retort-upgrade"), "{text}");
        assert!(text.replace('‐', "-").contains("--allow-changed"), "{text}");
    }
}
