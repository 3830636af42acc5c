//! CPU time per stage. The stages of an import overlap (a batch is cleaned while the
//! one before is indexed, each on several threads), so what each costs is told in CPU
//! time summed over the threads that ran it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cpu_time::{ProcessTime, ThreadTime};

/// Adds up the CPU time of work done on any number of threads.
#[derive(Debug, Default)]
pub struct Meter(AtomicU64);

impl Meter {
    /// Run `f`, adding the CPU time the calling thread spends in it.
    pub fn time<T>(&self, f: impl FnOnce() -> T) -> T {
        let t = ThreadTime::now();
        let r = f();
        self.add(t.elapsed());
        r
    }

    fn add(&self, d: Duration) {
        self.0.fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    /// Milliseconds so far.
    pub fn ms(&self) -> u64 {
        self.0.load(Ordering::Relaxed) / 1000
    }
}

/// CPU time of the whole process since `since`, in milliseconds.
pub fn process_ms(since: ProcessTime) -> u64 {
    since.elapsed().as_millis() as u64
}

#[cfg(test)]
mod tests {
    #[test]
    fn meter_adds_cpu_time_of_work() {
        let m = super::Meter::default();
        let n = m.time(|| {
            (0..20_000_000u64).fold(0u64, |a, x| std::hint::black_box(a.wrapping_add(x * x)))
        });
        assert!(n > 0);
        assert!(m.ms() >= 1, "busy work took {} ms of CPU", m.ms());
    }
}
