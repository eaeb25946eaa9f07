//! System information (docs: misc.rst, "API" — `uv_cpu_info`, `uv_loadavg`, `uv_uptime`,
//! the memory figures, `uv_resident_set_memory`, `uv_os_tmpdir`): what rsuv reads from
//! `/proc`, `/sys` and the environment, parsed in safe Rust. The system calls and the
//! memory handed to C live in the sibling modules ([`super::info`], [`super::dirs`]); this
//! module only reads files and parses text, so every parser here is a plain function with
//! unit tests.
//!
//! None of this runs callbacks, so no loop phase applies; everything may be called from any
//! thread (it touches no loop state).
//!
//! Sources, as libuv 1.44 uses them on Linux:
//! - CPUs: `/proc/stat` (one `cpuN` line per online CPU; times in clock ticks, reported in
//!   milliseconds as `ticks * (1000 / CLK_TCK)`), model names and speeds (`cpu MHz`,
//!   integer part) from `/proc/cpuinfo`, else the speed from
//!   `/sys/devices/system/cpu/cpuN/cpufreq/scaling_cur_freq` (kHz) / 1000.
//! - load averages: `/proc/loadavg`; uptime: `/proc/uptime`; memory: `MemAvailable` and
//!   `MemTotal` of `/proc/meminfo`; resident set: field 24 of `/proc/self/stat`, in pages.
//! - constrained memory: the cgroup memory limit. libuv 1.44 reads only the v1 file
//!   `/sys/fs/cgroup/memory/memory.limit_in_bytes` and passes its "unlimited" value
//!   through; rsuv follows the process's own cgroup from `/proc/self/cgroup` (v1 memory
//!   controller, else the v2 unified hierarchy) and answers 0 when there is no limit, as
//!   libuv's documentation says. v2: the smallest `memory.max`/`memory.high` of the cgroup and
//!   its ancestors; v1: `memory.limit_in_bytes` of the cgroup (or of the mount's root when the
//!   cgroup's directory is not visible, as inside a container).

use core::ffi::c_int;
use std::fs;

use crate::abi::errno::{UV_EIO, from_io};

// ---------------------------------------------------------------------------------------
// CPUs.

/// One CPU as `uv_cpu_info` reports it: model name, speed in MHz, times in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CpuInfo {
    pub(crate) model: Vec<u8>,
    pub(crate) speed: c_int,
    pub(crate) user: u64,
    pub(crate) nice: u64,
    pub(crate) sys: u64,
    pub(crate) idle: u64,
    pub(crate) irq: u64,
}

/// Every online CPU. `clk_tck` is `sysconf(_SC_CLK_TCK)` (ticks per second).
pub(crate) fn cpu_info(clk_tck: u64) -> Result<Vec<CpuInfo>, c_int> {
    let stat = fs::read_to_string("/proc/stat").map_err(|e| from_io(&e))?;
    let cpus = parse_stat(&stat)?;
    // libuv fails when /proc/cpuinfo cannot be opened; rsuv reports "unknown" models instead.
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let (models, speeds) = parse_cpuinfo(&cpuinfo, cpus.len());
    let multiplier = 1000u64.checked_div(clk_tck).unwrap_or(10);
    let mut out: Vec<CpuInfo> = cpus
        .iter()
        .zip(models)
        .zip(speeds)
        .map(|(((_, t), model), speed)| CpuInfo {
            model,
            speed,
            user: t[0].saturating_mul(multiplier),
            nice: t[1].saturating_mul(multiplier),
            sys: t[2].saturating_mul(multiplier),
            idle: t[3].saturating_mul(multiplier),
            irq: t[4].saturating_mul(multiplier),
        })
        .collect();
    // As libuv: /proc/cpuinfo's speeds win; without them, ask cpufreq (kHz) for each CPU.
    if out.first().is_some_and(|c| c.speed == 0) {
        for (ci, (n, _)) in out.iter_mut().zip(&cpus) {
            let path = format!("/sys/devices/system/cpu/cpu{n}/cpufreq/scaling_cur_freq");
            let khz = read_u64(&path).unwrap_or(0);
            ci.speed = c_int::try_from(khz / 1000).unwrap_or(c_int::MAX);
        }
    }
    Ok(out)
}

