//! Locking an account out after repeated failed logins.

use chrono::{DateTime, Duration, Utc};

/// At most `max_failures` failed logins within any `window`; after that the account is locked
/// until the oldest of those failures leaves the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    pub max_failures: u32,
    pub window: Duration,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle { max_failures: 5, window: Duration::minutes(15) }
    }
}

impl LoginThrottle {
    /// Until when logins are refused, given the failure times (any order) and `now`; `None` if
    /// they are allowed. Only failures in `(now - window, now]` count. `max_failures == 0`
    /// disables the throttle.
    pub fn locked_until(&self, failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let threshold = usize::try_from(self.max_failures).ok()?.checked_sub(1)?;
        let since = now.checked_sub_signed(self.window)?;
        let mut recent: Vec<DateTime<Utc>> = failures.iter().copied().filter(|t| *t > since && *t <= now).collect();
        // Most recent first; the max_failures-th of them is the one whose expiry unlocks.
        recent.sort_unstable_by(|a, b| b.cmp(a));
        let oldest_counted = recent.get(threshold)?;
        oldest_counted.checked_add_signed(self.window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32, second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 17, 9, minute, second).single().expect("valid test time")
    }

    #[test]
    fn default_is_five_in_fifteen_minutes() {
        let t = LoginThrottle::default();
        assert_eq!(t.max_failures, 5);
        assert_eq!(t.window, Duration::minutes(15));
    }

    #[test]
    fn locked_until_table() {
        let t = LoginThrottle::default();
        let five = [at(0, 0), at(1, 0), at(2, 0), at(3, 0), at(4, 0)];
        type Time = DateTime<Utc>;
        // (name, failures, now, locked until)
        let cases: Vec<(&str, Vec<Time>, Time, Option<Time>)> = vec![
            ("no failures", vec![], at(5, 0), None),
            ("four failures", five[..4].to_vec(), at(5, 0), None),
            ("five failures lock", five.to_vec(), at(5, 0), Some(at(15, 0))),
            ("order does not matter", five.iter().rev().copied().collect(), at(5, 0), Some(at(15, 0))),
            ("still locked just before", five.to_vec(), at(14, 59), Some(at(15, 0))),
            // At 09:15 the 09:00 failure is no longer inside (now - 15 min, now].
            ("unlocked when the oldest leaves", five.to_vec(), at(15, 0), None),
            (
                "six failures: the fifth most recent decides",
                [&five[..], &[at(4, 30)]].concat(),
                at(5, 0),
                Some(at(16, 0)),
            ),
            ("failures in the future are ignored", five.to_vec(), at(3, 30), None),
            ("old failures do not count", vec![at(0, 0), at(0, 1), at(0, 2), at(0, 3), at(20, 0)], at(20, 30), None),
        ];
        for (name, failures, now, expected) in cases {
            assert_eq!(t.locked_until(&failures, now), expected, "{name}");
        }
    }

    #[test]
    fn custom_and_disabled() {
        let three = LoginThrottle { max_failures: 3, window: Duration::minutes(1) };
        let failures = [at(0, 0), at(0, 20), at(0, 40)];
        assert_eq!(three.locked_until(&failures, at(0, 50)), Some(at(1, 0)));
        assert_eq!(three.locked_until(&failures, at(1, 0)), None);

        let off = LoginThrottle { max_failures: 0, window: Duration::minutes(1) };
        assert_eq!(off.locked_until(&failures, at(0, 50)), None);
    }
}
