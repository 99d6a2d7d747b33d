//! When managed signing keys change state: a pure schedule over the keys' dates, so every rule
//! is tested with a clock the test moves, and every replica computes the same steps.
//!
//! A key is published as **next** at least the JWKS cache lifetime (plus the time replicas take
//! to follow, plus clock skew) before it signs, becomes **active** when the rotation period has
//! passed (or an operator asks), is **retired** when the next one takes over, and **removed**
//! once every token it signed has expired and every cache has let go of it. A next key always
//! waits published, so a rotation, or an emergency revoke, has a successor relying parties
//! already hold.
use std::{fmt, str::FromStr, time::Duration};

use chrono::{DateTime, Utc};
use vocabulary::token::{KeyState, SigningAlgorithm};

use super::keys::MAX_KEYS_PER_TYPE;

/// Replicas pick up a change within this (they poll the keyring every second).
pub const PROPAGATION: Duration = Duration::from_secs(5);
/// How far apart the clocks of replicas and relying parties may be.
pub const CLOCK_SKEW: Duration = Duration::from_secs(5);
/// The shortest rotation period an operator may set.
pub const MIN_ROTATION: Duration = Duration::from_secs(60);
/// The default `max-age` of the issuer's documents.
pub const DEFAULT_JWKS_MAX_AGE_SECONDS: u32 = 300;

/// `WISP_SIGNING_KEY_ROTATION`: a period such as `7d`, `12h`, `30m`, `90s`, or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rotation(Option<Duration>);

impl Rotation {
    pub const OFF: Rotation = Rotation(None);

    pub fn every(period: Duration) -> Self {
        Self(Some(period))
    }

    pub fn period(self) -> Option<Duration> {
        self.0
    }
}

impl Default for Rotation {
    fn default() -> Self {
        Self(Some(Duration::from_secs(7 * 86_400)))
    }
}

impl FromStr for Rotation {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(Self::OFF);
        }
        let usage =
            || format!("'{text}' is not a rotation period: use a number with s, m, h or d (7d, 12h, 90s), or off");
        let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(usage)?;
        let (number, unit) = text.split_at(split);
        let number: u64 = number.parse().map_err(|_| usage())?;
        let seconds = match unit {
            "s" => number,
            "m" => number.saturating_mul(60),
            "h" => number.saturating_mul(3600),
            "d" => number.saturating_mul(86_400),
            _ => return Err(usage()),
        };
        let period = Duration::from_secs(seconds);
        if period < MIN_ROTATION {
            return Err(format!(
                "'{text}' is shorter than one minute: relying parties could not keep up. Use 1m or more, or off"
            ));
        }
        Ok(Self(Some(period)))
    }
}

impl fmt::Display for Rotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("off"),
            Some(period) => f.write_str(&short_duration(period)),
        }
    }
}

/// `7d`, `12h`, `90s`: the largest unit that divides the duration.
pub fn short_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if seconds >= size && seconds.is_multiple_of(size) {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

/// What the schedule needs to know, from the operator's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub rotation: Rotation,
    /// `WISP_JWKS_MAX_AGE_SECONDS`: how long relying parties may keep the JWKS.
    pub cache_lifetime: Duration,
    /// The longest lifetime of any token Wisp signs.
    pub token_lifetime: Duration,
    /// For new keys.
    pub algorithm: SigningAlgorithm,
}

impl Policy {
    /// How long a next key is published before it may sign: every cache has then fetched it.
    pub fn lead(&self) -> Duration {
        self.cache_lifetime + PROPAGATION + CLOCK_SKEW
    }

    /// How long a retired key stays published: a replica may sign with it until it follows the
    /// change, its last token lives a token lifetime, and caches keep the JWKS a while more.
    pub fn retention(&self) -> Duration {
        PROPAGATION + self.token_lifetime + self.cache_lifetime + CLOCK_SKEW
    }

