//! A small async token bucket with an adaptive slowdown for 429 answers.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Lowest share of the configured rate the adaptive slowdown goes down to.
const MIN_RATE_FACTOR: f64 = 1.0 / 16.0;
/// Share of the configured rate regained per successful request after a slowdown.
const RECOVERY_STEP: f64 = 0.05;

/// A token bucket refilled continuously at `per_minute / 60` tokens a second, holding at
/// most `burst`. A 429 pauses every caller until the server's `Retry-After` has passed and
/// halves the rate; successes bring it back in small steps.
#[derive(Debug)]
pub struct TokenBucket {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    per_second: f64,
    burst: f64,
    available: f64,
    factor: f64,
    last: Instant,
    blocked_until: Option<Instant>,
}

impl TokenBucket {
    /// A bucket for `per_minute` tokens holding at most `burst` (at least 1), starting full.
    pub fn new(per_minute: u64, burst: u64) -> Self {
        let burst = burst.max(1) as f64;
        Self {
            state: Mutex::new(State {
                per_second: per_minute.max(1) as f64 / 60.0,
                burst,
                available: burst,
                factor: 1.0,
                last: Instant::now(),
                blocked_until: None,
            }),
        }
    }

    /// Waits until `n` tokens are available and takes them. A request larger than the
    /// bucket waits for a full bucket and takes all of it.
    pub async fn acquire(&self, n: u64) {
        loop {
            let wait = {
                let mut s = self.state.lock().await;
                let now = Instant::now();
                if let Some(until) = s.blocked_until {
                    if until > now {
                        until - now
                    } else {
                        s.blocked_until = None;
                        continue;
                    }
                } else {
                    s.refill(now);
                    let need = (n as f64).min(s.burst);
                    if s.available >= need {
                        s.available -= need;
                        return;
                    }
                    Duration::from_secs_f64((need - s.available) / (s.per_second * s.factor))
                }
            };
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    /// The server said "too many requests": stop everyone for `retry_after` and halve the rate.
    pub async fn penalize(&self, retry_after: Duration) {
        let mut s = self.state.lock().await;
        let now = Instant::now();
        s.refill(now);
        let until = now + retry_after;
        s.blocked_until = Some(s.blocked_until.map_or(until, |u| u.max(until)));
        s.factor = (s.factor / 2.0).max(MIN_RATE_FACTOR);
        s.available = s.available.min(1.0);
    }

    /// A request went through: regain some of the rate lost to earlier slowdowns.
    pub async fn reward(&self) {
        let mut s = self.state.lock().await;
        if s.factor < 1.0 {
            s.refill(Instant::now());
            s.factor = (s.factor + RECOVERY_STEP).min(1.0);
        }
    }

    /// Current share of the configured rate (1.0 = no slowdown).
    pub async fn rate_factor(&self) -> f64 {
        self.state.lock().await.factor
    }
}

impl State {
    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.available = (self.available + elapsed * self.per_second * self.factor).min(self.burst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn holds_the_rate() {
        let bucket = TokenBucket::new(600, 5); // 10 a second
        let start = Instant::now();
        for _ in 0..25 {
            bucket.acquire(1).await;
        }
        // 5 from the burst, 20 more at 10/s
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(1_900), "{took:?}");
        assert!(took <= Duration::from_millis(2_200), "{took:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn penalty_blocks_and_slows() {
        let bucket = TokenBucket::new(600, 1);
        bucket.acquire(1).await;
        bucket.penalize(Duration::from_secs(3)).await;
        let start = Instant::now();
        bucket.acquire(1).await;
        assert!(start.elapsed() >= Duration::from_secs(3));
        assert!(bucket.rate_factor().await < 1.0);
        for _ in 0..20 {
            bucket.reward().await;
        }
        assert!((bucket.rate_factor().await - 1.0).abs() < 1e-9);
    }
}
