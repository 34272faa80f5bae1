//! Growing delays after failed logins, per account and per client address.
//!
//! The first few failures cost nothing; after that each failure doubles the wait before the next
//! attempt is even checked (1 s, 2 s, 4 s ... up to a cap). A success clears the account's count;
//! so does an hour without failures.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;

/// How long failures are remembered after the last of them.
const FORGET_AFTER: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    blocked_until: Option<Instant>,
}

#[derive(Clone)]
pub struct LoginThrottle {
    /// By account and by address, the most recently failing 100,000 of them.
    failures: Arc<Cache<String, Arc<std::sync::Mutex<Failures>>>>,
    free_attempts: u32,
    max_delay: Duration,
}

impl LoginThrottle {
    pub fn new(free_attempts: u32, max_delay_secs: u64) -> Self {
        Self {
            failures: Arc::new(Cache::new(100_000)),
            free_attempts,
            max_delay: Duration::from_secs(max_delay_secs.max(1)),
        }
    }

    fn keys(login: &str, ip: Option<IpAddr>) -> impl Iterator<Item = String> {
        std::iter::once(format!("account:{}", login.to_lowercase()))
            .chain(ip.map(|ip| format!("ip:{ip}")))
    }

    /// Seconds to wait before this login may be tried again, if it is blocked now.
    pub fn blocked_for(&self, login: &str, ip: Option<IpAddr>) -> Option<u64> {
        let now = Instant::now();
        Self::keys(login, ip)
            .filter_map(|k| self.failures.get(&k))
            .filter_map(|f| f.lock().ok().and_then(|f| f.blocked_until))
            .filter(|until| *until > now)
            .map(|until| (until - now).as_secs_f64().ceil() as u64)
            .max()
    }

    pub fn record_failure(&self, login: &str, ip: Option<IpAddr>) {
        let now = Instant::now();
        for key in Self::keys(login, ip) {
            let Ok(entry) = self.failures.get_or_insert_with(&key, || {
                Ok::<_, std::convert::Infallible>(Arc::new(std::sync::Mutex::new(Failures {
                    count: 0,
                    last: now,
                    blocked_until: None,
                })))
            });
            if let Ok(mut f) = entry.lock() {
                if now.duration_since(f.last) > FORGET_AFTER {
                    f.count = 0;
                }
                f.last = now;
                f.count += 1;
                if f.count > self.free_attempts {
                    let doublings = (f.count - self.free_attempts - 1).min(20);
                    let delay = Duration::from_secs(1u64 << doublings).min(self.max_delay);
                    f.blocked_until = Some(Instant::now() + delay);
                }
            }
        }
    }

    pub fn record_success(&self, login: &str) {
        self.failures
            .remove(&format!("account:{}", login.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_attempts_and_grow() {
        let t = LoginThrottle::new(2, 60);
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        t.record_failure("minji", ip);
        t.record_failure("minji", ip);
        assert_eq!(t.blocked_for("minji", ip), None);
        t.record_failure("minji", ip);
        assert_eq!(t.blocked_for("minji", ip), Some(1));
        t.record_failure("minji", ip);
        assert_eq!(
            t.blocked_for("Minji", None),
            Some(2),
            "accounts are matched case-insensitively"
        );
        assert_eq!(
            t.blocked_for("other", ip),
            Some(2),
            "the address is blocked too"
        );
        t.record_success("minji");
        assert_eq!(t.blocked_for("minji", None), None);
    }
}