    /// Refuses settings under which the schedule could not keep its promises: a period shorter
    /// than the lead (a next key could not be published long enough before it signs), or one so
    /// short that retired keys would pile past AWS's limit of keys in a JWKS.
    pub fn check(&self) -> Result<(), String> {
        let Some(period) = self.rotation.period() else { return Ok(()) };
        if period < self.lead() {
            return Err(format!(
                "WISP_SIGNING_KEY_ROTATION is {}, shorter than the {} a next key must be published before it signs (WISP_JWKS_MAX_AGE_SECONDS plus {} s for replicas and clocks): use {} or more, or lower WISP_JWKS_MAX_AGE_SECONDS",
                short_duration(period),
                short_duration(self.lead()),
                (PROPAGATION + CLOCK_SKEW).as_secs(),
                short_duration(Duration::from_secs(self.lead().as_secs().div_ceil(60) * 60)),
            ));
        }
        let most = self.most_published(period);
        if most > MAX_KEYS_PER_TYPE {
            return Err(format!(
                "WISP_SIGNING_KEY_ROTATION is {}: with retired keys published for {} each, the JWKS would hold up to {most} keys, more than the {MAX_KEYS_PER_TYPE} AWS STS reads. Rotate less often",
                short_duration(period),
                short_duration(self.retention()),
            ));
        }
        Ok(())
    }

    /// The most keys the JWKS can hold under `period`: the active key, the next one, and the
    /// retired keys still within their retention.
    pub fn most_published(&self, period: Duration) -> usize {
        let retired = self.retention().as_secs().div_ceil(period.as_secs().max(1));
        2 + usize::try_from(retired).unwrap_or(usize::MAX)
    }
}

/// A key's state and dates, as the schedule reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyDates {
    pub kid: String,
    pub alg: SigningAlgorithm,
    pub state: KeyState,
    pub published_at: DateTime<Utc>,
    pub activate_at: Option<DateTime<Utc>>,
    pub activated_at: Option<DateTime<Utc>>,
    pub remove_after: Option<DateTime<Utc>>,
}

/// One change the schedule asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// A new key, signing at once: only when no key signs and none waits.
    GenerateActive,
    /// A new next key, published now.
    GenerateNext,
    Activate(String),
    Retire(String),
    Remove(String),
}