/// The per-CPU lines of `/proc/stat`: each CPU's number and its user, nice, system, idle
/// and irq ticks. The lines follow the aggregate `cpu` line and end at the first line that
/// does not start with `cpu`. `UV_EIO` when there are none or one is malformed.
fn parse_stat(stat: &str) -> Result<Vec<(u32, [u64; 5])>, c_int> {
    let mut lines = stat.lines();
    lines.next().ok_or(UV_EIO)?;
    let mut cpus = Vec::new();
    for line in lines.take_while(|l| l.starts_with("cpu")) {
        let mut fields = line.split_ascii_whitespace();
        let n = fields
            .next()
            .and_then(|f| f.strip_prefix("cpu"))
            .and_then(|n| n.parse::<u32>().ok())
            .ok_or(UV_EIO)?;
        let mut v = [0u64; 6];
        for slot in &mut v {
            *slot = fields.next().and_then(|f| f.parse().ok()).ok_or(UV_EIO)?;
        }
        // user nice system idle iowait irq: skip iowait.
        cpus.push((n, [v[0], v[1], v[2], v[3], v[5]]));
    }
    if cpus.is_empty() {
        return Err(UV_EIO);
    }
    Ok(cpus)
}

/// Model names and speeds (MHz) for `n` CPUs from `/proc/cpuinfo`, in order of appearance.
/// CPUs without a model get the last model seen, or "unknown" (libuv's rule); CPUs without
/// a speed get 0.
fn parse_cpuinfo(text: &str, n: usize) -> (Vec<Vec<u8>>, Vec<c_int>) {
    const MODEL: &str = "model name\t: ";
    const SPEED: &str = "cpu MHz\t\t: ";
    let mut models: Vec<Vec<u8>> = Vec::with_capacity(n);
    let mut speeds: Vec<c_int> = Vec::with_capacity(n);
    for line in text.lines() {
        if let Some(m) = line.strip_prefix(MODEL) {
            if models.len() < n {
                models.push(m.as_bytes().to_vec());
            }
        } else if let Some(s) = line.strip_prefix(SPEED)
            && speeds.len() < n
        {
            speeds.push(atoi(s));
        }
    }
    let fill = models
        .last()
        .cloned()
        .unwrap_or_else(|| b"unknown".to_vec());
    models.resize(n, fill);
    speeds.resize(n, 0);
    (models, speeds)
}

/// C's `atoi`: optional sign and leading digits; 0 when there are none.
fn atoi(s: &str) -> c_int {
    let s = s.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        v = (v * 10 + i64::from(b - b'0')).min(i64::from(c_int::MAX));
    }
    (if neg { -v } else { v }) as c_int
}

// ---------------------------------------------------------------------------------------
// Load, uptime, memory.

/// The 1, 5 and 15 minute load averages from `/proc/loadavg`.
pub(crate) fn loadavg() -> Option<[f64; 3]> {
    parse_loadavg(&fs::read_to_string("/proc/loadavg").ok()?)
}

fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut f = text.split_ascii_whitespace().map(str::parse::<f64>);
    Some([f.next()?.ok()?, f.next()?.ok()?, f.next()?.ok()?])
}

