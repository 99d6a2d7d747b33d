//! `wisp run` stays the command's parent: it passes on every signal it receives and exits with
//! the command's status (128 + the signal's number when a signal ended it, as shells report it).
use std::process::ExitCode;

use tokio::process::Child;

/// The signals a supervisor can catch and pass on. SIGKILL and SIGSTOP cannot be caught, and the
/// faults (SIGSEGV, SIGILL, SIGFPE, SIGBUS) are this process's own.
#[cfg(unix)]
const FORWARDED: &[nix::sys::signal::Signal] = {
    use nix::sys::signal::Signal::*;
    &[
        SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU,
        SIGURG, SIGIO, SIGPIPE, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF,
    ]
};

/// Waits for `child`, passing on every signal this process receives meanwhile.
pub async fn supervise(mut child: Child) -> ExitCode {
    #[cfg(unix)]
    let _forwarding = forward_signals(&child);
    match child.wait().await {
        Ok(status) => exit_code(status),
        Err(error) => {
            eprintln!("wisp run: lost track of the command: {error}");
            ExitCode::from(super::WISP_FAILED)
        }
    }
}

/// One task per signal, each passing it on to the child until dropped.
#[cfg(unix)]
fn forward_signals(child: &Child) -> Vec<AbortOnDrop> {
    use tokio::signal::unix::{SignalKind, signal};
    let Some(pid) = child.id().and_then(|id| i32::try_from(id).ok()) else { return Vec::new() };
    let pid = nix::unistd::Pid::from_raw(pid);
    FORWARDED
        .iter()
        .filter_map(|&sig| {
            let mut stream = signal(SignalKind::from_raw(sig as i32)).ok()?;
            let task = tokio::spawn(async move {
                while stream.recv().await.is_some() {
                    // The child may have just exited: nothing is left to tell.
                    let _ = nix::sys::signal::kill(pid, sig);
                }
            });
            Some(AbortOnDrop(task.abort_handle()))
        })
        .collect()
}

#[cfg(unix)]
struct AbortOnDrop(tokio::task::AbortHandle);

#[cfg(unix)]
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    if let Some(code) = status.code() {
        return ExitCode::from(u8::try_from(code & 0xff).unwrap_or(1));
    }
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return ExitCode::from(u8::try_from(128 + signal).unwrap_or(1));
    }
    ExitCode::from(1)
}
