//! A circuit breaker per provider: after `threshold` failures in a row it opens and refuses
//! calls for `cooldown`, then lets one trial call through (half-open); the trial's success
//! closes it, its failure opens it again. A provider that is down costs one quick refusal
//! instead of a timeout per request.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { trial_running: bool },
}

#[derive(Debug)]
pub struct Breaker {
    state: Mutex<State>,
    threshold: u32,
    cooldown: Duration,
}

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Self {
        Self {
            state: Mutex::new(State::Closed { failures: 0 }),
            threshold: threshold.max(1),
            cooldown,
        }
    }

    /// Whether a call may go ahead now.
    pub fn allow(&self) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return true;
        };
        match *state {
            State::Closed { .. } => true,
            State::Open { until } if Instant::now() >= until => {
                *state = State::HalfOpen {
                    trial_running: true,
                };
                true
            }
            State::Open { .. } => false,
            State::HalfOpen { trial_running } => {
                if !trial_running {
                    *state = State::HalfOpen {
                        trial_running: true,
                    };
                }
                !trial_running
            }
        }
    }

    pub fn success(&self) {
        if let Ok(mut state) = self.state.lock() {
            *state = State::Closed { failures: 0 };
        }
    }

    pub fn failure(&self) {
        if let Ok(mut state) = self.state.lock() {
            *state = match *state {
                State::Closed { failures } if failures + 1 < self.threshold => State::Closed {
                    failures: failures + 1,
                },
                _ => State::Open {
                    until: Instant::now() + self.cooldown,
                },
            };
        }
    }

    /// `closed`, `open` or `half_open`, for `/metrics` and the status route.
    pub fn state(&self) -> &'static str {
        match self.state.lock().map(|s| *s) {
            Ok(State::Closed { .. }) | Err(_) => "closed",
            Ok(State::Open { until }) if Instant::now() >= until => "half_open",
            Ok(State::Open { .. }) => "open",
            Ok(State::HalfOpen { .. }) => "half_open",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_and_closes_after_a_good_trial() {
        let breaker = Breaker::new(2, Duration::from_millis(30));
        breaker.failure();
        assert!(breaker.allow());
        breaker.failure();
        assert!(!breaker.allow(), "open after two failures");
        std::thread::sleep(Duration::from_millis(40));
        assert!(breaker.allow(), "one trial after the cooldown");
        assert!(!breaker.allow(), "only one");
        breaker.success();
        assert!(breaker.allow());
        assert_eq!(breaker.state(), "closed");
    }

    #[test]
    fn a_failed_trial_opens_it_again() {
        let breaker = Breaker::new(1, Duration::from_millis(20));
        breaker.failure();
        std::thread::sleep(Duration::from_millis(30));
        assert!(breaker.allow());
        breaker.failure();
        assert!(!breaker.allow());
        assert_eq!(breaker.state(), "open");
    }
}