/// Seconds since boot from `/proc/uptime`.
pub(crate) fn uptime() -> Option<f64> {
    fs::read_to_string("/proc/uptime")
        .ok()?
        .split_ascii_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The resident set size in bytes, from `/proc/self/stat` (`page_size`: bytes per page).
/// `UV_EINVAL` when the file cannot be parsed, as libuv.
pub(crate) fn resident_set_memory(page_size: u64) -> Result<u64, c_int> {
    let stat = fs::read("/proc/self/stat").map_err(|e| from_io(&e))?;
    let pages = parse_rss_pages(&stat).ok_or(crate::abi::errno::UV_EINVAL)?;
    Ok(pages.saturating_mul(page_size))
}

/// Field 24 (`rss`, in pages) of a `/proc/<pid>/stat` line. The command name (field 2) is
/// in parentheses and may hold spaces and parentheses itself, so fields are counted from
/// the last `)`.
fn parse_rss_pages(stat: &[u8]) -> Option<u64> {
    let close = stat.iter().rposition(|&b| b == b')')?;
    let rest = std::str::from_utf8(&stat[close + 1..]).ok()?;
    // rest starts at field 3 (state); rss is field 24.
    let v: i64 = rest.split_ascii_whitespace().nth(21)?.parse().ok()?;
    u64::try_from(v).ok()
}

/// A `/proc/meminfo` figure (`"MemTotal:"`, `"MemAvailable:"`) in bytes, if present.
pub(crate) fn meminfo(what: &str) -> Option<u64> {
    parse_meminfo(&fs::read_to_string("/proc/meminfo").ok()?, what)
}

fn parse_meminfo(text: &str, what: &str) -> Option<u64> {
    let line = text.lines().find_map(|l| l.strip_prefix(what))?;
    let kb: u64 = line.split_ascii_whitespace().next()?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

/// The cgroup memory limit of this process in bytes; 0 when there is none or it is unknown.
pub(crate) fn constrained_memory() -> u64 {
    let Ok(cgroup) = fs::read_to_string("/proc/self/cgroup") else {
        return 0;
    };
    cgroup_memory_limit(&cgroup, |p| fs::read_to_string(p).ok())
}

/// The memory this process's cgroup uses now, in bytes (v1 `memory.usage_in_bytes`, else
/// the root's; v2 `memory.current`); 0 when unknown.
pub(crate) fn cgroup_memory_current() -> u64 {
    let Ok(cgroup) = fs::read_to_string("/proc/self/cgroup") else {
        return 0;
    };
    let read = |p: &str| -> Option<u64> { fs::read_to_string(p).ok()?.trim().parse().ok() };
    for line in cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if controllers.split(',').any(|c| c == "memory") {
            let own = format!("/sys/fs/cgroup/memory{}", path.trim_end_matches('/'));
            return read(&format!("{own}/memory.usage_in_bytes"))
                .filter(|&v| v != 0)
                .or_else(|| read("/sys/fs/cgroup/memory/memory.usage_in_bytes"))
                .unwrap_or(0);
        }
    }
    cgroup
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .and_then(|p| {
            read(&format!(
                "/sys/fs/cgroup{}/memory.current",
                p.trim_end_matches('/')
            ))
        })
        .unwrap_or(0)
}

/// v1 "no limit" is `PAGE_COUNTER_MAX` pages, rounded down to a page: 0x7FFFFFFFFFFFF000
/// with 4 KiB pages; anything at or above this counts as unlimited.
const CGROUP1_UNLIMITED: u64 = 0x7FFF_FFFF_FFFF_F000;

/// [`constrained_memory`] over the text of `/proc/self/cgroup`, reading cgroup files with
/// `read` (a path to its contents).
fn cgroup_memory_limit(cgroup: &str, read: impl Fn(&str) -> Option<String>) -> u64 {
    let parse = |s: Option<String>| -> Option<u64> { s?.trim().parse::<u64>().ok() };
    // A v1 memory controller takes precedence (hybrid setups list both).
    for line in cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if !controllers.split(',').any(|c| c == "memory") {
            continue;
        }
        let own = format!("/sys/fs/cgroup/memory{}", path.trim_end_matches('/'));
        let limit = parse(read(&format!("{own}/memory.limit_in_bytes")))
            .or_else(|| parse(read("/sys/fs/cgroup/memory/memory.limit_in_bytes")));
        return match limit {
            Some(v) if v > 0 && v < CGROUP1_UNLIMITED => v,
            _ => 0,
        };
    }
    // v2: the smallest limit on the path from this cgroup up to the root.
    let Some(path) = cgroup.lines().find_map(|l| l.strip_prefix("0::")) else {
        return 0;
    };
    let mut best: Option<u64> = None;
    let mut dir = path.trim_end_matches('/').to_string();
    loop {
        for file in ["memory.max", "memory.high"] {
            // "max" (no limit) does not parse and so does not count.
            if let Some(v) = parse(read(&format!("/sys/fs/cgroup{dir}/{file}")))
                && v > 0
            {
                best = Some(best.map_or(v, |b| b.min(v)));
            }
        }
        match dir.rfind('/') {
            Some(i) => dir.truncate(i),
            None => break,
        }
    }
    best.unwrap_or(0)
}

