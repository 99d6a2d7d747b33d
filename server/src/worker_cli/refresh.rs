//! Keeps a run's web identity token fresh: before 80 % of the current token's life has passed,
//! asks Wisp for a new one with the run token and puts it in place of the old. When Wisp cannot
//! be reached it tries again every few seconds until the old token expires, says so on stderr
//! then, and keeps trying: the run's AWS calls work again as soon as a new token is in place.
use std::time::Duration;

use chrono::{DateTime, Utc};
use vocabulary::{dto::deployments::IdTokenResponse, token::STS_AUDIENCE};

use super::{IdTokenRequest, token_file::TokenFile};

/// How often a failed refresh is tried again while the old token still works, and after.
const RETRY_BEFORE_EXPIRY: Duration = Duration::from_secs(2);
const RETRY_AFTER_EXPIRY: Duration = Duration::from_secs(10);

/// When to replace a token that expires at `expires_at`, counting from now.
pub fn refresh_in(now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Duration {
    let left = (expires_at - now).to_std().unwrap_or_default();
    left.mul_f64(0.8)
}

/// Runs until dropped (aborted when the command ends).
pub async fn keep_fresh(file: &TokenFile, request: &IdTokenRequest, mut expires_at: DateTime<Utc>) {
    loop {
        tokio::time::sleep(refresh_in(Utc::now(), expires_at)).await;
        let mut said = false;
        loop {
            match request.post::<IdTokenResponse>(STS_AUDIENCE).await {
                Ok(answer) => match file.replace(&answer.token) {
                    Ok(()) => {
                        expires_at = DateTime::from_timestamp(answer.expires_at, 0).unwrap_or_else(Utc::now);
                        if said {
                            eprintln!("wisp run: the AWS web identity token is fresh again.");
                        }
                        break;
                    }
                    Err(error) => {
                        eprintln!("wisp run: cannot replace the AWS web identity token file: {error}");
                    }
                },
                Err(problem) if Utc::now() >= expires_at && !said => {
                    eprintln!(
                        "wisp run: the AWS web identity token expired at {} and Wisp could not give a new one ({problem}); the command's AWS calls fail until it can. Still trying.",
                        expires_at.format("%H:%M:%S UTC")
                    );
                    said = true;
                }
                Err(_) => {}
            }
            let pause = if Utc::now() < expires_at { RETRY_BEFORE_EXPIRY } else { RETRY_AFTER_EXPIRY };
            tokio::time::sleep(pause).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_replaced_before_four_fifths_of_its_life() {
        let now = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        assert_eq!(refresh_in(now, now + chrono::Duration::seconds(900)), Duration::from_secs(720));
        assert_eq!(refresh_in(now, now + chrono::Duration::seconds(20)), Duration::from_secs(16));
        assert_eq!(refresh_in(now, now - chrono::Duration::seconds(5)), Duration::ZERO, "already expired: now");
    }
}