fn after(time: DateTime<Utc>, duration: Duration) -> DateTime<Utc> {
    time + chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// When `next` takes over from `active`: the rotation period after `active` began to sign, or
/// earlier when an operator asked, but never before `next` has been published for the lead.
/// `None` when rotation is off and nobody asked.
pub fn takeover_at(active: Option<&KeyDates>, next: &KeyDates, policy: &Policy) -> Option<DateTime<Utc>> {
    let scheduled = match (active.and_then(|a| a.activated_at), policy.rotation.period()) {
        (Some(since), Some(period)) => Some(after(since, period)),
        _ => None,
    };
    let wanted = match (scheduled, next.activate_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    wanted.map(|time| time.max(after(next.published_at, policy.lead())))
}

/// The changes due at `now`, in the order they are to be made.
pub fn plan(keys: &[KeyDates], policy: &Policy, now: DateTime<Utc>) -> Vec<Action> {
    let mut actions: Vec<Action> = keys
        .iter()
        .filter(|k| k.state == KeyState::Retired && k.remove_after.is_some_and(|t| t <= now))
        .map(|k| Action::Remove(k.kid.clone()))
        .collect();
    let active = keys.iter().find(|k| k.state == KeyState::Active);
    let next = keys.iter().find(|k| k.state == KeyState::Next);
    match (active, next) {
        // A new database: nothing was ever published, so no cache can lack the first key.
        (None, None) => actions.extend([Action::GenerateActive, Action::GenerateNext]),
        // The active key was revoked: the key relying parties already hold takes over at once.
        (None, Some(next)) => actions.extend([Action::Activate(next.kid.clone()), Action::GenerateNext]),
        (Some(_), None) => actions.push(Action::GenerateNext),
        (Some(active), Some(next)) => {
            if takeover_at(Some(active), next, policy).is_some_and(|t| t <= now) {
                actions.extend([
                    Action::Retire(active.kid.clone()),
                    Action::Activate(next.kid.clone()),
                    Action::GenerateNext,
                ]);
            }
        }
    }
    // Invariant 4: never more keys of a type than AWS reads. Settings that `Policy::check`
    // accepts never get here; a next key is then simply not published until some are removed.
    let published = keys
        .iter()
        .filter(|k| k.alg == policy.algorithm && k.state.is_published())
        .filter(|k| !actions.contains(&Action::Remove(k.kid.clone())))
        .count();
    if published >= MAX_KEYS_PER_TYPE {
        actions.retain(|a| *a != Action::GenerateNext);
    }
    actions
}

/// When the schedule next has something to do, for a replica that wants to sleep until then.
pub fn next_due(keys: &[KeyDates], policy: &Policy) -> Option<DateTime<Utc>> {
    let active = keys.iter().find(|k| k.state == KeyState::Active);
    let next = keys.iter().find(|k| k.state == KeyState::Next);
    let removal = keys.iter().filter(|k| k.state == KeyState::Retired).filter_map(|k| k.remove_after).min();
    let takeover = next.and_then(|next| takeover_at(active, next, policy));
    match (active, next) {
        (Some(_), Some(_)) => [removal, takeover].into_iter().flatten().min(),
        // Something is missing: due now.
        _ => Some(DateTime::<Utc>::MIN_UTC),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_900_000_000;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(T0 + seconds, 0).unwrap()
    }

    fn policy(rotation: &str) -> Policy {
        Policy {
            rotation: rotation.parse().unwrap(),
            cache_lifetime: Duration::from_secs(300),
            token_lifetime: Duration::from_secs(3600),
            algorithm: SigningAlgorithm::ES256,
        }
    }

    fn key(kid: &str, state: KeyState, published: i64) -> KeyDates {
        KeyDates {
            kid: kid.to_owned(),
            alg: SigningAlgorithm::ES256,
            state,
            published_at: at(published),
            activate_at: None,
            activated_at: (state != KeyState::Next).then(|| at(published)),
            remove_after: None,
        }
    }

    #[test]
    fn rotation_periods_parse_and_print() {
        for (text, seconds) in [("7d", 7 * 86_400), ("12h", 43_200), ("90s", 90), ("1m", 60), (" 30m ", 1800)] {
            assert_eq!(text.parse::<Rotation>().unwrap().period(), Some(Duration::from_secs(seconds)), "{text}");
        }
        assert_eq!("off".parse::<Rotation>().unwrap(), Rotation::OFF);
        assert_eq!("OFF".parse::<Rotation>().unwrap().to_string(), "off");
        assert_eq!(Rotation::default().to_string(), "7d");
        assert_eq!("90s".parse::<Rotation>().unwrap().to_string(), "90s");
        assert_eq!("120s".parse::<Rotation>().unwrap().to_string(), "2m");
        for bad in ["59s", "0d"] {
            assert!(bad.parse::<Rotation>().unwrap_err().contains("shorter than one minute"), "{bad}");
        }
        for bad in ["", "7", "d", "7w", "-1d", "1.5h", "7 d"] {
            assert!(bad.parse::<Rotation>().unwrap_err().contains("not a rotation period"), "{bad}");
        }
    }

    #[test]
    fn settings_that_would_break_an_invariant_are_refused() {
        assert!(policy("7d").check().is_ok());
        assert!(policy("off").check().is_ok());
        let short = policy("5m").check().unwrap_err();
        assert!(short.contains("shorter than the 310s") && short.contains("use 6m or more"), "{short}");
        assert!(policy("6m").check().is_ok());
        let quick = Policy { cache_lifetime: Duration::from_secs(5), ..policy("1m") };
        assert_eq!(quick.most_published(Duration::from_secs(60)), 63, "AWS's limit holds for any lifetime Wisp allows");
        let piled = Policy { token_lifetime: Duration::from_secs(36_000), ..quick }.check().unwrap_err();
        assert!(piled.contains("more than the 100 AWS STS reads"), "{piled}");
        let test_like = Policy { token_lifetime: Duration::from_secs(20), ..quick };
        assert!(test_like.check().is_ok());
        assert_eq!(test_like.most_published(Duration::from_secs(60)), 3);
        assert_eq!(policy("7d").most_published(Duration::from_secs(7 * 86_400)), 3);
    }

    #[test]
    fn a_new_database_gets_an_active_key_and_a_next_one() {
        assert_eq!(plan(&[], &policy("7d"), at(0)), [Action::GenerateActive, Action::GenerateNext]);
        assert_eq!(next_due(&[], &policy("7d")), Some(DateTime::<Utc>::MIN_UTC));
    }

    #[test]
    fn an_active_key_without_a_successor_gets_one_published() {
        let keys = [key("a", KeyState::Active, 0)];
        assert_eq!(plan(&keys, &policy("7d"), at(0)), [Action::GenerateNext]);
    }

    #[test]
    fn the_next_key_takes_over_after_the_period_and_only_then() {
        let policy = policy("7d");
        let keys = [key("a", KeyState::Active, 0), key("b", KeyState::Next, 0)];
        let week = 7 * 86_400;
        assert_eq!(takeover_at(Some(&keys[0]), &keys[1], &policy), Some(at(week)));
        assert_eq!(next_due(&keys, &policy), Some(at(week)));
        assert!(plan(&keys, &policy, at(week - 1)).is_empty());
        assert_eq!(
            plan(&keys, &policy, at(week)),
            [Action::Retire("a".into()), Action::Activate("b".into()), Action::GenerateNext]
        );
    }

    #[test]
    fn a_next_key_never_signs_before_it_has_been_published_for_the_lead() {
        let policy = policy("7d");
        // Published late (a replica was down): the period has passed, but caches may lack it.
        let keys = [key("a", KeyState::Active, 0), key("b", KeyState::Next, 7 * 86_400 - 10)];
        let ready = at(7 * 86_400 - 10 + 310);
        assert_eq!(takeover_at(Some(&keys[0]), &keys[1], &policy), Some(ready));
        assert!(plan(&keys, &policy, ready - chrono::Duration::seconds(1)).is_empty());
        assert_eq!(plan(&keys, &policy, ready).len(), 3);

        // An operator's request is honoured as early as the lead allows.
        let mut asked = key("b", KeyState::Next, 100);
        asked.activate_at = Some(at(100));
        assert_eq!(takeover_at(Some(&keys[0]), &asked, &policy), Some(at(410)));
    }

    #[test]
    fn with_rotation_off_only_an_operator_rotates() {
        let policy = policy("off");
        let mut keys = [key("a", KeyState::Active, 0), key("b", KeyState::Next, 0)];
        assert_eq!(takeover_at(Some(&keys[0]), &keys[1], &policy), None);
        assert_eq!(next_due(&keys, &policy), None);
        assert!(plan(&keys, &policy, at(365 * 86_400)).is_empty());
        keys[1].activate_at = Some(at(1000));
        assert_eq!(plan(&keys, &policy, at(1000)).len(), 3);
    }

    #[test]
    fn retired_keys_are_removed_after_their_retention() {
        let policy = policy("7d");
        let mut retired = key("old", KeyState::Retired, -10);
        retired.remove_after = Some(at(3910));
        let keys = [retired, key("a", KeyState::Active, 0), key("b", KeyState::Next, 0)];
        assert_eq!(next_due(&keys, &policy), Some(at(3910)));
        assert!(plan(&keys, &policy, at(3909)).is_empty());
        assert_eq!(plan(&keys, &policy, at(3910)), [Action::Remove("old".into())]);
        assert_eq!(policy.retention(), Duration::from_secs(5 + 3600 + 300 + 5));
    }

    #[test]
    fn a_lost_active_key_is_replaced_by_the_published_next_one_at_once() {
        let keys = [key("b", KeyState::Next, 0)];
        assert_eq!(plan(&keys, &policy("7d"), at(1)), [Action::Activate("b".into()), Action::GenerateNext]);
    }

    #[test]
    fn no_next_key_is_published_past_awss_limit() {
        let mut keys: Vec<KeyDates> = (0..MAX_KEYS_PER_TYPE - 1)
            .map(|n| {
                let mut k = key(&format!("r{n}"), KeyState::Retired, 0);
                k.remove_after = Some(at(1_000_000));
                k
            })
            .collect();
        keys.push(key("a", KeyState::Active, 0));
        assert!(plan(&keys, &policy("7d"), at(1)).is_empty(), "100 published: no next key");
        keys[0].remove_after = Some(at(1));
        assert_eq!(plan(&keys, &policy("7d"), at(1)), [Action::Remove("r0".into()), Action::GenerateNext]);
    }
}