/// A file holding one unsigned decimal number (cpufreq files and the like).
fn read_u64(path: &str) -> Option<u64> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

// ---------------------------------------------------------------------------------------
// Temporary directory.

/// `uv_os_tmpdir`'s answer: the first of `TMPDIR`, `TMP`, `TEMP`, `TEMPDIR` that is set
/// (even to the empty string, as libuv), else `/tmp`; one trailing slash removed unless the
/// path is `/`. `getenv` looks a name up.
pub(crate) fn tmpdir(getenv: impl Fn(&str) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut dir = ["TMPDIR", "TMP", "TEMP", "TEMPDIR"]
        .iter()
        .find_map(|n| getenv(n))
        .unwrap_or_else(|| b"/tmp".to_vec());
    if dir.len() > 1 && dir.last() == Some(&b'/') {
        dir.pop();
    }
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines() {
        let stat = "cpu  10 1 20 300 4 5 6 0 0 0\n\
                    cpu0 5 1 10 150 2 3 3 0 0 0\n\
                    cpu2 5 0 10 150 2 2 3 0 0 0\n\
                    intr 123\n\
                    cpu7 1 1 1 1 1 1\n";
        let cpus = parse_stat(stat).unwrap();
        assert_eq!(cpus, vec![(0, [5, 1, 10, 150, 3]), (2, [5, 0, 10, 150, 2])]);
        assert_eq!(parse_stat("cpu 1 2 3 4 5 6\nintr 1\n"), Err(UV_EIO));
        assert_eq!(parse_stat(""), Err(UV_EIO));
        assert_eq!(parse_stat("cpu 1\ncpu0 1 2\n"), Err(UV_EIO));
    }

    #[test]
    fn cpuinfo_models_and_speeds() {
        let text = "processor\t: 0\nmodel name\t: Fancy CPU @ 2.00GHz\ncpu MHz\t\t: 1999.998\n\n\
                    processor\t: 1\nmodel name\t: Other CPU\ncpu MHz\t\t: 2400.000\n\n";
        let (m, s) = parse_cpuinfo(text, 3);
        assert_eq!(
            m,
            vec![
                b"Fancy CPU @ 2.00GHz".to_vec(),
                b"Other CPU".to_vec(),
                b"Other CPU".to_vec()
            ]
        );
        assert_eq!(s, vec![1999, 2400, 0]);
        let (m, s) = parse_cpuinfo("", 2);
        assert_eq!(m, vec![b"unknown".to_vec(), b"unknown".to_vec()]);
        assert_eq!(s, vec![0, 0]);
        let (m, _) = parse_cpuinfo(text, 1);
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi("1999.998"), 1999);
        assert_eq!(atoi("  42x"), 42);
        assert_eq!(atoi("-7"), -7);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi("99999999999"), c_int::MAX);
    }

    #[test]
    fn live_cpu_info() {
        let cpus = cpu_info(100).unwrap();
        assert!(!cpus.is_empty());
        assert!(cpus.iter().all(|c| !c.model.is_empty()));
    }

    #[test]
    fn loadavg_and_uptime() {
        assert_eq!(
            parse_loadavg("0.50 1.25 2.00 1/234 5678\n"),
            Some([0.5, 1.25, 2.0])
        );
        assert_eq!(parse_loadavg("0.5 x"), None);
        assert!(loadavg().is_some());
        assert!(uptime().unwrap() > 0.0);
    }

    #[test]
    fn rss_field() {
        let mut line = String::from("1234 (a) b) c) S");
        for i in 4..=23 {
            line.push_str(&format!(" {i}"));
        }
        line.push_str(" 777 18446744073709551615 1 2\n");
        assert_eq!(parse_rss_pages(line.as_bytes()), Some(777));
        assert_eq!(parse_rss_pages(b"1234 (x) S 1 2"), None);
        assert_eq!(parse_rss_pages(b"no parens"), None);
        assert!(resident_set_memory(4096).unwrap() > 0);
    }

    #[test]
    fn meminfo_fields() {
        let text = "MemTotal:       24684084 kB\nMemFree:  100 kB\nMemAvailable:   24255292 kB\n";
        assert_eq!(parse_meminfo(text, "MemTotal:"), Some(24684084 * 1024));
        assert_eq!(parse_meminfo(text, "MemAvailable:"), Some(24255292 * 1024));
        assert_eq!(parse_meminfo(text, "Nope:"), None);
        assert!(meminfo("MemTotal:").unwrap() > 0);
    }

    fn files(entries: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |p| map.get(p).cloned()
    }

    #[test]
    fn cgroup_v1() {
        let cg = "4:memory:/a/b\n3:cpu:/\n0::/\n";
        let read = files(&[(
            "/sys/fs/cgroup/memory/a/b/memory.limit_in_bytes",
            "1048576\n",
        )]);
        assert_eq!(cgroup_memory_limit(cg, read), 1 << 20);
        // Unlimited.
        let read = files(&[(
            "/sys/fs/cgroup/memory/a/b/memory.limit_in_bytes",
            "9223372036854771712\n",
        )]);
        assert_eq!(cgroup_memory_limit(cg, read), 0);
        // The cgroup's directory is not visible: the mount's root.
        let read = files(&[("/sys/fs/cgroup/memory/memory.limit_in_bytes", "4096\n")]);
        assert_eq!(cgroup_memory_limit(cg, read), 4096);
        // Comma-joined controllers, root path.
        let read = files(&[("/sys/fs/cgroup/memory/memory.limit_in_bytes", "8192\n")]);
        assert_eq!(cgroup_memory_limit("5:cpu,memory:/\n", read), 8192);
        assert_eq!(cgroup_memory_limit(cg, files(&[])), 0);
    }

    #[test]
    fn cgroup_v2() {
        let cg = "0::/user.slice/app\n";
        let read = files(&[
            ("/sys/fs/cgroup/user.slice/app/memory.max", "max\n"),
            ("/sys/fs/cgroup/user.slice/app/memory.high", "3000000\n"),
            ("/sys/fs/cgroup/user.slice/memory.max", "2000000\n"),
        ]);
        assert_eq!(cgroup_memory_limit(cg, read), 2000000);
        let read = files(&[("/sys/fs/cgroup/user.slice/app/memory.max", "max\n")]);
        assert_eq!(cgroup_memory_limit(cg, read), 0);
        let read = files(&[("/sys/fs/cgroup/memory.max", "5000\n")]);
        assert_eq!(cgroup_memory_limit("0::/\n", read), 5000);
        assert_eq!(cgroup_memory_limit("", files(&[])), 0);
    }

    #[test]
    fn tmpdir_rules() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.as_bytes().to_vec())
            }
        };
        assert_eq!(tmpdir(env(&[])), b"/tmp");
        assert_eq!(tmpdir(env(&[("TEMP", "/x/"), ("TMP", "/y")])), b"/y");
        assert_eq!(tmpdir(env(&[("TEMPDIR", "/z/")])), b"/z");
        assert_eq!(tmpdir(env(&[("TMPDIR", "/")])), b"/");
        assert_eq!(tmpdir(env(&[("TMPDIR", "")])), b"");
    }
}
