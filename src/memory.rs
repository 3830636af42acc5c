//! Process-wide memory settings.

/// Cap glibc's malloc arenas at twice the number of cores.
///
/// glibc gives each new thread that finds the arenas busy an arena of its own, up to eight
/// per core, and memory freed in one is not reused by threads of another. A server whose
/// searches hop between tokio's blocking threads grows its heap for minutes that way:
/// `benches/soak.sh` measured 79 → 119 MB over 150 s of queries with the default (16 arenas
/// here), 49 → 66 MB with 2. One arena per core made an import 15% slower (its decode, clean
/// and indexing threads wait on each other's arena locks); two per core cost ~5% there and
/// keep the soak's heap flat. An explicit `MALLOC_ARENA_MAX` in the environment is left to
/// glibc. Call before any thread starts; elsewhere than glibc this does nothing.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let n = libc::c_int::try_from(2 * cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only changes a malloc tunable; it is safe to call at any time.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, n);
        }
    }
}
