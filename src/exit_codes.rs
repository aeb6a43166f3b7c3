//! The binary's exit codes, in one place (README "Exit codes" documents them).

/// How a run ended, as the shell sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything asked was done: every file read (a search with no matches too).
    Success,
    /// The run finished, but some files or records could not be read; each is a line
    /// on stderr, and everything else went in.
    Partial,
    /// Stopped by an error (a missing folder, an unusable or locked index, a full
    /// disk, an unknown filter value), printed as one line on stderr.
    Error,
    /// Stopped by Ctrl-C (SIGINT); what was read before is committed.
    Interrupted,
}

impl ExitCode {
    pub fn code(self) -> u8 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Partial => 1,
            ExitCode::Error => 2,
            ExitCode::Interrupted => 130,
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(c: ExitCode) -> Self {
        std::process::ExitCode::from(c.code())
    }
}
