//! The commands of `gapmap`, one file each: a command's arguments (its clap struct, whose
//! doc comments are its `--help`), turned into the library's options, and what it prints
//! when the library is done. This module holds what the commands share: `say!` for
//! standard output, the config a command reads, and progress lines on standard error. It
//! does no work of its own, and it does not decide the exit code (`main` does).

use std::path::PathBuf;

use gapmap::config::Config;

/// Prints a line to standard output; when the reader has gone (`gapmap run | head`), stops
/// quietly with success, since everything the command writes to files is written by then.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::say_line(format_args!($($arg)*))
    };
}

pub mod access;
pub mod bench;
pub mod compare;
pub mod exit;
pub mod history;
pub mod inspect;
pub mod plan;
pub mod run;
pub mod sample;
pub mod synth;
pub mod travel;
pub mod validate;
pub mod verify;

/// What `say!` expands to: writes one line to standard output.
pub fn say_line(line: std::fmt::Arguments) {
    use std::io::Write;
    if let Err(e) = writeln!(std::io::stdout(), "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// The config at `path`, or the embedded sample's when there is none.
fn load_config(path: Option<&PathBuf>) -> Result<Config, gapmap::Error> {
    Ok(match path {
        Some(p) => Config::read(p)?,
        None => gapmap::sample::config()?,
    })
}

/// Prints a progress line to standard error.
fn progress(message: &str) {
    eprintln!("gapmap: {message}");
}

/// Prints what reading the inputs set aside or inferred, one line a count, exactly.
pub fn print_input_notes(notes: &[gapmap::load::mapping::Note]) {
    if notes.is_empty() {
        return;
    }
    say!("Read from the inputs:");
    for n in notes {
        say!("  {}: {} {}", n.file, n.count, n.what);
    }
}
